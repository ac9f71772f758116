// Helpers for the fault and hostile-client suites: a scratch PostgreSQL cluster made
// with backend/scripts/pg.sh, a clinicd process of the suite's own, psql as the schema
// owner or the superuser, timed HTTP requests that never throw, and raw TCP clients for
// what fetch will not send.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync, openSync, closeSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PG_SH = path.join(ROOT, 'backend/scripts/pg.sh');
export const CLINICD_BIN = process.env.CLINICD_BIN ?? path.join(ROOT, 'build/clinicd');
export const OUT_DIR = path.join(ROOT, 'tests/out');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const now = () => performance.timeOrigin + performance.now();

/** Runs a program; resolves {stdout, stderr}; rejects with its output on failure. */
export async function run(file, args, { env, timeout = 60_000 } = {}) {
  try {
    return await execFileP(file, args.map(String), {
      cwd: ROOT, env: { ...process.env, ...env }, timeout, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8',
    });
  } catch (e) {
    e.message = `${file} ${args.join(' ')}: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`;
    throw e;
  }
}

export const pgsh = (...args) => run('bash', [PG_SH, ...args]);

export async function freePort() {
  return Number((await pgsh('freeport')).stdout.trim());
}

/** Quotes a value as an SQL literal. */
export function lit(v) {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return `'${String(v).replace(/'/g, "''")}'`;
}

/** Runs statements with psql at url; resolves stdout (unaligned, tuples only). */
export async function psql(url, statements, { timeout = 30_000 } = {}) {
  const { stdout } = await run('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', url, '-c', statements],
    { timeout, env: { PGCONNECT_TIMEOUT: '3' } });
  return stdout;
}

/** Rows of one SELECT as plain objects. */
export async function rows(url, query) {
  const out = await psql(url, `SELECT coalesce(json_agg(t), '[]'::json) FROM (${query}) t`);
  return JSON.parse(out);
}

/** Removes scratch clusters var/PREFIX<pid> whose test process is gone. */
export async function destroyLeftovers(prefix) {
  const varDir = path.join(ROOT, 'var');
  if (!existsSync(varDir)) return;
  for (const name of readdirSync(varDir)) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (!Number.isInteger(pid) || pid <= 0) continue;
    let alive = true;
    try { process.kill(pid, 0); } catch (e) { alive = e.code === 'EPERM'; }
    if (!alive) await pgsh('destroy', path.join(varDir, name)).catch(() => {});
  }
}

/** This process's scratch cluster directory: var/PREFIX<pid>. */
export const clusterDir = (prefix) => path.join(ROOT, 'var', `${prefix}${process.pid}`);

/**
 * A throwaway cluster in clusterDir(prefix), bootstrapped and migrated with clinicd.
 * Returns {dir, port, db, ownerUrl, appUrl, superUrl}.
 */
export async function createCluster(prefix, db = 'clinicd_faults') {
  await destroyLeftovers(prefix);
  const dir = clusterDir(prefix);
  const port = await freePort();
  await pgsh('start', dir, port);
  await pgsh('bootstrap', dir, port, db);
  const url = (role) => `postgresql://${role}@127.0.0.1:${port}/${db}`;
  const ownerUrl = url('clinicd_owner');
  const appUrl = url('clinicd');
  await run(CLINICD_BIN, ['migrate'], { env: { CLINICD_MIGRATE_URL: ownerUrl, DATABASE_URL: appUrl } });
  // pg.sh's superuser is the OS account that owns the data directory
  const uid = statSync(path.join(dir, 'data')).uid;
  const superuser = (await run('id', ['-nu', uid])).stdout.trim();
  return { dir, port, db, ownerUrl, appUrl, superUrl: url(superuser) };
}

/**
 * Starts clinicd serve on a free port with extra env; waits for /healthz.  The
 * per-address limit on patients' writes is off unless env sets it: these suites book
 * from one address far faster than a person (hoarding.test.mjs tests the limit).
 * Returns {proc, base, port, exited: Promise<{code, signal}>, stop()}.
 */
export async function startClinicd({ databaseUrl, env = {}, logName = 'faults-server' }) {
  const port = await freePort();
  mkdirSync(OUT_DIR, { recursive: true });
  const out = openSync(path.join(OUT_DIR, `${logName}.log`), 'w');
  const err = openSync(path.join(OUT_DIR, `${logName}.err`), 'w');
  const proc = spawn(CLINICD_BIN, ['serve'], {
    cwd: ROOT, stdio: ['ignore', out, err],
    env: {
      ...process.env, PORT: String(port), DATABASE_URL: databaseUrl, CLINICD_PATIENT_WRITES_PER_HOUR: '0', ...env,
    },
  });
  closeSync(out);
  closeSync(err);
  // never outlive the test process, whatever way it ends
  const reap = () => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL'); };
  process.on('exit', reap);
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const base = `http://127.0.0.1:${port}`;
  let up = false;
  for (let i = 0; i < 100 && proc.exitCode === null && !up; i++) {
    const r = await http(base, 'GET', '/healthz', { timeout: 1000 });
    up = r.status === 200;
    if (!up) await sleep(100);
  }
  if (!up) {
    proc.kill('SIGKILL');
    throw new Error(`clinicd did not come up on ${base} (see tests/out/${logName}.err)`);
  }
  return {
    proc, base, port, exited,
    /** SIGTERM; resolves the exit {code, signal} (SIGKILL after 15 s). */
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return exited;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      const res = await exited;
      clearTimeout(t);
      return res;
    },
  };
}

/**
 * One HTTP request with fetch that never throws: {status (0 on a network error or
 * timeout), headers, text, json, error, t0, t1, ms}.
 */
export async function http(base, method, p, { body, raw, headers = {}, timeout = 10_000 } = {}) {
  const init = { method, headers: { ...headers }, signal: AbortSignal.timeout(timeout) };
  if (raw !== undefined) init.body = raw;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['content-type'] ??= 'application/json';
  }
  const t0 = now();
  try {
    const res = await fetch(base + p, init);
    const text = await res.text();
    const t1 = now();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status, headers: res.headers, text, json, error: null, t0, t1, ms: t1 - t0 };
  } catch (e) {
    const t1 = now();
    return { status: 0, headers: new Headers(), text: '', json: null,
      error: e.cause?.code ?? e.name ?? String(e), t0, t1, ms: t1 - t0 };
  }
}

/**
 * Raw TCP exchange: writes each chunk (Buffer or latin1 string) with delay ms between
 * them, stopping early when the server closes or (stopOnData) has begun to answer.
 * Ends when the server closes the connection, settleMs after the last data received
 * (when given), or at timeout.  Resolves {why: 'closed'|'settled'|'timeout', bytes,
 * text (latin1), ms, sent, total (bytes of all chunks), error, firstByteMs,
 * sentAtFirstByte (bytes written when the answer began), answeredBeforeDone (the
 * answer began before every chunk was written)}.
 */
export function rawExchange(base, chunks, { delay = 0, timeout = 5000, stopOnData = false, settleMs } = {}) {
  const { hostname, port } = new URL(base);
  const bufs = chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'latin1') : c));
  const total = bufs.reduce((n, b) => n + b.length, 0);
  return new Promise((resolve) => {
    const s = net.connect(Number(port), hostname);
    const t0 = now();
    let bytes = Buffer.alloc(0);
    let error = null;
    let sent = 0;
    let firstByteMs = null;
    let sentAtFirstByte = null;
    let finished = false;
    let settle = null;
    const finish = (why) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      clearTimeout(settle);
      s.destroy();
      resolve({ why, bytes, text: bytes.toString('latin1'), ms: now() - t0, sent, total, error, firstByteMs,
        sentAtFirstByte, answeredBeforeDone: sentAtFirstByte !== null && sentAtFirstByte < total });
    };
    s.on('data', (d) => {
      if (firstByteMs === null) {
        firstByteMs = now() - t0;
        sentAtFirstByte = sent;
      }
      bytes = Buffer.concat([bytes, d]);
      if (settleMs !== undefined) {
        clearTimeout(settle);
        settle = setTimeout(() => finish('settled'), settleMs);
      }
    });
    s.on('error', (e) => { error = e.code ?? String(e); });
    s.on('close', () => finish('closed'));
    const timer = setTimeout(() => finish('timeout'), timeout);
    s.on('connect', async () => {
      for (const buf of bufs) {
        if (s.destroyed || s.writableEnded || (stopOnData && firstByteMs !== null)) break;
        const ok = s.write(buf);
        sent += buf.length;
        if (!ok) await new Promise((r) => { s.once('drain', r); s.once('close', r); });
        if (delay) await sleep(delay);
      }
    });
  });
}

/** Parses the first HTTP/1.1 response of a raw exchange: {status, headers, body} or null. */
export function parseResponse(text) {
  const m = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n/.exec(text);
  if (!m) return null;
  const end = text.indexOf('\r\n\r\n');
  const head = text.slice(m[0].length, end < 0 ? undefined : end);
  const headers = {};
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status: Number(m[1]), headers, body: end < 0 ? '' : text.slice(end + 4) };
}

/** The responses' status codes in a raw exchange, in order. */
export const statusesIn = (text) => [...text.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));

/** p-th percentile (0..100) of numbers, nearest rank. */
export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export const uuid = randomUUID;
