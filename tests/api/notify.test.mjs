// Notifications end to end, through a real SMTP server: aiosmtpd (Debian's
// python3-aiosmtpd) listens on a free loopback port and writes what it receives into a
// Maildir; `clinicd worker --once` delivers the outbox to it.  The confirmation of a
// booking arrives with a plain-text part naming the service, the practitioner and the
// time, and a text/calendar attachment (method=REQUEST) that ical.js parses, UID
// <booking id>@clinicd; cancelling sends a CANCEL with the same UID; rows end `sent`
// and a second pass sends nothing; an unreachable server leaves rows pending with the
// attempt counted and the error recorded; a row whose worker died mid-delivery
// (`sending`, lease expired) is marked failed, not sent again.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import { post, sql, sqlExec, lit } from './lib.mjs';
import {
  HOUR, at, fmt, addDays, nextWeekday, createPractice, retirePractice, bearer,
} from './fixtures.mjs';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PYTHON = '/usr/bin/python3'; // Debian's, where python3-aiosmtpd is installed
const TZ = 'America/Los_Angeles';
const WEEKDAYS = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '12:00' }));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let P;
let smtp;      // {proc, port, dir}
let MON;

// ---------------------------------------------------------------------------------------
// the SMTP server, the worker and the Maildir

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

const canConnect = (port) => new Promise((resolve) => {
  const c = connect(port, '127.0.0.1');
  c.on('connect', () => { c.destroy(); resolve(true); });
  c.on('error', () => resolve(false));
});

async function startSmtp() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'clinicd-mail-'));
  // its log goes to a file, not a pipe: the worker runs synchronously (spawnSync), and a
  // pipe nobody reads while it runs would fill and stall the SMTP server
  const log = join(dir, 'aiosmtpd.log');
  const fd = openSync(log, 'w');
  const proc = spawn(PYTHON, ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox',
    join(dir, 'Maildir')], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) break;
    if (await canConnect(port)) return { proc, port, dir, maildir: join(dir, 'Maildir') };
    await sleep(100);
  }
  proc.kill('SIGTERM');
  assert.fail(`aiosmtpd did not start on port ${port}: ${readFileSync(log, 'utf8')}`);
}

/** `clinicd worker --once` against smtpUrl; returns {status, stderr}. */
function worker(smtpUrl) {
  assert.ok(process.env.CLINICD_BIN, 'CLINICD_BIN must be set (tests/run.sh sets it)');
  assert.ok(process.env.DATABASE_URL, 'DATABASE_URL must be set');
  const r = spawnSync(process.env.CLINICD_BIN, ['worker', '--once'], {
    cwd: REPO, encoding: 'utf8', timeout: 300_000,
    env: { ...process.env, CLINICD_SMTP_URL: smtpUrl },
  });
  assert.equal(r.error, undefined, String(r.error));
  return { status: r.status, stderr: r.stderr };
}

function deliver() {
  const r = worker(`smtp://127.0.0.1:${smtp.port}`);
  assert.equal(r.status, 0, `worker --once: exit ${r.status}: ${r.stderr.slice(-2000)}`);
  return r;
}

const bySubject = (mails, re) => {
  const found = mails.filter((m) => re.test(m.headers.subject ?? ''));
  assert.equal(found.length, 1, `one mail with a subject like ${re}: ${mails.map((m) => m.headers.subject)}`);
  return found[0];
};

const mailFiles = () => readdirSync(join(smtp.maildir, 'new')).sort();

/** Headers (lower-case names, unfolded) and body of a message or a MIME part. */
function splitMessage(raw) {
  const text = raw.replace(/\r\n/g, '\n');
  const cut = text.indexOf('\n\n');
  const head = cut < 0 ? text : text.slice(0, cut);
  const body = cut < 0 ? '' : text.slice(cut + 2);
  const headers = {};
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, body };
}

const param = (value, name) => {
  const m = new RegExp(`;\\s*${name}="?([^";]+)"?`, 'i').exec(value ?? '');
  return m ? m[1] : null;
};

function decodePart(part) {
  const enc = (part.headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  return enc === 'base64' ? Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8') : part.body;
}

/** A message parsed into {headers, parts: [{type, params, text}]}. */
function parseMail(raw) {
  const msg = splitMessage(raw);
  const ct = msg.headers['content-type'] ?? 'text/plain';
  const parts = [];
  if (/^multipart\//i.test(ct)) {
    const boundary = param(ct, 'boundary');
    assert.ok(boundary, `no boundary in ${ct}`);
    const chunks = msg.body.split(`--${boundary}`);
    for (const chunk of chunks.slice(1)) {
      if (chunk.startsWith('--')) break;
      const p = splitMessage(chunk.replace(/^\n/, ''));
      parts.push({ type: (p.headers['content-type'] ?? 'text/plain').split(';')[0].trim().toLowerCase(),
        contentType: p.headers['content-type'] ?? '', disposition: p.headers['content-disposition'] ?? '',
        text: decodePart(p) });
    }
  } else {
    parts.push({ type: ct.split(';')[0].trim().toLowerCase(), contentType: ct, disposition: '', text: decodePart(msg) });
  }
  return { headers: msg.headers, parts };
}

/** The mails in the Maildir sent to address (parsed; Maildir names do not keep the
 * order they came in: find them by subject). */
function mailsTo(address) {
  return mailFiles().map((f) => parseMail(readFileSync(join(smtp.maildir, 'new', f), 'utf8')))
    .filter((m) => (m.headers.to ?? '').toLowerCase().includes(address.toLowerCase()));
}

/** What mail_when writes: "Monday 23 November 2026, 9:00" in tz. */
function mailWhen(ms, tz) {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: tz, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric',
    minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.weekday} ${p.day} ${p.month} ${p.year}, ${Number(p.hour)}:${p.minute}`;
}

// ---------------------------------------------------------------------------------------
// bookings

let seq = 0;
async function bookOne(day, time) {
  seq += 1;
  const email = `notify.${seq}.${randomUUID().slice(0, 8)}@example.org`;
  const start = at(day, time, TZ);
  const r = await post('/api/v1/bookings', {
    practitioner_id: P.practitioners.a, service_id: P.services.s60, start: fmt(start, TZ),
    patient: { name: 'Rowan Ashby', email },
  });
  assert.equal(r.status, 201, r.text);
  return { ...r.json, email, startMs: start };
}

/** Rows of other suites that a pass may still deliver (due now; none after the drain
 * in before(), unless one was backed off meanwhile). */
const dueNow = () => sql(`SELECT count(*)::int AS n FROM notifications
  WHERE status = 'pending' AND next_attempt_at <= now()`)[0].n;

/** Runs a pass that must send nothing new; checks the Maildir. */
function passSendsNothing(address, mailsBefore) {
  const files = mailFiles().length;
  const due = dueNow();
  deliver();
  assert.ok(mailFiles().length - files <= due, `${mailFiles().length - files} mails sent, ${due} rows were due`);
  assert.equal(mailsTo(address).length, mailsBefore, 'nothing more to this patient');
}

const rows = (bookingId) => sql(`SELECT kind, status, attempts, last_error, sent_at, lease_until,
    next_attempt_at > now() AS later, payload ? 'manage_token_sealed' AS sealed
  FROM notifications WHERE booking_id = ${lit(bookingId)} ORDER BY created_at, kind`);

/** Parses the text/calendar part; returns {cal, event, zone}. */
function calendarOf(mail, method) {
  const part = mail.parts.find((p) => p.type === 'text/calendar');
  assert.ok(part, `a text/calendar part in ${mail.parts.map((p) => p.type)}`);
  assert.equal(param(part.contentType, 'method')?.toUpperCase(), method, part.contentType);
  assert.match(part.disposition, /attachment/);
  const cal = new ICAL.Component(ICAL.parse(part.text));
  assert.equal(cal.getFirstPropertyValue('method'), method);
  const vtz = cal.getFirstSubcomponent('vtimezone');
  assert.ok(vtz, 'a VTIMEZONE');
  ICAL.TimezoneService.reset();
  ICAL.TimezoneService.register(vtz);
  const vevent = cal.getFirstSubcomponent('vevent');
  assert.ok(vevent, 'a VEVENT');
  return { cal, vevent, event: new ICAL.Event(vevent), zone: ICAL.TimezoneService.get(TZ) };
}

// ---------------------------------------------------------------------------------------

before(async () => {
  smtp = await startSmtp();
  P = createPractice({
    label: 'notify', tz: TZ, policy: { slot_step_minutes: 30, cancellation_notice_hours: 24 },
    services: { s60: { minutes: 60 } }, practitioners: { a: WEEKDAYS },
  });
  MON = nextWeekday(TZ, 1, 3);
  // what other suites left in the outbox goes out first, so that each pass below has
  // only this suite's rows to deliver
  deliver();
});

after(async () => {
  retirePractice(P);
  if (smtp) {
    smtp.proc.kill('SIGTERM');
    await new Promise((r) => { if (smtp.proc.exitCode !== null) r(); else smtp.proc.on('exit', r); });
    rmSync(smtp.dir, { recursive: true, force: true });
  }
});

describe('a booking\'s mails, through a real SMTP server', () => {
  let b;

  test('the confirmation arrives: plain words naming service, practitioner and time; a REQUEST calendar', async () => {
    b = await bookOne(MON, '10:00');
    const [row] = rows(b.id);
    assert.equal(row.kind, 'booking_confirmed');
    assert.equal(row.status, 'pending');
    const sealed = row.sealed; // a manage link can be mailed only when the server has a notification key
    const before = mailFiles().length, due = dueNow();
    deliver();
    assert.ok(mailFiles().length - before >= 1 && mailFiles().length - before <= due,
      `${mailFiles().length - before} new mails for ${due} rows due`);
    const mails = mailsTo(b.email);
    assert.equal(mails.length, 1);
    const m = mails[0];
    assert.match(m.headers.subject, /^Booked: /);
    assert.match(m.headers['message-id'] ?? '', /^<booking_confirmed\..+@clinicd>$/);
    assert.match(m.headers['content-type'], /^multipart\/mixed/i);
    const textPart = m.parts.find((p) => p.type === 'text/plain');
    assert.ok(textPart, 'a plain-text part');
    assert.match(textPart.contentType, /charset="?utf-8/i);
    const text = textPart.text;
    const service = `s60 ${P.label}`, practitioner = `Pat a ${P.label}`;
    assert.ok(text.includes('Hello Rowan Ashby'), text);
    assert.ok(text.includes(`What:  ${service} with ${practitioner}`), text);
    assert.ok(text.includes(`When:  ${mailWhen(b.startMs, TZ)} to 11:00`), `${mailWhen(b.startMs, TZ)} in:\n${text}`);
    assert.ok(text.includes('24 hours before'), text);
    if (sealed) {
      assert.match(text, new RegExp(`/manage#id=${b.id}&token=[A-Za-z0-9_-]{43,}`), text);
    } else {
      assert.ok(text.includes('use the link you were shown when you booked'), text);
      assert.ok(!text.includes('/manage#'), text);
    }

    const { event, vevent, zone } = calendarOf(m, 'REQUEST');
    assert.equal(event.uid, `${b.id}@clinicd`);
    assert.equal(event.startDate.zone.tzid, TZ);
    assert.equal(event.startDate.toUnixTime() * 1000, Date.parse(b.start));
    assert.equal(event.endDate.toUnixTime() * 1000, Date.parse(b.end));
    assert.equal(event.startDate.utcOffset(), zone.utcOffset(event.startDate));
    assert.equal(event.summary, `${service} with ${practitioner}`);
    assert.equal(vevent.getFirstPropertyValue('status'), 'CONFIRMED');
    assert.equal(vevent.getFirstPropertyValue('attendee'), `mailto:${b.email}`);
    assert.match(vevent.getFirstPropertyValue('organizer'), /^mailto:/);
    assert.equal(vevent.getFirstPropertyValue('sequence'), 0);
  });

  test('the row is sent (once, the sealed token dropped) and a second pass sends nothing', async () => {
    const [row] = rows(b.id);
    assert.equal(row.status, 'sent');
    assert.equal(row.attempts, 1);
    assert.ok(row.sent_at);
    assert.equal(row.last_error, null);
    assert.equal(row.sealed, false, 'the sealed manage token is not kept once mailed');
    passSendsNothing(b.email, 1);
    assert.equal(rows(b.id)[0].attempts, 1, 'not tried again');
  });

  test('cancelling sends a CANCEL with the same UID', async () => {
    const c = await post(`/api/v1/bookings/${b.id}/cancel`, { reason: 'feeling better' },
      { headers: bearer(b.manage_token) });
    assert.equal(c.status, 200, c.text);
    deliver();
    const mails = mailsTo(b.email);
    assert.equal(mails.length, 2);
    const m = bySubject(mails, /^Cancelled: /);
    bySubject(mails, /^Booked: /);
    const text = m.parts.find((p) => p.type === 'text/plain').text;
    assert.ok(text.includes(`is cancelled`), text);
    assert.ok(text.includes(mailWhen(b.startMs, TZ)), text);
    const { event, vevent } = calendarOf(m, 'CANCEL');
    assert.equal(event.uid, `${b.id}@clinicd`, 'the same UID as the REQUEST');
    assert.equal(vevent.getFirstPropertyValue('status'), 'CANCELLED');
    assert.equal(event.startDate.toUnixTime() * 1000, Date.parse(b.start));
    const all = rows(b.id);
    assert.deepEqual(all.map((r) => [r.kind, r.status]).sort(),
      [['booking_cancelled', 'sent'], ['booking_confirmed', 'sent']]);
    passSendsNothing(b.email, 2);
  });
});

describe('moves and waitlist offers', () => {
  test('moving a booking sends a REQUEST with the same UID, the next SEQUENCE and the new time', async () => {
    const b = await bookOne(addDays(MON, 7), '09:00');
    deliver();
    const to = at(addDays(MON, 7), '11:00', TZ);
    const r = await post(`/api/v1/bookings/${b.id}/reschedule`, { start: fmt(to, TZ) }, { headers: bearer(b.manage_token) });
    assert.equal(r.status, 200, r.text);
    deliver();
    const mails = mailsTo(b.email);
    assert.equal(mails.length, 2, 'the confirmation, then the move');
    const m = bySubject(mails, /^Moved to /);
    const text = m.parts.find((p) => p.type === 'text/plain').text;
    assert.ok(text.includes(`It was on ${mailWhen(b.startMs, TZ)}`), text);
    assert.ok(text.includes(`When:  ${mailWhen(to, TZ)} to 12:00`), text);
    const first = calendarOf(bySubject(mails, /^Booked: /), 'REQUEST');
    const moved = calendarOf(m, 'REQUEST');
    assert.equal(moved.event.uid, first.event.uid);
    assert.equal(moved.event.uid, `${b.id}@clinicd`);
    assert.equal(moved.vevent.getFirstPropertyValue('sequence'), 1);
    assert.equal(moved.event.startDate.toUnixTime() * 1000, to);
    assert.equal(moved.event.endDate.toUnixTime() * 1000, Date.parse(r.json.end));
  });

  test('a freed time is offered to the waitlist by mail, with a link to book it', async () => {
    const day = addDays(MON, 8);
    const b = await bookOne(day, '10:00');
    const email = `waiting.${randomUUID().slice(0, 8)}@example.org`;
    const w = await post('/api/v1/waitlist', {
      practitioner_id: P.practitioners.a, service_id: P.services.s60,
      from: fmt(at(day, '09:00', TZ), TZ), to: fmt(at(day, '12:00', TZ), TZ),
      patient: { name: 'Wren Waiting', email },
    });
    assert.equal(w.status, 201, w.text);
    deliver();
    const c = await post(`/api/v1/bookings/${b.id}/cancel`, {}, { headers: bearer(b.manage_token) });
    assert.equal(c.status, 200, c.text);
    deliver();
    const mails = mailsTo(email);
    assert.equal(mails.length, 1, 'one offer');
    const m = mails[0];
    assert.match(m.headers.subject, /^An earlier time is free: /);
    assert.equal(m.parts.length, 1);
    assert.equal(m.parts[0].type, 'text/plain');
    const text = m.parts[0].text;
    assert.ok(text.includes('Hello Wren Waiting'), text);
    assert.ok(text.includes(mailWhen(b.startMs, TZ)), text);
    assert.match(text, new RegExp(`https?://[^\\s]+/practitioners/${P.practitioners.a}\\b`), text);
    const [row] = sql(`SELECT status FROM notifications WHERE kind = 'waitlist_offer'
      AND waitlist_id = ${lit(w.json.id)}`);
    assert.equal(row.status, 'sent');
  });
});

describe('delivery failures', () => {
  test('an unreachable mail server: the row stays pending, the attempt counted, the error recorded', async () => {
    const b = await bookOne(addDays(MON, 1), '10:00');
    const closed = await freePort(); // nothing listens there
    const before = mailFiles().length;
    const r = worker(`smtp://127.0.0.1:${closed}`);
    assert.equal(r.status, 0, r.stderr);
    const [row] = rows(b.id);
    assert.equal(row.status, 'pending');
    assert.equal(row.attempts, 1);
    assert.ok(row.last_error && row.last_error.length > 0, 'last_error says what happened');
    assert.equal(row.later, true, 'the next attempt is backed off');
    assert.equal(row.lease_until, null);
    assert.equal(mailFiles().length, before);
    // the server is back: the retry goes out, once
    sqlExec(`UPDATE notifications SET next_attempt_at = now() WHERE booking_id = ${lit(b.id)}`);
    deliver();
    const [again] = rows(b.id);
    assert.equal(again.status, 'sent');
    assert.equal(again.attempts, 2);
    assert.equal(again.last_error, null);
    assert.equal(mailsTo(b.email).length, 1);
  });

  test('a row left `sending` by a worker that died (lease over) is marked failed, not sent again', async () => {
    const b = await bookOne(addDays(MON, 2), '10:00');
    sqlExec(`UPDATE notifications SET status = 'sending', attempts = 1,
      lease_until = now() - interval '1 minute' WHERE booking_id = ${lit(b.id)}`);
    passSendsNothing(b.email, 0);
    const [row] = rows(b.id);
    assert.equal(row.status, 'failed');
    assert.equal(row.attempts, 1);
    assert.match(row.last_error ?? '', /interrupted/);
  });

  test('a row still leased (`sending`, lease not over) is left alone', async () => {
    const b = await bookOne(addDays(MON, 3), '10:00');
    sqlExec(`UPDATE notifications SET status = 'sending', attempts = 1,
      lease_until = now() + interval '10 minutes' WHERE booking_id = ${lit(b.id)}`);
    deliver();
    const [row] = rows(b.id);
    assert.equal(row.status, 'sending');
    assert.equal(mailsTo(b.email).length, 0);
    sqlExec(`UPDATE notifications SET status = 'failed', lease_until = NULL WHERE booking_id = ${lit(b.id)}`);
  });
});

test('the booking times in the mails are the API\'s (one hour)', () => {
  // a guard on the helper that formats the expected "When:" line
  const t = at(MON, '09:00', TZ);
  assert.match(mailWhen(t, TZ), /^Monday \d{1,2} [A-Z][a-z]+ \d{4}, 9:00$/);
  assert.equal(mailWhen(t + HOUR, TZ).endsWith(', 10:00'), true);
});
