// Helpers shared by the API suites: requests against BASE_URL and problem checks.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { checkResponse } from './validate.mjs';

export const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:8080';

/** Sends a request; returns {status, headers, text, json}. json is null when the body
 * is not JSON. */
export async function request(method, path, { body, headers = {}, raw } = {}) {
  const init = { method, headers: { ...headers } };
  if (raw !== undefined) init.body = raw;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(BASE + path, init);
  const text = await res.text();
  checkResponse(method, path, res, text); // against backend/openapi.json: throws on drift
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, text, json };
}

export const get = (path, opts) => request('GET', path, opts);
export const post = (path, body, opts = {}) => request('POST', path, { ...opts, body });

/** Asserts an RFC 9457 problem with the given status; when field is given, that an
 * entry of errors names it. */
export function assertProblem(r, status, field) {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(r.json.status, status);
  assert.equal(typeof r.json.title, 'string');
  assert.equal(typeof r.json.type, 'string');
  if (field !== undefined) {
    assert.ok(Array.isArray(r.json.errors), `no errors list in ${r.text}`);
    assert.ok(r.json.errors.some((e) => e.field === field),
      `no error names ${field}: ${JSON.stringify(r.json.errors)}`);
  }
}

// ---------------------------------------------------------------------------------------
// Ground truth and query helpers for the directory suites.
export const OWNER_DB = process.env.OWNER_DATABASE_URL;

/** Quotes a string as an SQL literal (for test constants and values read back). */
export function lit(v) {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return `'${String(v).replace(/'/g, "''")}'`;
}

/** Runs one SELECT as the schema owner and returns its rows as plain objects. */
export function sql(query) {
  assert.ok(OWNER_DB, 'OWNER_DATABASE_URL must be set for ground-truth checks');
  const wrapped = `SELECT coalesce(json_agg(t), '[]'::json) FROM (${query}) t`;
  const out = execFileSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', OWNER_DB, '-c', wrapped],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(out);
}

/** Runs statements (UPDATE ...) as the schema owner, then waits until the server's
 * directory index has followed them (see indexCaughtUp). */
export function sqlExec(statements) {
  assert.ok(OWNER_DB, 'OWNER_DATABASE_URL must be set');
  execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', OWNER_DB, '-c', statements],
    { encoding: 'utf8' });
  indexCaughtUp();
}

function logReads(base) {
  try {
    const text = execFileSync('curl', ['-fsS', '--max-time', '2', `${base}/metrics`], { encoding: 'utf8' });
    const m = /^clinicd_directory_log_reads_total (\d+)$/m.exec(text);
    return m ? Number(m[1]) : null;
  } catch {
    return null; // the server is down (the fault tests stop it on purpose)
  }
}

/** Blocks until the server (BASE) has read its change log twice more: the second read
 * began after every change committed before the call, so searches show them.  Writes
 * that bypass the API reach the index that way within a poll (100 ms); writes
 * through the API are visible at once.  Throws when it does not happen in 5 s. */
export function indexCaughtUp(base = BASE) {
  const start = logReads(base);
  if (start === null) return;
  const deadline = Date.now() + 5000;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    const now = logReads(base);
    if (now !== null && now >= start + 2) return;
    assert.ok(Date.now() < deadline, 'the directory index did not read its change log within 5 s');
    Atomics.wait(pause, 0, 0, 20);
  }
}

/** Builds a query string from an object (array values repeat the key) or from a list of
 * [key, value] pairs (to send the same key twice on purpose). */
export function qs(params) {
  const u = new URLSearchParams();
  const pairs = Array.isArray(params) ? params
    : Object.entries(params).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]));
  for (const [k, v] of pairs) if (v !== undefined) u.append(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

/** GET /api/v1/practitioners with params; asserts 200 and the list shape. */
export async function search(params) {
  const r = await get(`/api/v1/practitioners${qs(params)}`);
  assert.equal(r.status, 200, `search ${qs(params)}: ${r.status} ${r.text.slice(0, 500)}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  assert.ok(Array.isArray(r.json.items), `no items in ${r.text.slice(0, 200)}`);
  assert.ok(r.json.next_cursor === null || typeof r.json.next_cursor === 'string');
  return r.json;
}

/** Follows next_cursor from the first page to the last; returns the pages. */
export async function walkPages(params, { maxPages = 100 } = {}) {
  const pages = [];
  let cursor;
  for (;;) {
    const page = await search({ ...params, ...(cursor ? { cursor } : {}) });
    pages.push(page);
    assert.ok(pages.length <= maxPages, `more than ${maxPages} pages: the cursor loops`);
    if (page.next_cursor === null) return pages;
    cursor = page.next_cursor;
  }
}

/** Keys anywhere in a JSON value (to look for data that must not be there). */
export function allKeys(value, out = new Set()) {
  if (Array.isArray(value)) value.forEach((v) => allKeys(v, out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) { out.add(k); allKeys(v, out); }
  return out;
}

/** Fields that would be patient data; never in a public directory answer. */
export const PATIENT_KEYS = ['patient', 'patients', 'patient_name', 'email', 'phone', 'notes',
  'manage_token', 'booking', 'bookings'];

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const sorted = (xs) => [...xs].sort();
