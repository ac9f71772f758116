// HAProxy in front (issue 12, item 6): config/haproxy.cfg, run on loopback before a
// clinicd of the suite's own that trusts it.  What libmicrohttpd 0.9.75 alone decides,
// and clinicd cannot see (README.md, "HTTP framing"), reaches clinicd directly but is
// refused or normalised by the proxy; and X-Forwarded-For, written by a real proxy,
// names the client however the client tries to forge it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { openSync, closeSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT, OUT_DIR, startClinicd, freePort, parseResponse, statusesIn, sleep } from './lib.mjs';
import { raw, request } from './netlib.mjs';

const SOURCE = '127.0.0.9'; // HAProxy connects to clinicd from here: its trusted proxy

let haproxyBin = null;
try {
  haproxyBin = execFileSync('sh', ['-c', 'command -v haproxy || ls /usr/sbin/haproxy'], { encoding: 'utf8' }).trim() || null;
} catch { /* not installed: backend/scripts/deps.sh installs it */ }

describe('HAProxy in front of clinicd (config/haproxy.cfg)', { skip: haproxyBin ? false : 'haproxy is not installed (make deps)' }, () => {
  let S;
  let proxy;
  let front;
  before(async () => {
    S = await startClinicd({
      databaseUrl: process.env.DATABASE_URL,
      logName: 'proxy-clinicd',
      env: { CLINICD_TRUSTED_PROXIES: SOURCE, CLINICD_METRICS_ALLOW: '127.0.0.1', CLINICD_LOG_LEVEL: 'warn' },
    });
    // HAProxy checks /readyz (config/haproxy.cfg): ready once the directory index is
    for (let i = 0; i < 600 && (await request(S.base, 'GET', '/readyz', { timeout: 2000 })).status !== 200; i++)
      await sleep(100);
    const port = await freePort();
    front = `http://127.0.0.1:${port}`;
    mkdirSync(OUT_DIR, { recursive: true });
    const log = openSync(path.join(OUT_DIR, 'haproxy.log'), 'w');
    proxy = spawn(haproxyBin, ['-db', '-f', path.join(ROOT, 'config/haproxy.cfg')], {
      cwd: ROOT, stdio: ['ignore', log, log],
      env: { ...process.env, CLINICD_PROXY_BIND: `127.0.0.1:${port}`, CLINICD_BACKEND: `127.0.0.1:${S.port}`, CLINICD_PROXY_SOURCE: SOURCE },
    });
    closeSync(log);
    const reap = () => { if (proxy.exitCode === null) proxy.kill('SIGKILL'); };
    process.on('exit', reap);
    let up = false;
    for (let i = 0; i < 100 && !up && proxy.exitCode === null; i++) {
      up = (await request(front, 'GET', '/healthz', { timeout: 1000 })).status === 200;
      if (!up) await sleep(100);
    }
    assert.ok(up, 'HAProxy did not come up (tests/out/haproxy.log)');
  });
  after(async () => {
    if (proxy && proxy.exitCode === null) {
      proxy.kill('SIGTERM');
      await new Promise((r) => proxy.once('exit', r));
    }
    await S?.stop();
  });

  /** The same raw request to clinicd directly and through HAProxy. */
  async function both(req) {
    const [direct, proxied] = await Promise.all([S.base, front].map((b) => raw(b, [req], { timeout: 4000, settleMs: 400 })));
    return { direct, proxied, d: statusesIn(direct.text), p: statusesIn(proxied.text) };
  }

  test('what only libmicrohttpd decides is refused by HAProxy', async (t) => {
    const H = 'Host: clinic.example\r\n';
    const cases = {
      // cut at the NUL by libmicrohttpd: X-Request-Id "abc" is echoed
      'a NUL in a header value': `GET /healthz HTTP/1.1\r\n${H}X-Request-Id: abc\0def\r\n\r\n`,
      // cut at the NUL by libmicrohttpd: /healthz is served
      'a NUL in the URL': `GET /healthz\0/../api HTTP/1.1\r\n${H}\r\n`,
      // libmicrohttpd glues the folded line onto the field *name* ("Transfer-Encodingked:
      // chun"), sees no body, answers, and reads the chunked body as the next request
      'a folded Transfer-Encoding (obs-fold)': `GET /healthz HTTP/1.1\r\n${H}Transfer-Encoding: chun\r\n ked\r\n\r\n` +
        `0\r\n\r\nGET /api/v1/smuggled HTTP/1.1\r\n${H}\r\n`,
      // RFC 9112 2.2: a bare CR must be refused (or replaced); libmicrohttpd keeps it
      'a bare CR in a header value': `GET /healthz HTTP/1.1\r\n${H}X-Note: a\rb\r\n\r\n`,
    };
    const wrong = [];
    for (const [what, req] of Object.entries(cases)) {
      const r = await both(req);
      t.diagnostic(`${what}: directly ${JSON.stringify(r.d)}, through HAProxy ${JSON.stringify(r.p)}`);
      if (r.p.length !== 1 || r.p[0] !== 400) wrong.push(`${what}: through HAProxy ${JSON.stringify(r.p)} ${r.proxied.why}`);
    }
    assert.deepEqual(wrong, []);
    // what HAProxy refused never reached clinicd as a second request
    assert.equal((await request(front, 'GET', '/healthz')).status, 200);
  });

  test('the framing clinicd refuses is refused through HAProxy too', async () => {
    const H = 'Host: clinic.example\r\n';
    const cases = {
      'space before the colon': `POST /api/v1/bookings HTTP/1.1\r\n${H}Content-Type: application/json\r\nTransfer-Encoding : chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
      'no Host in HTTP/1.1': 'GET /healthz HTTP/1.1\r\n\r\n',
      // (two equal ones HAProxy merges into one)
      'two Host lines': `GET /healthz HTTP/1.1\r\n${H}Host: other.example\r\n\r\n`,
      'Transfer-Encoding in HTTP/1.0': `POST /api/v1/bookings HTTP/1.0\r\n${H}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
      'an unknown transfer coding': `POST /api/v1/bookings HTTP/1.1\r\n${H}Content-Type: application/json\r\nTransfer-Encoding: gzip\r\n\r\n{}`,
    };
    const wrong = [];
    for (const [what, req] of Object.entries(cases)) {
      const r = await both(req);
      if (!(r.d.length === 1 && r.d[0] >= 400 && r.d[0] < 502)) wrong.push(`${what}: directly ${JSON.stringify(r.d)}`);
      if (!(r.p.length === 1 && r.p[0] >= 400 && r.p[0] < 502)) wrong.push(`${what}: through HAProxy ${JSON.stringify(r.p)}`);
    }
    assert.deepEqual(wrong, []);
  });

  test('a chunked body past 64 KiB: 413 through HAProxy as well', async () => {
    const head = 'POST /api/v1/bookings HTTP/1.1\r\nHost: clinic.example\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    const chunk = `2000\r\n${'['.repeat(0x2000)}\r\n`;
    const r = await raw(front, [head, ...Array(64).fill(chunk), '0\r\n\r\n'], { timeout: 5000, settleMs: 500 });
    assert.equal(parseResponse(r.text)?.status, 413, r.text.slice(0, 200) || r.why);
  });

  test('X-Forwarded-For written by HAProxy names the client, however the client forges it', async () => {
    // metrics_allow = 127.0.0.1 on this clinicd: the client's address decides
    const me = await request(front, 'GET', '/metrics', { localAddress: '127.0.0.1' });
    assert.equal(me.status, 200, 'a client at 127.0.0.1 through the proxy');
    for (const forged of ['127.0.0.1', '127.0.0.1, 127.0.0.1', `127.0.0.1, ${SOURCE}`, 'unknown, 127.0.0.1']) {
      const r = await request(front, 'GET', '/metrics', { localAddress: '127.0.0.12', headers: { 'x-forwarded-for': forged } });
      assert.equal(r.status, 403, `a client at 127.0.0.12 claiming "${forged}" through the proxy: ${r.status}`);
    }
    // and directly, the proxy's header means nothing from anyone else
    const direct = await request(S.base, 'GET', '/metrics', { localAddress: '127.0.0.12', headers: { 'x-forwarded-for': '127.0.0.1' } });
    assert.equal(direct.status, 403, `X-Forwarded-For straight from 127.0.0.12: ${direct.status}`);
  });
});
