// Helpers shared by the API suites: requests against BASE_URL and problem checks.
import assert from 'node:assert/strict';

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
