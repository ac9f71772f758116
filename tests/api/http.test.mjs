// The HTTP layer: 404 against 405 with Allow, HEAD, the URL limit, request ids, the
// access log (path only, never the query string) and request metrics.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { get, request, assertProblem } from './lib.mjs';

// tests/run.sh sends the server's stdout here
const SERVER_LOG = process.env.SERVER_LOG ?? fileURLToPath(new URL('../out/server.log', import.meta.url));
const GENERATED_ID = /^[0-9a-f]{24}$/;
const UNKNOWN_UUID = '00000000-0000-4000-8000-000000000000';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const token = () => randomBytes(6).toString('hex');

describe('routing', () => {
  const unknown = ['/nope', '/api/v1/nope', '/api/v2/professions', '/api/v1/professions/x',
    '/api/v1/practitioners/x/y', '/API/V1/PROFESSIONS', '/static/nope.js', '/healthz/extra'];
  for (const path of unknown) {
    test(`GET ${path} is a 404 problem`, async () => {
      const r = await get(path);
      assertProblem(r, 404);
      assert.match(r.headers.get('x-request-id') ?? '', GENERATED_ID);
    });
  }

  const wrong = [
    { method: 'POST', path: '/api/v1/professions' },
    { method: 'POST', path: '/api/v1/professions', body: { slug: 'x', name: 'X' } },
    { method: 'DELETE', path: '/healthz' },
    { method: 'PUT', path: '/api/v1/techniques' },
    { method: 'PATCH', path: '/api/v1/places' },
    { method: 'DELETE', path: `/api/v1/practitioners/${UNKNOWN_UUID}` },
    { method: 'PUT', path: '/metrics' },
  ];
  for (const c of wrong) {
    test(`${c.method} ${c.path}${c.body ? ' with a body' : ''} is a 405 with Allow listing GET`, async () => {
      const r = await request(c.method, c.path, c.body ? { body: c.body } : {});
      assertProblem(r, 405);
      const allow = (r.headers.get('allow') ?? '').split(',').map((s) => s.trim());
      assert.ok(allow.includes('GET'), `Allow: ${r.headers.get('allow')}`);
      assert.ok(allow.includes('HEAD'), `Allow: ${r.headers.get('allow')}`);
      assert.ok(!allow.includes(c.method), `Allow lists ${c.method}, which was refused`);
      assert.match(r.headers.get('x-request-id') ?? '', GENERATED_ID);
    });
  }

  const heads = ['/healthz', '/api/v1/professions', '/api/v1/places?q=portl',
    '/api/v1/practitioners?near=Portland%2C+OR&technique=MFR'];
  for (const path of heads) {
    test(`HEAD ${path} answers like GET without a body`, async () => {
      const g = await get(path);
      const h = await request('HEAD', path);
      assert.equal(g.status, 200);
      assert.equal(h.status, 200);
      assert.equal(h.text, '');
      assert.equal(h.headers.get('content-type'), g.headers.get('content-type'));
      const len = h.headers.get('content-length');
      if (len !== null) assert.equal(Number(len), Buffer.byteLength(g.text));
      assert.match(h.headers.get('x-request-id') ?? '', GENERATED_ID);
    });
  }

  test('HEAD on an unknown path is a 404', async () => {
    const r = await request('HEAD', '/api/v1/nope');
    assert.equal(r.status, 404);
  });
});

describe('URL length', () => {
  const pad = (len) => {
    const head = '/healthz?pad=';
    return head + 'a'.repeat(len - head.length);
  };

  test('a URL of exactly 2048 bytes is served', async () => {
    const url = pad(2048);
    assert.equal(url.length, 2048);
    assert.equal((await get(url)).status, 200);
  });

  for (const len of [2049, 3000]) {
    test(`a URL of ${len} bytes is a 414 problem`, async () => {
      const r = await get(pad(len));
      assertProblem(r, 414);
      assert.match(r.headers.get('x-request-id') ?? '', GENERATED_ID);
    });
  }

  test('a long search URL is a 414, not a 422 about q', async () => {
    const r = await get(`/api/v1/practitioners?q=${'b'.repeat(2100)}`);
    assertProblem(r, 414);
  });
});

describe('X-Request-Id', () => {
  const requests = [
    { name: 'a success', method: 'GET', path: '/api/v1/professions', status: 200 },
    { name: 'a search', method: 'GET', path: '/api/v1/practitioners?near=97201', status: 200 },
    { name: 'a 404', method: 'GET', path: '/api/v1/nope', status: 404 },
    { name: 'a 404 profile', method: 'GET', path: `/api/v1/practitioners/${UNKNOWN_UUID}`, status: 404 },
    { name: 'a 405', method: 'POST', path: '/healthz', status: 405 },
    { name: 'a 400', method: 'GET', path: '/api/v1/practitioners?q=%ZZ', status: 400 },
    { name: 'a 422', method: 'GET', path: '/api/v1/practitioners?radius_km=0', status: 422 },
    { name: 'a 414', method: 'GET', path: `/healthz?x=${'x'.repeat(2100)}`, status: 414 },
    { name: 'a HEAD', method: 'HEAD', path: '/api/v1/conditions', status: 200 },
  ];
  for (const c of requests) {
    test(`${c.name} carries a generated X-Request-Id, one per request`, async () => {
      const a = await request(c.method, c.path);
      const b = await request(c.method, c.path);
      assert.equal(a.status, c.status);
      const ida = a.headers.get('x-request-id');
      assert.match(ida ?? '', GENERATED_ID);
      assert.notEqual(ida, b.headers.get('x-request-id'));
      if (a.json?.request_id !== undefined) assert.equal(a.json.request_id, ida, 'problem names the request id');
    });

    test(`${c.name} echoes a client X-Request-Id such as abc-123`, async () => {
      const r = await request(c.method, c.path, { headers: { 'X-Request-Id': 'abc-123' } });
      assert.equal(r.status, c.status);
      assert.equal(r.headers.get('x-request-id'), 'abc-123');
      if (r.json?.request_id !== undefined) assert.equal(r.json.request_id, 'abc-123');
    });
  }

  const refused = [
    { id: 'a'.repeat(37), why: 'too long' },
    { id: 'abc$123', why: 'a symbol' },
    { id: 'abc 123', why: 'a space' },
    { id: '<script>', why: 'markup' },
  ];
  for (const c of refused) {
    test(`a client X-Request-Id with ${c.why} is replaced by a generated one`, async () => {
      const r = await get('/api/v1/professions', { headers: { 'X-Request-Id': c.id } });
      assert.equal(r.status, 200);
      assert.match(r.headers.get('x-request-id') ?? '', GENERATED_ID);
    });
  }

  test('a 36-character client id (a UUID) is kept', async () => {
    const id = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
    const r = await get('/healthz', { headers: { 'X-Request-Id': id } });
    assert.equal(r.headers.get('x-request-id'), id);
  });
});

describe('access log', () => {
  /** Waits until the log has a line for request id; returns that line parsed. */
  async function logLine(id) {
    for (let i = 0; i < 50; i++) {
      const line = readFileSync(SERVER_LOG, 'utf8').split('\n').find((l) => l.includes(`"${id}"`));
      if (line) return JSON.parse(line);
      await sleep(50);
    }
    assert.fail(`no line for request ${id} in ${SERVER_LOG}`);
  }

  const cases = [
    { name: 'a search', status: 200, route: '/api/v1/practitioners', path: '/api/v1/practitioners',
      query: (s) => `?near=Portland%2C+OR&q=${s}` },
    { name: 'a 422 search', status: 422, route: '/api/v1/practitioners', path: '/api/v1/practitioners',
      query: (s) => `?near=${s}ville` },
    { name: 'a place lookup', status: 200, route: '/api/v1/places', path: '/api/v1/places',
      query: (s) => `?q=${s}` },
    { name: 'a bad escape', status: 400, path: '/api/v1/practitioners', query: (s) => `?q=${s}%ZZ` },
  ];
  for (const c of cases) {
    test(`${c.name}: a JSON line on stdout with the path, never the query string`, async () => {
      const secret = `SECRETNAME${token()}`;
      const id = `log-${token()}`;
      const r = await get(`${c.path}${c.query(secret)}`, { headers: { 'X-Request-Id': id } });
      assert.equal(r.status, c.status, r.text);
      const line = await logLine(id);
      assert.equal(line.request_id, id);
      assert.equal(line.method, 'GET');
      assert.equal(line.status, c.status);
      assert.equal(line.path, c.path);
      if (c.route) assert.equal(line.route, c.route);
      assert.equal(typeof line.ms, 'number');
      assert.equal(typeof line.ts, 'string');
      const log = readFileSync(SERVER_LOG, 'utf8');
      assert.ok(!log.includes(secret), `the log holds what was typed in the query: ${secret}`);
      assert.ok(!log.includes(secret.toLowerCase()));
    });
  }

  test('every stdout line is one JSON object', () => {
    const lines = readFileSync(SERVER_LOG, 'utf8').split('\n').filter((l) => l.length);
    assert.ok(lines.length > 0);
    for (const l of lines) {
      const o = JSON.parse(l);
      assert.equal(typeof o, 'object');
      if (o.msg === 'request' && o.path !== undefined) assert.ok(!o.path.includes('?'), l);
    }
  });

  test('a 414 is logged without the URL', async () => {
    const secret = `SECRETNAME${token()}`;
    const id = `log-${token()}`;
    const r = await get(`/api/v1/practitioners?q=${secret}${'z'.repeat(2100)}`, { headers: { 'X-Request-Id': id } });
    assert.equal(r.status, 414);
    const line = await logLine(id);
    assert.equal(line.status, 414);
    assert.ok(!readFileSync(SERVER_LOG, 'utf8').includes(secret));
  });
});

describe('/metrics', () => {
  const counter = (text, labels) => {
    const re = new RegExp(`^clinicd_http_requests_total\\{${labels.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\} (\\d+)$`, 'm');
    const m = text.match(re);
    return m ? Number(m[1]) : 0;
  };
  const cases = [
    { path: '/api/v1/conditions', labels: 'method="GET",route="/api/v1/conditions",status="200"' },
    { path: '/api/v1/practitioners?radius_km=0', labels: 'method="GET",route="/api/v1/practitioners",status="422"' },
    { path: `/api/v1/practitioners/${UNKNOWN_UUID}`, labels: 'method="GET",route="/api/v1/practitioners/{id}",status="404"' },
    { path: '/no/such/thing', labels: 'method="any",route="unmatched",status="404"' },
  ];
  for (const c of cases) {
    test(`a request to ${c.path} adds one to {${c.labels}}`, async () => {
      const before = counter((await get('/metrics')).text, c.labels);
      await get(c.path);
      let after = before;
      for (let i = 0; i < 40 && after === before; i++) {
        after = counter((await get('/metrics')).text, c.labels);
        if (after === before) await sleep(25);
      }
      assert.equal(after, before + 1, `counter went from ${before} to ${after}`);
    });
  }

  test('the latency histogram counts the same requests', async () => {
    const hist = (text) => {
      const m = text.match(/^clinicd_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/techniques"\} (\d+)$/m);
      return m ? Number(m[1]) : 0;
    };
    const before = hist((await get('/metrics')).text);
    await get('/api/v1/techniques');
    await get('/api/v1/techniques');
    let after = before;
    for (let i = 0; i < 40 && after < before + 2; i++) {
      after = hist((await get('/metrics')).text);
      if (after < before + 2) await sleep(25);
    }
    assert.equal(after, before + 2);
  });
});
