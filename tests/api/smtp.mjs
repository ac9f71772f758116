// A real SMTP server for the notification tests, and reading what it received:
// aiosmtpd (Debian's python3-aiosmtpd) on a free loopback port writing into a Maildir,
// with smtp_handler.Refusing, which answers 550 (mailbox unknown) for recipients whose
// local part starts with "nobody".  pause() and resume() stop and continue the server
// (SIGSTOP / SIGCONT): connections then wait in the listen queue for a greeting, as
// with a mail server that hangs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3'; // Debian's, where python3-aiosmtpd is installed
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function freePort() {
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

/** Starts the server; returns {proc, port, url, dir, maildir, pause(), resume(), stop()}. */
export async function startSmtp() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'clinicd-mail-'));
  // its log goes to a file, not a pipe: the worker may run synchronously (spawnSync),
  // and a pipe nobody reads while it runs would fill and stall the SMTP server
  const log = join(dir, 'aiosmtpd.log');
  const fd = openSync(log, 'w');
  const maildir = join(dir, 'Maildir');
  const proc = spawn(PYTHON, ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'smtp_handler.Refusing', maildir],
    { stdio: ['ignore', fd, fd], env: { ...process.env, PYTHONPATH: HERE } });
  closeSync(fd);
  const reap = () => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL'); };
  process.on('exit', reap);
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) break;
    if (await canConnect(port)) {
      return {
        proc, port, dir, maildir, url: `smtp://127.0.0.1:${port}`,
        pause() { proc.kill('SIGSTOP'); },
        resume() { proc.kill('SIGCONT'); },
        async stop() {
          if (proc.exitCode === null && proc.signalCode === null) {
            proc.kill('SIGCONT');
            proc.kill('SIGTERM');
            await new Promise((r) => { if (proc.exitCode !== null || proc.signalCode !== null) r(); else proc.on('exit', r); });
          }
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    await sleep(100);
  }
  proc.kill('SIGKILL');
  assert.fail(`aiosmtpd did not start on port ${port}: ${readFileSync(log, 'utf8')}`);
}

/** The message files received so far (Maildir new/), sorted by name. */
export function mailFiles(maildir) {
  const d = join(maildir, 'new');
  return existsSync(d) ? readdirSync(d).sort() : [];
}

/** Headers (lower-case names, unfolded) and body of a message or a MIME part. */
export function splitMessage(raw) {
  const text = raw.replace(/\r\n/g, '\n');
  const cut = text.indexOf('\n\n');
  const head = cut < 0 ? text : text.slice(0, cut);
  const body = cut < 0 ? '' : text.slice(cut + 2);
  const headers = {};
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, body, head };
}

export const param = (value, name) => {
  const m = new RegExp(`;\\s*${name}="?([^";]+)"?`, 'i').exec(value ?? '');
  return m ? m[1] : null;
};

function decodePart(part) {
  const enc = (part.headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  return enc === 'base64' ? Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8') : part.body;
}

/** A message parsed into {headers, head (raw header block), parts: [{type, contentType, disposition, text}]}. */
export function parseMail(raw) {
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
  return { headers: msg.headers, head: msg.head, parts, raw };
}

/** Every message in the Maildir, parsed, with its file name. */
export function allMails(maildir) {
  return mailFiles(maildir).map((f) => ({ file: f, ...parseMail(readFileSync(join(maildir, 'new', f), 'utf8')) }));
}

/** The plain-text part of a parsed mail. */
export const textOf = (m) => m.parts.find((p) => p.type === 'text/plain')?.text ?? '';

/**
 * Counts the Maildir by Message-ID: {byId: Map(id -> copies), total, duplicates: [id]}.
 * The Message-ID of a notification is its dedupe key with ':' written as '.', @clinicd.
 */
export function countByMessageId(maildir) {
  const byId = new Map();
  for (const m of allMails(maildir)) {
    const id = (m.headers['message-id'] ?? '').replace(/^<|>$/g, '');
    byId.set(id, (byId.get(id) ?? 0) + 1);
  }
  return { byId, total: [...byId.values()].reduce((a, b) => a + b, 0),
    duplicates: [...byId].filter(([, n]) => n > 1).map(([id]) => id) };
}
