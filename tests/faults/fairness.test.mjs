// Fair shares (issue 12, item 2): one client cannot take the service from the others.
// Against the shared test server (BASE_URL) with its default configuration: 1,500 slow
// connections from one address while another address is served; a flood of free-text
// searches while cached profiles are read.  Against a clinicd as shipped (the shared
// one waits 120 s for a head, tests/run.sh): a request head trickled past
// http_head_timeout_s.  Against a clinicd of the suite's own (same database) with
// trusted_proxies and small limits: the per-address cap and its exemption,
// X-Forwarded-For from trusted and untrusted peers (sign-in throttling), /metrics
// access, and the bound on reads waiting for the database.
//
// Every client address is in 127.0.0.0/8 (all loopback on Linux); the servers listen
// on 127.0.0.1.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import nodeHttp from 'node:http';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { BASE } from '../api/lib.mjs';
import { ROOT, startClinicd, percentile, now, sleep } from './lib.mjs';
import { request, hold, settle } from './netlib.mjs';

const { hostname: HOST } = new URL(BASE);
const HEAD_TIMEOUT_S = 10; // the default http_head_timeout_s (config/clinicd.conf)
const ms = (x) => `${x.toFixed(1)} ms`;
const counts = (xs) => xs.reduce((a, x) => ((a[x] = (a[x] ?? 0) + 1), a), {});

async function assertUp(base, what) {
  const r = await request(base, 'GET', '/healthz', { timeout: 3000 });
  assert.equal(r.status, 200, `after ${what}, /healthz: ${r.status} ${r.error ?? ''}`);
}

/** Some practitioners' ids, their profiles read once (cached from then on). */
async function cachedProfiles(base, n = 20) {
  const r = await request(base, 'GET', `/api/v1/practitioners?limit=${n}`, { timeout: 10_000 });
  assert.equal(r.status, 200, r.text);
  const ids = r.json.items.map((i) => i.id);
  assert.ok(ids.length >= 5, 'too few practitioners in the test database');
  for (const id of ids) assert.equal((await request(base, 'GET', `/api/v1/practitioners/${id}`)).status, 200);
  return ids;
}

// ---------------------------------------------------------------------------------------

describe('one address cannot take every connection', () => {
  test('1,500 slow connections from 127.0.0.2 while 127.0.0.3 is served within 1 s', { timeout: 90_000 }, async (t) => {
    const SLOW = 1500;
    const conns = [];
    try {
      // request lines and headers that never end (a byte every second), and idle ones
      for (let i = 0; i < SLOW; i++) {
        const kind = i % 3;
        conns.push(hold(BASE, {
          localAddress: '127.0.0.2',
          head: kind === 0 ? 'GET /api/v1/practitioners?q=' : kind === 1 ? `GET /healthz HTTP/1.1\r\nHost: ${HOST}\r\nX-Slow: ` : undefined,
          drip: kind === 2 ? undefined : { everyMs: 1000 },
        }));
      }
      await Promise.race([Promise.all(conns.map((c) => c.opened)), sleep(20_000)]);
      const s = await settle(conns, 1000);
      t.diagnostic(`slow connections from 127.0.0.2: ${s.connected} of ${SLOW} connected, ${s.open} still open ` +
        `after 1 s (the rest closed by clinicd)`);

      const res = [];
      for (let i = 0; i < 50; i++) {
        const path = ['/healthz', '/api/v1/professions', '/readyz', '/api/v1/practitioners?limit=5'][i % 4];
        res.push({ path, ...(await request(BASE, 'GET', path, { localAddress: '127.0.0.3', timeout: 5000 })) });
        await sleep(40);
      }
      const times = res.map((r) => r.ms);
      const stillOpen = conns.filter((c) => c.connected && !c.closed).length;
      t.diagnostic(`50 GETs from 127.0.0.3 with ${stillOpen} slow connections open: p50 ${ms(percentile(times, 50))}, ` +
        `p99 ${ms(percentile(times, 99))}, max ${ms(Math.max(...times))}; statuses ${JSON.stringify(counts(res.map((r) => r.status)))}`);
      const failed = res.filter((r) => r.status !== 200).map((r) => `${r.path}: ${r.status} ${r.error ?? ''}`);
      assert.deepEqual(failed, [], 'requests from another address failed while one address held its slow connections');
      assert.ok(Math.max(...times) <= 1000, `slowest answer to 127.0.0.3 took ${ms(Math.max(...times))} (> 1 s)`);
      assert.ok(s.open <= 100, `${s.open} slow connections from one address stayed open: no per-address cap`);
    } finally {
      for (const c of conns) c.release();
    }
    await sleep(300);
    await assertUp(BASE, 'the slow connections');
  });

  test(`a request head still arriving after http_head_timeout_s (${HEAD_TIMEOUT_S} s) is cut off, also on a kept-alive connection`, { timeout: 60_000 }, async (t) => {
    // a clinicd of its own, as shipped: the shared server waits longer (tests/run.sh)
    const S = await startClinicd({ databaseUrl: process.env.DATABASE_URL, logName: 'fairness-head-server' });
    // a byte every 500 ms: the idle timeout (15 s) never comes
    const fresh = hold(S.base, { localAddress: '127.0.0.11', head: `GET /healthz HTTP/1.1\r\nHost: ${HOST}\r\nX-Trickle: `, drip: { everyMs: 500 } });
    // a first request answered, then the next head trickled
    const kept = hold(S.base, { localAddress: '127.0.0.11' });
    await kept.opened;
    let answeredAt = null;
    kept.socket.once('data', () => {
      answeredAt = now();
      kept.socket.write(`GET /healthz HTTP/1.1\r\nHost: ${HOST}\r\nX-Trickle: `);
      kept.timer = setInterval(() => { if (!kept.socket.destroyed) kept.socket.write('b'); }, 500);
    });
    kept.socket.write(`GET /healthz HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    try {
      const deadline = now() + (HEAD_TIMEOUT_S + 6) * 1000;
      while (now() < deadline && !(fresh.closed && kept.closed)) await sleep(100);
      const keptAfter = kept.closed && answeredAt ? (kept.t0 + kept.closedAtMs - answeredAt) / 1000 : null;
      t.diagnostic(`trickled head closed after ${fresh.closed ? (fresh.closedAtMs / 1000).toFixed(1) : 'never (> 16)'} s; ` +
        `on a kept-alive connection ${keptAfter === null ? 'never (> 16)' : keptAfter.toFixed(1)} s after the first answer`);
      assert.ok(fresh.closed, `a head trickled for ${HEAD_TIMEOUT_S + 6} s was never cut off`);
      assert.ok(fresh.closedAtMs >= (HEAD_TIMEOUT_S - 1) * 1000 && fresh.closedAtMs <= (HEAD_TIMEOUT_S + 3) * 1000,
        `closed after ${fresh.closedAtMs} ms, expected about ${HEAD_TIMEOUT_S} s`);
      assert.equal(fresh.answered, false, 'an answer to a request whose head never ended');
      assert.ok(answeredAt, 'the first request on the kept-alive connection was not answered');
      assert.ok(kept.closed, 'the second head, trickled, was never cut off');
      assert.ok(keptAfter >= HEAD_TIMEOUT_S - 1 && keptAfter <= HEAD_TIMEOUT_S + 3, `closed ${keptAfter} s after the answer`);
    } finally {
      fresh.release();
      kept.release();
      await S.stop();
    }
  });
});

// ---------------------------------------------------------------------------------------

describe('slow database reads do not hold up reads from memory', () => {
  test('a flood of free-text searches: cached profiles keep their p99 within 2x (or 25 ms) of the quiet p99', { timeout: 120_000 }, async (t) => {
    const ids = await cachedProfiles(BASE);
    const reader = new nodeHttp.Agent({ keepAlive: true, maxSockets: 1 });
    // sequential profile reads (a short pause between them), from 127.0.0.1
    const profiles = async (windowMs) => {
      const out = [];
      const end = now() + windowMs;
      for (let i = 0; now() < end; i++) {
        out.push(await request(BASE, 'GET', `/api/v1/practitioners/${ids[i % ids.length]}`, { agent: reader, timeout: 10_000 }));
        await sleep(4);
      }
      return out;
    };
    const summary = (rs) => {
      const x = rs.map((r) => r.ms);
      return { n: x.length, p50: percentile(x, 50), p99: percentile(x, 99), max: Math.max(...x),
        bad: rs.filter((r) => r.status !== 200).length };
    };
    // The flood: free-text searches offered at up to 115 per second (the attack's rate)
    // from 48 keep-alive connections (under the per-address cap) at 127.0.0.8, by a
    // process of its own, niced: an attacker's client does not run on the server's
    // CPUs, ours has to.  Quiet and flooded windows alternate, so that whatever else the
    // machine is doing weighs on both alike.
    const flood = spawn('nice', ['-n', '10', process.execPath, path.join(ROOT, 'tests/faults/flood.mjs'), BASE,
      '/api/v1/practitioners?q=therapy%20pain%20release&limit=100', '115', '48', '127.0.0.8', '110'],
    { stdio: ['ignore', 'pipe', 'inherit'] });
    const ended = new Promise((r) => flood.on('exit', r));
    let out = '';
    flood.stdout.on('data', (d) => { out += d; });
    const seen = (word) => out.split('\n').filter((l) => l === word).length;
    const waitFor = async (word, n) => {
      const deadline = now() + 15_000;
      while (seen(word) < n && now() < deadline) await sleep(20);
      assert.ok(seen(word) >= n, `the flood did not say "${word}"`);
    };
    const quietRs = [];
    const loudRs = [];
    try {
      await profiles(1000); // warm-up
      for (let round = 1; round <= 6; round++) {
        flood.kill('SIGUSR1');
        await waitFor('paused', round); // (every search answered)
        await sleep(300);
        quietRs.push(...await profiles(2000));
        flood.kill('SIGUSR2');
        await waitFor('resumed', round);
        await sleep(1000); // the flood is on
        loudRs.push(...await profiles(2000));
      }
    } finally {
      flood.kill('SIGTERM');
      await ended;
      reader.destroy();
    }
    const f = JSON.parse(out.split('\n').filter((l) => l.startsWith('{')).pop());
    const quiet = summary(quietRs);
    const loud = summary(loudRs);
    t.diagnostic(`cached profiles, quiet: n ${quiet.n}, p50 ${ms(quiet.p50)}, p99 ${ms(quiet.p99)}, max ${ms(quiet.max)}`);
    t.diagnostic(`cached profiles, during the flood: n ${loud.n}, p50 ${ms(loud.p50)}, p99 ${ms(loud.p99)}, max ${ms(loud.max)}`);
    t.diagnostic(`searches: ${f.sent} sent, ${f.answered} answered (p50 ${ms(f.p50 ?? 0)}, p99 ${ms(f.p99 ?? 0)}), ` +
      `statuses ${JSON.stringify(f.statuses)}`);
    assert.equal(quiet.bad + loud.bad, 0, 'profile reads failed');
    assert.ok(f.answered >= 40, `only ${f.answered} searches were answered: no flood to speak of`);
    assert.deepEqual(Object.keys(f.statuses).filter((s) => s !== '200' && s !== '503'), [], `searches answered ${JSON.stringify(f.statuses)}`);
    // Held up behind the database, a profile read waits for a search (hundreds of ms,
    // see the searches' p50); sharing two CPUs with the flood only costs it a few ms,
    // which on a quiet p99 of 2 ms is already 2x: the bound is 2x or 25 ms more, the
    // larger, and either is far under a search's time.
    const bound = Math.max(2 * quiet.p99, quiet.p99 + 25);
    assert.ok(loud.p99 <= bound,
      `cached profiles' p99 went from ${ms(quiet.p99)} to ${ms(loud.p99)} during the search flood (> ${ms(bound)})`);
    assert.ok(f.p50 === undefined || loud.p99 < f.p50 / 2,
      `cached profiles' p99 during the flood (${ms(loud.p99)}) is near a search's p50 (${ms(f.p50)}): they wait for the database`);
    await assertUp(BASE, 'the search flood');
  });
});

// ---------------------------------------------------------------------------------------

describe('behind a proxy, and small limits (a clinicd of its own)', () => {
  const PROXY = '127.0.0.4';
  const TOKEN = randomBytes(24).toString('hex');
  let S;
  before(async () => {
    S = await startClinicd({
      databaseUrl: process.env.DATABASE_URL,
      logName: 'fairness-server',
      env: {
        CLINICD_TRUSTED_PROXIES: `${PROXY} 10.0.0.0/8`,
        CLINICD_HTTP_MAX_PER_IP: '4',
        CLINICD_HTTP_READ_WORKERS: '1',
        CLINICD_HTTP_READ_QUEUE: '2',
        CLINICD_METRICS_TOKEN: TOKEN,
        CLINICD_LOG_LEVEL: 'warn',
      },
    });
  });
  after(async () => { await S?.stop(); });

  test('http_max_per_ip = 4: a fifth connection from one address is refused; the trusted proxy is exempt', async (t) => {
    const from = (addr, n) => Array.from({ length: n }, () => hold(S.base, { localAddress: addr }));
    const plain = from('127.0.0.5', 12);
    const proxy = from(PROXY, 12);
    try {
      await Promise.all([...plain, ...proxy].map((c) => c.opened));
      const p = await settle(plain, 500);
      const q = await settle(proxy, 0);
      t.diagnostic(`127.0.0.5: ${p.open} of 12 open; the proxy ${PROXY}: ${q.open} of 12 open`);
      assert.equal(p.open, 4, `127.0.0.5 kept ${p.open} connections open`);
      assert.equal(q.open, 12, `the trusted proxy kept ${q.open} of 12 connections open`);
      // a freed place is there again
      plain.filter((c) => !c.closed)[0].release();
      await sleep(300);
      assert.equal((await request(S.base, 'GET', '/healthz', { localAddress: '127.0.0.5' })).status, 200);
    } finally {
      for (const c of [...plain, ...proxy]) c.release();
    }
  });

  test('sign-in throttling counts the client named by a trusted proxy, and only by it', { timeout: 60_000 }, async () => {
    const MAX_PER_ADDRESS = 30; // staff/auth.c
    const login = (localAddress, xff, i) => request(S.base, 'POST', '/api/v1/auth/login', {
      localAddress, headers: xff ? { 'x-forwarded-for': xff } : {},
      body: { email: `nobody.${randomBytes(6).toString('hex')}.${i}@example.org`, password: 'not the password' },
    });
    // through the proxy: one client (198.51.100.x) fails 31 times, with forged entries
    // left of the one the proxy wrote
    const client = `198.51.100.${randomInt(1, 255)}`;
    const viaProxy = [];
    for (let i = 0; i <= MAX_PER_ADDRESS; i++)
      viaProxy.push((await login(PROXY, `${randomInt(1, 223)}.1.2.3, ${client}`, i)).status);
    assert.deepEqual(viaProxy.slice(0, MAX_PER_ADDRESS), Array(MAX_PER_ADDRESS).fill(401), `via the proxy: ${viaProxy}`);
    assert.equal(viaProxy[MAX_PER_ADDRESS], 429, `the ${MAX_PER_ADDRESS + 1}st failure of one forwarded client: ${viaProxy.at(-1)}`);
    // another client behind the same proxy is not held up by it
    const other = await login(PROXY, `203.0.113.${randomInt(1, 255)}`, 99);
    assert.equal(other.status, 401, `another client behind the proxy: ${other.status} ${other.text}`);
    // a peer that is not a trusted proxy cannot escape by naming someone else each time
    const peer = `127.${randomInt(20, 250)}.${randomInt(1, 250)}.${randomInt(1, 250)}`;
    const direct = [];
    for (let i = 0; i <= MAX_PER_ADDRESS; i++)
      direct.push((await login(peer, `203.0.113.${randomInt(1, 255)}`, i)).status);
    assert.deepEqual(direct.slice(0, MAX_PER_ADDRESS), Array(MAX_PER_ADDRESS).fill(401), `from ${peer}: ${direct}`);
    assert.equal(direct[MAX_PER_ADDRESS], 429,
      `X-Forwarded-For from an untrusted peer (${peer}) was believed: its ${MAX_PER_ADDRESS + 1}st failure got ${direct.at(-1)}`);
  });

  test('/metrics: loopback clients and the token get it; a client behind the proxy, or a wrong token, gets 403', async () => {
    const get = (localAddress, headers = {}) => request(S.base, 'GET', '/metrics', { localAddress, headers });
    assert.equal((await get('127.0.0.6')).status, 200, 'a loopback client (metrics_allow default)');
    const outside = await get(PROXY, { 'x-forwarded-for': '203.0.113.9' });
    assert.equal(outside.status, 403, `a client behind the proxy: ${outside.status}`);
    assert.match(outside.headers['content-type'] ?? '', /^application\/problem\+json/);
    assert.equal(outside.json?.status, 403);
    const spoofed = await get(PROXY, { 'x-forwarded-for': '127.0.0.1, 203.0.113.9' });
    assert.equal(spoofed.status, 403, 'a forged loopback entry left of the real client');
    const token = await get(PROXY, { 'x-forwarded-for': '203.0.113.9', authorization: `Bearer ${TOKEN}` });
    assert.equal(token.status, 200, `with the token: ${token.status}`);
    assert.match(token.text, /^# HELP /m);
    const wrong = await get(PROXY, { 'x-forwarded-for': '203.0.113.9', authorization: `Bearer ${TOKEN.slice(0, -1)}x` });
    assert.equal(wrong.status, 403, 'a wrong token');
  });

  test('reads waiting for the database are bounded: over the queue, 503 with Retry-After; cached reads still served', { timeout: 60_000 }, async () => {
    const ids = await cachedProfiles(S.base, 5);
    const agent = new nodeHttp.Agent({ keepAlive: true, maxSockets: 40 });
    try {
      const searches = Array.from({ length: 40 }, () => request(S.base, 'GET', '/api/v1/practitioners?q=therapy%20pain%20release&limit=100',
        { agent, localAddress: PROXY, timeout: 30_000 }));
      await sleep(50);
      const profile = await request(S.base, 'GET', `/api/v1/practitioners/${ids[0]}`, { localAddress: '127.0.0.6' });
      const rs = await Promise.all(searches);
      const st = counts(rs.map((r) => r.status));
      assert.equal(profile.status, 200);
      assert.ok(profile.ms < 500, `a cached profile took ${ms(profile.ms)} while searches queued`);
      assert.ok((st[200] ?? 0) >= 1, `searches: ${JSON.stringify(st)}`);
      assert.ok((st[503] ?? 0) >= 1, `no search was turned away with 40 at once, 1 worker and a queue of 2: ${JSON.stringify(st)}`);
      assert.deepEqual(Object.keys(st).filter((s) => s !== '200' && s !== '503'), [], JSON.stringify(st));
      const busy = rs.find((r) => r.status === 503);
      assert.match(busy.headers['content-type'] ?? '', /^application\/problem\+json/);
      assert.equal(busy.json?.status, 503);
      assert.match(busy.headers['retry-after'] ?? '', /^\d+$/, 'Retry-After');
    } finally {
      agent.destroy();
    }
  });
});
