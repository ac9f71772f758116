// What `clinicd worker` sends, read the way the mail suites read it: the outbox due now
// delivered into a real SMTP sink (tests/api/smtp.mjs) by `clinicd worker --once`, the
// mails that arrived for an address, and the calendar files of a mail read with an
// independent parser (Debian's python3-icalendar, tests/api/itip_order.py), with every
// order in which a calendar could receive them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allMails } from './smtp.mjs';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const ITIP = join(REPO, 'tests', 'api', 'itip_order.py');

/** Runs `clinicd worker --once` against the sink smtp (startSmtp's), with env added;
 * fails the test unless it sent what was due and exited 0. */
export function deliver(smtp, env = {}) {
  assert.ok(process.env.CLINICD_BIN, 'CLINICD_BIN must be set (tests/run.sh sets it)');
  const r = spawnSync(process.env.CLINICD_BIN, ['worker', '--once'], {
    cwd: REPO, encoding: 'utf8', timeout: 300_000,
    env: { ...process.env, CLINICD_SMTP_URL: smtp.url, ...env },
  });
  assert.equal(r.error, undefined, String(r.error));
  assert.equal(r.status, 0, `worker --once: exit ${r.status}: ${(r.stderr ?? '').slice(-2000)}`);
}

/** Every mail in the sink to address (its To names it, case aside), parsed (allMails). */
export const mailsTo = (smtp, address) => allMails(smtp.maildir)
  .filter((m) => (m.headers.to ?? '').toLowerCase().includes(address.toLowerCase()));

/** The calendar files of a parsed mail, in its order: [{method (of the part's
 * Content-Type), text}]. */
export const calendarFiles = (mail) => mail.parts.filter((p) => p.type === 'text/calendar')
  .map((p) => ({ method: /method=([A-Z]+)/i.exec(p.contentType)?.[1], text: p.text }));

/**
 * Reads calendar files (their texts, in sending order) with python3-icalendar:
 * {files: [{method, events: [{uid, sequence, status, dtstart, stamp_ts, ...}]}],
 *  orders: [{order, result: {uid: [status, dtstart]}}]}, every order of applying them
 * (tests/api/itip_order.py says what each field holds).
 */
export function itip(texts) {
  const dir = mkdtempSync(join(tmpdir(), 'clinicd-itip-'));
  try {
    const paths = texts.map((text, i) => {
      const path = join(dir, `${i}.ics`);
      writeFileSync(path, text);
      return path;
    });
    const r = spawnSync('/usr/bin/python3', [ITIP, ...paths], { encoding: 'utf8' });
    assert.equal(r.status, 0, `python3-icalendar could not read the calendar files: ${r.stderr}`);
    return JSON.parse(r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The calendar files of a mail, parsed (itip's files). */
export const calendarsOf = (mail) => {
  const files = calendarFiles(mail);
  return files.length ? itip(files.map((f) => f.text)).files : [];
};
