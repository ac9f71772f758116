// Operations endpoints: liveness, readiness, metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get } from './lib.mjs';

test('GET /healthz answers 200 without the database', async () => {
  const r = await get('/healthz');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { status: 'ok' });
  assert.match(r.headers.get('x-request-id'), /^[0-9a-f]{24}$/);
});

test('GET /readyz answers 200 while the database answers', async () => {
  const r = await get('/readyz');
  assert.equal(r.status, 200);
});

test('GET /metrics is Prometheus text with requests by route and status', async () => {
  await get('/api/v1/professions');
  const r = await get('/metrics');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  assert.match(r.text, /clinicd_http_requests_total\{method="GET",route="\/api\/v1\/professions",status="200"\} \d+/);
  assert.match(r.text, /clinicd_http_request_duration_seconds_bucket\{method="GET",route="\/api\/v1\/professions",le="\+Inf"\} \d+/);
  assert.match(r.text, /clinicd_db_pool_size \d+/);
});
