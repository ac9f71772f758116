// An API key on a route only people may call (changing a password; listing, creating
// and revoking API keys: ACCESS_PEOPLE in routes.c) gets a 403 of its own,
// api-key-not-allowed, whose detail says why for that route and who may do it instead,
// whatever the key's scopes (a key with every scope is told the same as a read-only
// one, never "does not have the scope"); the refusal is in the audit log, and nothing
// is changed.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request, assertProblem, sql, lit } from './lib.mjs';
import { createStaffClinic, retireClinic, expectStatus, bearer, PASSWORD, RUN } from './staff-fixtures.mjs';

const KEY_TEXT = /^API keys cannot list, create or revoke API keys, so that a key that leaks cannot make more\. A clinic administrator signs in/;
const PASSWORD_TEXT = /^An API key has no password to change\. A person signs in/;

let C, spare;
const keys = {};

before(async () => {
  C = await createStaffClinic('keyrefusal', { practitioners: [] });
  const make = async (name, scopes) => expectStatus(await request('POST', `${C.base}/api-keys`, {
    headers: C.admin.auth, body: { name: `${name} ${RUN}`, scopes } }), 201, name).json;
  keys.read = await make('read only', ['read']);
  keys.write = await make('read and write', ['read', 'write']);
  keys.all = await make('every scope', ['read', 'write', 'patient_data', 'audit']);
  spare = await make('to be kept', ['read']);
});

after(() => retireClinic(C));

const CASES = [
  ['change a password', 'POST', () => '/api/v1/auth/password',
    () => ({ current_password: PASSWORD, new_password: `${PASSWORD}-new` }), PASSWORD_TEXT],
  ['list the keys', 'GET', () => `${C.base}/api-keys`, () => undefined, KEY_TEXT],
  ['create a key', 'POST', () => `${C.base}/api-keys`, () => ({ name: `made by a key ${RUN}`, scopes: ['read'] }), KEY_TEXT],
  ['revoke a key', 'DELETE', () => `${C.base}/api-keys/${spare.id}`, () => undefined, KEY_TEXT],
];

describe('an API key on a route for people: 403 api-key-not-allowed saying why, audited, nothing done', () => {
  for (const [what, method, path, body, detail] of CASES)
    for (const scope of ['read', 'write', 'all'])
      test(`${what}, with a key of scope ${scope}`, async () => {
        const r = await request(method, path(), { headers: bearer(keys[scope].key), body: body() });
        assertProblem(r, 403);
        assert.match(r.json.type, /\/api-key-not-allowed$/);
        assert.equal(r.json.title, 'Not for API keys');
        assert.match(r.json.detail, detail);
        const rows = sql(`SELECT action, actor_type, actor_id::text, outcome, detail->>'reason' AS reason FROM audit_log
          WHERE request_id = ${lit(r.headers.get('x-request-id'))}`);
        assert.deepEqual(rows, [{ action: 'access_denied', actor_type: 'api_key', actor_id: keys[scope].id,
          outcome: 'denied', reason: 'not for API keys' }]);
      });

  test('nothing was done: no key made, none revoked', () => {
    const [{ made }] = sql(`SELECT count(*)::int AS made FROM api_keys WHERE name = ${lit(`made by a key ${RUN}`)}`);
    assert.equal(made, 0);
    const [{ live }] = sql(`SELECT count(*)::int AS live FROM api_keys WHERE id = ${lit(spare.id)} AND revoked_at IS NULL`);
    assert.equal(live, 1);
  });

  test('a person may still do each (the routes work)', async () => {
    expectStatus(await request('GET', `${C.base}/api-keys`, { headers: C.admin.auth }), 200, 'list');
    expectStatus(await request('DELETE', `${C.base}/api-keys/${spare.id}`, { headers: C.admin.auth }), 204, 'revoke');
  });

  test('a key is still refused by its scope elsewhere with the scope text (the other refusals are unchanged)', async () => {
    const r = await request('PATCH', C.base, { headers: bearer(keys.read.key), body: { phone: '+1 503 555 0190' } });
    assertProblem(r, 403);
    assert.doesNotMatch(r.json.type, /api-key-not-allowed$/);
    assert.match(r.json.detail, /scope/);
  });
});
