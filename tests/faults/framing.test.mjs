// HTTP/1.1 framing (issue 12, item 6), with raw sockets against the shared test server
// (BASE_URL): what clinicd decides in its access handler, before libmicrohttpd reads
// a byte of the body.  What only libmicrohttpd 0.9.75 decides is in proxy.test.mjs
// (HAProxy in front) and README.md, "HTTP framing".
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE } from '../api/lib.mjs';
import { http, rawExchange, parseResponse, statusesIn } from './lib.mjs';

const { hostname: HOST } = new URL(BASE);
const KIB = 1024;

async function assertUp(what) {
  const r = await http(BASE, 'GET', '/healthz', { timeout: 3000 });
  assert.equal(r.status, 200, `after ${what}, /healthz: ${r.status} ${r.error ?? ''}`);
}

const chunked = (s) => `${s.length.toString(16)}\r\n${s}\r\n0\r\n\r\n`;
const POST = (extra, body = '') => `POST /api/v1/bookings HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: application/json\r\n${extra}\r\n${body}`;

/**
 * Sends one raw request; expects exactly one answer with status (a problem+json unless
 * html is allowed), the connection closed by the server, all within withinMs.
 */
async function refused(what, req, status, { withinMs = 2000 } = {}) {
  const r = await rawExchange(BASE, [req], { timeout: withinMs + 3000, settleMs: withinMs });
  const st = statusesIn(r.text);
  const p = parseResponse(r.text);
  const wrong = [];
  if (st.length !== 1 || st[0] !== status) wrong.push(`answers ${JSON.stringify(st)}, want [${status}]`);
  else if (!/^application\/problem\+json/.test(p.headers['content-type'] ?? '')) wrong.push(`content-type ${p.headers['content-type']}`);
  if (r.why !== 'closed') wrong.push('the connection was left open');
  if (r.ms > withinMs) wrong.push(`took ${Math.round(r.ms)} ms`);
  return wrong.length ? [`${what}: ${wrong.join('; ')}`] : [];
}

describe('HTTP/1.1 framing decided by clinicd', () => {
  test('a space before the colon of a field name (Transfer-Encoding : chunked) is 400, and the connection closed', async () => {
    // RFC 9112 5.1: MUST reject with 400.  libmicrohttpd keeps "Transfer-Encoding " as
    // another field, sees no body, and would read the chunked body as the next request.
    const wrong = [
      ...await refused('GET', `GET /healthz HTTP/1.1\r\nHost: ${HOST}\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n`, 400),
      ...await refused('POST', POST('Transfer-Encoding : chunked\r\n', chunked('{}')), 400),
      ...await refused('Content-Length', POST('Content-Length : 2\r\n', '{}'), 400),
      ...await refused('a tab', `GET /healthz HTTP/1.1\r\nHost: ${HOST}\r\nX-Request-Id\t: abc\r\n\r\n`, 400),
    ];
    await assertUp('spaces before colons');
    assert.deepEqual(wrong, []);
  });

  test('HTTP/1.1 without Host, or with two, is 400 (HTTP/1.0 without Host is fine)', async () => {
    // RFC 9112 3.2
    const wrong = [
      ...await refused('no Host', 'GET /healthz HTTP/1.1\r\n\r\n', 400),
      ...await refused('two Host lines', `GET /healthz HTTP/1.1\r\nHost: ${HOST}\r\nHost: other.example\r\n\r\n`, 400),
      ...await refused('two Host lines, the same', `GET /healthz HTTP/1.1\r\nHost: ${HOST}\r\nHost: ${HOST}\r\n\r\n`, 400),
      ...await refused('a Host that is not a host', `GET /healthz HTTP/1.1\r\nHost: a b/c\r\n\r\n`, 400),
    ];
    const old = await rawExchange(BASE, ['GET /healthz HTTP/1.0\r\n\r\n'], { timeout: 3000, settleMs: 500 });
    if (parseResponse(old.text)?.status !== 200) wrong.push(`HTTP/1.0 without Host: ${old.text.slice(0, 80) || old.why}`);
    const port = await rawExchange(BASE, [`GET /healthz HTTP/1.1\r\nHost: ${HOST}:8080\r\n\r\n`], { timeout: 3000, settleMs: 300 });
    if (parseResponse(port.text)?.status !== 200) wrong.push(`Host with a port: ${port.text.slice(0, 80) || port.why}`);
    await assertUp('Host checks');
    assert.deepEqual(wrong, []);
  });

  test('Transfer-Encoding in HTTP/1.0 is 400 and the connection closed, body unread', async () => {
    // RFC 9112 6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing
    const wrong = await refused('HTTP/1.0 chunked',
      `POST /api/v1/bookings HTTP/1.0\r\nHost: ${HOST}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${chunked('{}')}`, 400);
    await assertUp('Transfer-Encoding in HTTP/1.0');
    assert.deepEqual(wrong, []);
  });

  test('transfer codings clinicd does not read are refused at once (400, or 501 before chunked), not after 15 s', async () => {
    // RFC 9112 6.3: chunked not last -> 400 and close; 6.1: a coding not understood -> 501
    const wrong = [
      ...await refused('gzip', POST('Transfer-Encoding: gzip\r\n', '{}'), 400, { withinMs: 1000 }),
      ...await refused('identity', POST('Transfer-Encoding: identity\r\n', '{}'), 400, { withinMs: 1000 }),
      ...await refused('chunked, gzip', POST('Transfer-Encoding: chunked, gzip\r\n', '{}'), 400, { withinMs: 1000 }),
      ...await refused('gzip, chunked', POST('Transfer-Encoding: gzip, chunked\r\n', chunked('{}')), 501, { withinMs: 1000 }),
      ...await refused('gzip then chunked on two lines', POST('Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n', chunked('{}')), 501, { withinMs: 1000 }),
      ...await refused('chunked twice', POST('Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n', chunked('{}')), 400, { withinMs: 1000 }),
      ...await refused('chunked, chunked', POST('Transfer-Encoding: chunked, chunked\r\n', chunked('{}')), 400, { withinMs: 1000 }),
      ...await refused('chunked with a parameter', POST('Transfer-Encoding: chunked;x=1\r\n', chunked('{}')), 400, { withinMs: 1000 }),
      ...await refused('an empty Transfer-Encoding', POST('Transfer-Encoding:\r\n', '{}'), 400, { withinMs: 1000 }),
    ];
    // a plain chunked body is still read (the booking itself is invalid: 422)
    const ok = await rawExchange(BASE, [POST('Transfer-Encoding: chunked\r\n', chunked('{}'))], { timeout: 3000, settleMs: 300 });
    if (parseResponse(ok.text)?.status !== 422) wrong.push(`a plain chunked body: ${ok.text.slice(0, 120) || ok.why}`);
    const upper = await rawExchange(BASE, [POST('Transfer-Encoding: Chunked\r\n', chunked('{}'))], { timeout: 3000, settleMs: 300 });
    if (parseResponse(upper.text)?.status !== 422) wrong.push(`"Chunked": ${upper.text.slice(0, 120) || upper.why}`);
    await assertUp('transfer codings');
    assert.deepEqual(wrong, []);
  });

  test('a chunked body that grows past 64 KiB gets 413 before it is all sent, and the connection is closed', async (t) => {
    // (hostile.test.mjs allows a cut connection too; clinicd now answers)
    const CHUNK = 8 * KIB;
    const TOTAL = 1024 * KIB;
    const chunks = [POST('Transfer-Encoding: chunked\r\n')];
    for (let n = 0; n < TOTAL; n += CHUNK) chunks.push(`${CHUNK.toString(16)}\r\n${'['.repeat(CHUNK)}\r\n`);
    chunks.push('0\r\n\r\n');
    const r = await rawExchange(BASE, chunks, { delay: 2, timeout: 8000, stopOnData: true, settleMs: 500 });
    const p = parseResponse(r.text);
    t.diagnostic(p ? `${p.status} when ${r.sentAtFirstByte} of ${r.total} bytes were sent; connection ${r.why}`
      : `no answer; connection ${r.why} after ${r.sent} of ${r.total} bytes`);
    assert.equal(p?.status, 413, `no 413: ${r.text.slice(0, 200) || r.why}`);
    assert.match(p.headers['content-type'] ?? '', /^application\/problem\+json/);
    assert.equal(JSON.parse(p.body).status, 413);
    assert.ok(r.answeredBeforeDone, 'the 413 came only after the whole body was sent');
    assert.ok(r.sentAtFirstByte < 256 * KIB, `answered after ${r.sentAtFirstByte} bytes`);
    assert.equal(r.why, 'closed');
    await assertUp('an endless chunked body');
  });
});
