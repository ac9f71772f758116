// The OpenAPI description (backend/openapi.json, served at /api/v1/openapi.json): the
// server serves exactly the file; @redocly/cli lints it with no errors; it has every
// route of backend/src/routes.c and nothing else (so adding a route without
// documenting it fails here); its declared answers agree with the route table's flags;
// and the hook through which every API test's answer is validated (validate.mjs)
// really refuses what the document does not allow.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { get, request } from './lib.mjs';
import { OPENAPI_FILE, checkResponse, openapiDocument } from './validate.mjs';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const ROUTES_C = join(REPO, 'backend/src/routes.c');
const REDOCLY = join(REPO, 'tests/node_modules/@redocly/cli/bin/cli.js');
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** The route table: [{method, path, handler, flags: Set, access: Set}] of backend/src/routes.c. */
function routeTable() {
  const src = readFileSync(ROUTES_C, 'utf8');
  const table = src.slice(src.indexOf('routes[] = {'), src.indexOf('};', src.indexOf('routes[] = {')));
  const out = [];
  for (const m of table.matchAll(/\{\s*M_([A-Z]+)\s*,\s*"([^"]+)"\s*,\s*(\w+)\s*,\s*([^,}]*),\s*([^}]*)\}/g)) {
    const set = (text) => new Set(text.split('|').map((f) => f.trim()).filter((f) => f && f !== '0'));
    out.push({ method: m[1].toLowerCase(), path: m[2], handler: m[3], flags: set(m[4]), access: set(m[5]) });
  }
  assert.ok(out.length > 40, `parsed only ${out.length} routes from routes.c`);
  return out;
}

/** Routes the document describes: not the web pages (handlers web_*) nor FHIR, which
 * describes itself (GET /fhir/r4/metadata, a CapabilityStatement). */
const apiRoutes = () => routeTable().filter((r) => !r.handler.startsWith('web_') && !r.path.startsWith('/fhir/'));

/** A path with its parameters' names dropped: "/a/{id}/b" -> "/a/{}/b". */
const shape = (p) => p.replace(/\{[^}]*\}/g, '{}');

function documentedOperations(doc) {
  const out = [];
  for (const [path, item] of Object.entries(doc.paths))
    for (const m of METHODS) if (item[m]) out.push({ method: m, path, op: item[m] });
  return out;
}

function redocly(args) {
  const r = spawnSync(process.execPath, [REDOCLY, ...args], {
    cwd: REPO, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
  });
  assert.equal(r.error, undefined, String(r.error));
  return r;
}

// ---------------------------------------------------------------------------------------
describe('GET /api/v1/openapi.json', () => {
  test('serves backend/openapi.json, byte for byte, as application/json', async () => {
    const r = await get('/api/v1/openapi.json');
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.match(r.headers.get('content-type'), /^application\/json/);
    const file = readFileSync(OPENAPI_FILE, 'utf8');
    if (r.text !== file) {
      let i = 0;
      while (i < file.length && r.text[i] === file[i]) i++;
      assert.fail(`the server serves another document than backend/openapi.json (it reads the file once: `
        + `restart it after editing); they differ from byte ${i}: `
        + `served ${JSON.stringify(r.text.slice(i, i + 80))}, file ${JSON.stringify(file.slice(i, i + 80))}`);
    }
    assert.deepEqual(r.json, JSON.parse(file));
    assert.equal(r.json.openapi, '3.1.0');
  });

  test('HEAD answers like GET without a body; POST is a 405 allowing GET, HEAD', async () => {
    const h = await request('HEAD', '/api/v1/openapi.json');
    assert.equal(h.status, 200);
    assert.equal(h.text, '');
    const p = await request('POST', '/api/v1/openapi.json', { body: {} });
    assert.equal(p.status, 405);
    assert.equal(p.headers.get('allow'), 'GET, HEAD');
  });
});

// ---------------------------------------------------------------------------------------
describe('@redocly/cli lint', () => {
  test('backend/openapi.json passes with tests/redocly.yaml (recommended-strict and more): no errors, no warnings', () => {
    const r = redocly(['lint', '--config', 'tests/redocly.yaml', '--format', 'json', 'backend/openapi.json']);
    let out;
    try { out = JSON.parse(r.stdout); } catch { assert.fail(`redocly printed no JSON (exit ${r.status}): ${r.stdout}${r.stderr}`); }
    const problems = out.problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer}`);
    assert.equal(out.totals.errors, 0, problems.join('\n'));
    assert.equal(out.totals.warnings, 0, problems.join('\n'));
    assert.equal(r.status, 0, r.stderr.slice(-2000));
  });

  test('and with the built-in recommended rules (`redocly lint backend/openapi.json`): no errors', () => {
    const r = redocly(['lint', '--format', 'json', 'backend/openapi.json']);
    const out = JSON.parse(r.stdout);
    const problems = out.problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer}`);
    assert.equal(out.totals.errors, 0, problems.join('\n'));
    assert.equal(r.status, 0);
  });
});

// ---------------------------------------------------------------------------------------
describe('the document and backend/src/routes.c', () => {
  const doc = openapiDocument();

  test('every route of routes.c names exactly one access level (a route without a rule cannot exist)', () => {
    const LEVELS = ['ACCESS_PUBLIC', 'ACCESS_OPS', 'ACCESS_HOLDER', 'ACCESS_FEED', 'ACCESS_SIGNED_IN',
      'ACCESS_STAFF_READ', 'ACCESS_STAFF_ADMIN_READ', 'ACCESS_STAFF_ADMIN_WRITE', 'ACCESS_STAFF_SELF_WRITE',
      'ACCESS_STAFF_AUDIT'];
    const REQUIREMENTS = ['ACCESS_PATIENT_DATA', 'ACCESS_PRACTITIONER', 'ACCESS_PEOPLE'];
    const problems = [];
    const table = routeTable();
    const src = readFileSync(ROUTES_C, 'utf8');
    const rows = src.slice(src.indexOf('routes[] = {'), src.indexOf('};', src.indexOf('routes[] = {')))
      .split('\n').filter((l) => /^\s*\{M_/.test(l));
    assert.equal(table.length, rows.length, 'every row of the table has five fields');
    for (const r of table) {
      const name = `${r.method.toUpperCase()} ${r.path}`;
      const levels = [...r.access].filter((a) => LEVELS.includes(a));
      const other = [...r.access].filter((a) => !LEVELS.includes(a) && !REQUIREMENTS.includes(a));
      if (levels.length !== 1) problems.push(`${name}: ${levels.length} access levels (${[...r.access].join(' | ') || 'none'})`);
      if (other.length) problems.push(`${name}: unknown access words ${other.join(', ')}`);
      if (r.path.startsWith('/api/v1/clinics/') && !levels[0]?.startsWith('ACCESS_STAFF_'))
        problems.push(`${name}: a clinic's route with a level that is not a staff level`);
    }
    assert.deepEqual(problems, []);
  });

  test('every route of routes.c (but the web pages and FHIR) is documented', () => {
    const documented = new Set(documentedOperations(doc).map((o) => `${o.method.toUpperCase()} ${shape(o.path)}`));
    const missing = apiRoutes().filter((r) => !documented.has(`${r.method.toUpperCase()} ${shape(r.path)}`))
      .map((r) => `${r.method.toUpperCase()} ${r.path}`);
    assert.deepEqual(missing, [], `routes without a description in backend/openapi.json:\n${missing.join('\n')}`);
  });

  test('every documented operation is a route of routes.c', () => {
    const routes = new Set(apiRoutes().map((r) => `${r.method.toUpperCase()} ${shape(r.path)}`));
    const extra = documentedOperations(doc).filter((o) => !routes.has(`${o.method.toUpperCase()} ${shape(o.path)}`))
      .map((o) => `${o.method.toUpperCase()} ${o.path}`);
    assert.deepEqual(extra, [], `documented but not served:\n${extra.join('\n')}`);
  });

  test('each documented path parameter is a {…} segment of the path, each segment a parameter', () => {
    for (const { method, path, op } of documentedOperations(doc)) {
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const params = (op.parameters ?? []).map((p) => (p.$ref
        ? p.$ref.split('/').slice(1).reduce((o, k) => o[k], doc) : p)).filter((p) => p.in === 'path').map((p) => p.name).sort();
      assert.deepEqual(params, inPath, `${method.toUpperCase()} ${path}`);
    }
  });

  test('declared answers agree with the route table: 400, 413 and 414 everywhere, 503 where the database is used, 403 for operators\' pages, 429 for patients\' writes, 415 and a body where one is read', () => {
    const problems = [];
    for (const r of apiRoutes()) {
      const o = documentedOperations(doc).find((d) => d.method === r.method && shape(d.path) === shape(r.path));
      if (!o) continue; // reported above
      const codes = Object.keys(o.op.responses);
      const name = `${r.method.toUpperCase()} ${r.path}`;
      for (const c of ['400', '413', '414']) if (!codes.includes(c)) problems.push(`${name}: no ${c} (answered before routing)`);
      if (!r.flags.has('ROUTE_NO_DB') && !codes.includes('503')) problems.push(`${name}: uses the database but declares no 503`);
      if (r.access.has('ACCESS_OPS') && !codes.includes('403')) problems.push(`${name}: for operators only (ACCESS_OPS) but declares no 403`);
      if (r.flags.has('ROUTE_PATIENT_WRITE') && !codes.includes('429')) problems.push(`${name}: a patient's write (ROUTE_PATIENT_WRITE) but declares no 429`);
      const body = r.flags.has('ROUTE_BODY_JSON') || r.flags.has('ROUTE_BODY_CSV');
      if (body) {
        if (!codes.includes('415')) problems.push(`${name}: reads a body but declares no 415`);
        if (!o.op.requestBody) problems.push(`${name}: reads a body but documents none`);
        else if (r.flags.has('ROUTE_BODY_JSON') && !o.op.requestBody.content['application/json'])
          problems.push(`${name}: the body is not documented as application/json`);
      } else if (o.op.requestBody) {
        problems.push(`${name}: documents a body the route does not read`);
      }
      if (!codes.some((c) => /^2\d\d$/.test(c))) problems.push(`${name}: no success answer`);
      if (codes.includes('500') || codes.includes('default')) problems.push(`${name}: a 500 is a bug, not an answer`);
    }
    assert.deepEqual(problems, []);
  });

  test('operation ids are unique; every operation says who may call it', () => {
    const ops = documentedOperations(doc);
    const ids = ops.map((o) => o.op.operationId);
    assert.equal(new Set(ids).size, ids.length);
    for (const { method, path, op } of ops) {
      assert.ok(Array.isArray(op.security), `${method} ${path}: security`);
      const staff = op.security.some((s) => s.staffSession || s.staffCookie || s.clinicApiKey);
      if (staff) assert.ok(op.responses['401'], `${method} ${path}: staff-only but no 401`);
    }
  });
});

// ---------------------------------------------------------------------------------------
describe('the validation hook refuses what the document does not allow', () => {
  const res = (status, headers, body = '') => ({ status, headers: new Headers(headers) });
  const JSON_H = { 'content-type': 'application/json', 'x-request-id': 'abc123' };
  const PROB_H = { 'content-type': 'application/problem+json', 'x-request-id': 'abc123' };
  const problem = (status) => JSON.stringify({ type: 'about:blank', title: 'x', status, request_id: 'abc123' });
  const ok = { items: [{ slug: 'massage-therapist', name: 'Massage therapist' }], next_cursor: null };

  test('a documented answer passes', () => {
    checkResponse('GET', '/api/v1/professions', res(200, JSON_H), JSON.stringify(ok));
    checkResponse('GET', '/api/v1/nope', res(404, PROB_H), problem(404));
    checkResponse('HEAD', '/api/v1/professions', res(200, JSON_H), '');
    checkResponse('GET', '/static/app.js', res(500, {}), 'not checked: the web pages are not in the document');
    checkResponse('GET', '/fhir/r4/metadata', res(200, {}), 'not checked: FHIR describes itself');
  });

  const refused = [
    ['an undocumented member', 'GET', '/api/v1/professions', 200, JSON_H, JSON.stringify({ ...ok, total: 1 }), /must NOT have additional properties/],
    ['a missing member', 'GET', '/api/v1/professions', 200, JSON_H, JSON.stringify({ items: [] }), /next_cursor/],
    ['a wrong type', 'GET', '/api/v1/professions', 200, JSON_H, JSON.stringify({ items: [{ slug: 1, name: 'x' }], next_cursor: null }), /must be string/],
    ['an undeclared status', 'GET', '/api/v1/professions', 500, PROB_H, problem(500), /status 500 is not declared/],
    ['an undeclared content type', 'GET', '/api/v1/professions', 200, { ...JSON_H, 'content-type': 'text/html' }, '<p>', /content type text\/html/],
    ['a body that is not JSON', 'GET', '/api/v1/professions', 200, JSON_H, '{', /not JSON/],
    ['a problem whose status differs', 'GET', '/api/v1/professions', 503, { ...PROB_H, 'retry-after': '2' }, problem(500), /status/],
    ['a problem without its request id', 'GET', '/api/v1/nope', 404, PROB_H, JSON.stringify({ type: 'about:blank', title: 'x', status: 404, request_id: 'other' }), /request_id/],
    ['a 503 without Retry-After', 'GET', '/api/v1/professions', 503, PROB_H, problem(503), /Retry-After/],
    ['an unknown path that answers', 'GET', '/api/v1/nope', 200, JSON_H, '{}', /not in the document/],
    ['a 405 whose Allow is not the documented methods', 'DELETE', '/api/v1/professions', 405, { ...PROB_H, allow: 'GET, HEAD, POST' }, problem(405), /Allow/],
    ['an undocumented method that answers', 'DELETE', '/api/v1/professions', 200, JSON_H, '{}', /not a 405/],
    ['an instant that is not RFC 3339', 'GET', '/api/v1/practitioners/00000000-0000-4000-8000-000000000000/availability', 200, JSON_H,
      JSON.stringify({ practitioner_id: '00000000-0000-4000-8000-000000000000', service_id: '00000000-0000-4000-8000-000000000000',
        timezone: 'UTC', slots: [{ start: '2026-03-08 10:00:00+00', end: '2026-03-08T11:00:00Z', location_id: '00000000-0000-4000-8000-000000000000' }] }),
      /date-time/],
    ['a body on a 204', 'DELETE', '/api/v1/clinics/00000000-0000-4000-8000-000000000000/services/00000000-0000-4000-8000-000000000000', 204, JSON_H, '{}', /declares none/],
  ];
  for (const [what, method, path, status, headers, body, re] of refused) {
    test(`refuses ${what}`, () => {
      assert.throws(() => checkResponse(method, path, res(status, headers), body), re);
    });
  }
});
