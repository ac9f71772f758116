// Faults (issue 7, point 3): PostgreSQL stopped abruptly and started again under load,
// the service's connections terminated from the database side, and a statement that
// waits on a lock.  Shown: /readyz says 503 while the database is down and /healthz
// stays 200; never a 500 (503 problem+json with Retry-After during the outage); clinicd
// serves normally again within 5 s of the database being back, on its own; every
// booking that got a 201 is in the table afterwards with its start, and no booking is
// there that no client was told about; no overlapping bookings; the statement timeout
// bounds a query stuck behind a lock.
//
// This suite makes its own PostgreSQL cluster (var/pgfaults-<pid>, via pg.sh) and runs
// its own clinicd on a free port against it, so that killing the database disturbs
// neither the shared test server nor the other suites; it needs only CLINICD_BIN (or
// build/clinicd).  The cluster costs ~10 s to create; the price of isolation.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { at, fmt, addDays, today, MIN } from '../api/fixtures.mjs';
import {
  createCluster, clusterDir, startClinicd, pgsh, psql, rows, lit, http, now, sleep, uuid, OUT_DIR,
} from './lib.mjs';

const TZ = 'America/Los_Angeles';
const WORKERS = 16;
const STATEMENT_TIMEOUT_MS = 1000;
const RECOVERY_BUDGET_MS = 5000;
const DAYS = 300; // bookable days: random slots rarely collide
const SLOTS_PER_DAY = 24; // 08:00-20:00 at 30 minutes
const ALLOWED = new Set([200, 201, 409, 503]);

let C; // cluster
let S; // clinicd
let P; // practice: {clinicId, serviceId, practitioners: [id]}
const firstDay = today(TZ, 2);

// ---------------------------------------------------------------------------------------
// fixture: one clinic with 8 practitioners working 08:00-20:00 every day

async function createPractice(ownerUrl) {
  const p = { clinicId: uuid(), locationId: uuid(), serviceId: uuid(), practitioners: [] };
  const s = [];
  s.push(`INSERT INTO clinics (id, name, min_notice_minutes, booking_horizon_days, slot_step_minutes,
      max_open_bookings_per_contact)
    VALUES (${lit(p.clinicId)}, 'Fault test clinic', 0, ${DAYS + 30}, 30, 1000);`);
  s.push(`INSERT INTO locations (id, clinic_id, name, address, city, region, postcode, country, geog, timezone)
    VALUES (${lit(p.locationId)}, ${lit(p.clinicId)}, 'Fault rooms', '1 Test Street', 'Los Angeles', 'CA',
      '00000', 'US', ST_SetSRID(ST_MakePoint(-118.25, 34.05), 4326)::geography, ${lit(TZ)});`);
  s.push(`INSERT INTO services (id, clinic_id, name, duration_minutes, price_cents, currency)
    VALUES (${lit(p.serviceId)}, ${lit(p.clinicId)}, 'Fault visit', 30, 5000, 'USD');`);
  for (let i = 0; i < 8; i++) {
    const id = uuid();
    p.practitioners.push(id);
    s.push(`INSERT INTO practitioners (id, clinic_id, name, profession_id)
      VALUES (${lit(id)}, ${lit(p.clinicId)}, 'Pat Fault ${i}', (SELECT id FROM professions ORDER BY id LIMIT 1));
      INSERT INTO practitioner_locations (clinic_id, practitioner_id, location_id)
      VALUES (${lit(p.clinicId)}, ${lit(id)}, ${lit(p.locationId)});
      INSERT INTO practitioner_services (clinic_id, practitioner_id, service_id)
      VALUES (${lit(p.clinicId)}, ${lit(id)}, ${lit(p.serviceId)});`);
    for (let wd = 1; wd <= 7; wd++)
      s.push(`INSERT INTO weekly_hours (clinic_id, practitioner_id, location_id, weekday, start_time, end_time)
        VALUES (${lit(p.clinicId)}, ${lit(id)}, ${lit(p.locationId)}, ${wd}, '08:00', '20:00');`);
  }
  await psql(ownerUrl, `BEGIN; ${s.join('\n')} COMMIT;`);
  return p;
}

// ---------------------------------------------------------------------------------------
// load: concurrent reads and bookings, every answer logged

const pick = (xs) => xs[Math.floor(Math.random() * xs.length)];

function randomSlot() {
  const day = addDays(firstDay, Math.floor(Math.random() * DAYS));
  return at(day, '08:00', TZ) + Math.floor(Math.random() * SLOTS_PER_DAY) * 30 * MIN;
}

let emailSeq = 0;
function bookingBody(practitionerId, startMs) {
  emailSeq += 1;
  return JSON.stringify({
    practitioner_id: practitionerId, service_id: P.serviceId, start: fmt(startMs, TZ),
    patient: { name: 'Fault Patient', email: `fault.${emailSeq}.${uuid().slice(0, 8)}@example.org`,
      phone: '+1 503 555 0100' },
  });
}

/** Checks the shape of one answer; returns a string describing what is wrong, or null. */
function shapeProblem(op, r) {
  if (r.status === 0) return `network error ${r.error}`;
  if (!ALLOWED.has(r.status) || (r.status === 409 && op !== 'book') || (r.status === 201 && op !== 'book'))
    return `status ${r.status}: ${r.text.slice(0, 200)}`;
  if (r.status === 503) {
    if (!/^application\/problem\+json/.test(r.headers.get('content-type') ?? ''))
      return `503 with content-type ${r.headers.get('content-type')}`;
    if (!/^\d+$/.test(r.headers.get('retry-after') ?? '')) return `503 without a Retry-After: ${r.text}`;
    if (r.json?.status !== 503) return `503 whose problem says status ${r.json?.status}`;
  }
  if (r.status === 201 && !(typeof r.json?.id === 'string' && typeof r.json?.manage_token === 'string'))
    return `201 without id and manage_token: ${r.text}`;
  return null;
}

async function sendBooking(rec) {
  return http(S.base, 'POST', '/api/v1/bookings', {
    raw: rec.body, headers: { 'content-type': 'application/json', 'idempotency-key': rec.key },
  });
}

/**
 * Runs WORKERS clients until stop() and returns {records, stop: async () => records}.
 * Each record: {op, t0, t1, status, error, problem, ...}.
 */
function startLoad() {
  const records = [];
  const held = []; // {id, token} of bookings made, for reads of one's own booking
  let stopping = false;
  async function worker() {
    while (!stopping) {
      const x = Math.random();
      let rec;
      if (x < 0.5) {
        const practitionerId = pick(P.practitioners);
        const startMs = randomSlot();
        rec = { op: 'book', practitionerId, startMs, key: uuid(), body: bookingBody(practitionerId, startMs) };
        const r = await sendBooking(rec);
        Object.assign(rec, { t0: r.t0, t1: r.t1, status: r.status, error: r.error, problem: shapeProblem('book', r) });
        if (r.status === 201) {
          rec.id = r.json?.id;
          rec.answeredStart = Date.parse(r.json?.start);
          held.push({ id: rec.id, token: r.json?.manage_token });
        }
      } else if (x < 0.85 || held.length === 0) {
        const d = addDays(firstDay, Math.floor(Math.random() * (DAYS - 7)));
        const q = new URLSearchParams({ service: P.serviceId, from: d, to: addDays(d, 6) });
        const r = await http(S.base, 'GET', `/api/v1/practitioners/${pick(P.practitioners)}/availability?${q}`);
        rec = { op: 'availability', t0: r.t0, t1: r.t1, status: r.status, error: r.error, problem: shapeProblem('availability', r) };
        if (r.status === 200 && !Array.isArray(r.json?.slots)) rec.problem = `availability without slots: ${r.text.slice(0, 200)}`;
      } else {
        const b = pick(held);
        const r = await http(S.base, 'GET', `/api/v1/bookings/${b.id}`, { headers: { authorization: `Bearer ${b.token}` } });
        rec = { op: 'read-booking', t0: r.t0, t1: r.t1, status: r.status, error: r.error, problem: shapeProblem('read-booking', r) };
        if (r.status === 200 && r.json?.id !== b.id) rec.problem = `GET /bookings/${b.id} answered ${r.text.slice(0, 200)}`;
      }
      records.push(rec);
      if (rec.status === 503 || rec.status === 0) await sleep(100); // a client that backs off
    }
  }
  const workers = Array.from({ length: WORKERS }, worker);
  return {
    records,
    async stop() { stopping = true; await Promise.all(workers); return records; },
  };
}

/** Polls /healthz and /readyz every 100 ms until stop(); returns their answers. */
function startProbes() {
  const probes = [];
  let stopping = false;
  const loop = (async () => {
    while (!stopping) {
      const [h, r] = await Promise.all([
        http(S.base, 'GET', '/healthz', { timeout: 5000 }),
        http(S.base, 'GET', '/readyz', { timeout: 5000 }),
      ]);
      probes.push({ op: 'healthz', t0: h.t0, t1: h.t1, status: h.status, error: h.error });
      probes.push({ op: 'readyz', t0: r.t0, t1: r.t1, status: r.status, error: r.error,
        problem: r.status === 503 ? shapeProblem('readyz', r) : null });
      await sleep(100);
    }
  })();
  return { probes, async stop() { stopping = true; await loop; return probes; } };
}

/** Polls the database as the owner until a query answers; resolves the instant it was
 * last seen failing (the earliest it can have been back) and the first success. */
async function waitForDatabase(deadlineMs) {
  let lastFail = now();
  while (now() < deadlineMs) {
    const t0 = now();
    try {
      await psql(C.ownerUrl, 'SELECT 1', { timeout: 3000 });
      return { backAt: lastFail, confirmedAt: now(), pollStart: t0 };
    } catch {
      lastFail = now();
      await sleep(100);
    }
  }
  throw new Error('PostgreSQL did not come back');
}

// ---------------------------------------------------------------------------------------
// checks shared by the fault scenarios

const summary = (recs) => {
  const by = {};
  for (const r of recs) by[`${r.op} ${r.status}`] = (by[`${r.op} ${r.status}`] ?? 0) + 1;
  return JSON.stringify(by);
};

function assertShapes(recs) {
  const bad = recs.filter((r) => r.problem);
  assert.equal(bad.length, 0, `${bad.length} answers outside 2xx/409/503 or malformed 503s, e.g.:\n${
    bad.slice(0, 8).map((r) => `  ${r.op}: ${r.problem}`).join('\n')}\nall: ${summary(recs)}`);
}

/** The last failed answer among requests sent at or after `from`: recovery time. */
function recoveryMs(recs, from) {
  const late = recs.filter((r) => r.t0 >= from && r.op !== 'healthz');
  const failed = late.filter((r) => r.status === 503 || r.status === 0);
  const lastBad = failed.reduce((m, r) => Math.max(m, r.t1), from);
  const afterwards = late.filter((r) => r.t0 > lastBad);
  return { ms: lastBad - from, failedAfter: failed.length, served: afterwards.length,
    booked: afterwards.filter((r) => r.status === 201).length };
}

/**
 * Compares the client's log with the table.  Bookings in flight across a fault
 * (windows: [[from, to]]) whose answer was lost (503 or no answer) are the only ones
 * whose fate the client cannot know; they are sent again with the same Idempotency-Key,
 * as a client would, and a replayed 201 then counts as the answer.  Asserts: every 201
 * is in the table, booked, with its start; the table holds nothing else; no overlap.
 */
async function assertLedger(recs, windows, t) {
  const books = recs.filter((r) => r.op === 'book');
  const told = new Map(books.filter((r) => r.status === 201).map((r) => [r.id, r]));
  for (const r of told.values())
    assert.equal(r.answeredStart, r.startMs, `201 ${r.id} answered start ${r.answeredStart}, asked ${r.startMs}`);
  const table = async () => new Map((await rows(C.ownerUrl, `SELECT id, status,
      (extract(epoch FROM lower(during)) * 1000)::bigint AS start_ms, practitioner_id
      FROM bookings WHERE clinic_id = ${lit(P.clinicId)}`)).map((b) => [b.id, b]));

  const before = await table();
  const untold = [...before.keys()].filter((id) => !told.has(id));

  // the answers lost across a fault: ask again with the same key
  const inFlight = books.filter((r) => (r.status === 503 || r.status === 0) &&
    windows.some(([a, z]) => r.t0 <= z && r.t1 >= a));
  const replayed = new Map();
  for (const r of inFlight) {
    let a;
    for (let i = 0; i < 5; i++) {
      a = await sendBooking(r);
      if (a.status !== 503 && a.status !== 0) break;
      await sleep(500);
    }
    assert.ok([201, 409].includes(a.status), `retry of ${r.key}: ${a.status} ${a.text}`);
    if (a.status === 201) {
      assert.equal(Date.parse(a.json.start), r.startMs);
      replayed.set(a.json.id, { ...r, id: a.json.id });
    }
  }
  const unexplained = untold.filter((id) => !replayed.has(id));
  assert.equal(unexplained.length, 0, `${unexplained.length} bookings in the table that no client got a 201 ` +
    `for (not even on retrying the same Idempotency-Key), e.g. ${JSON.stringify(unexplained.slice(0, 5).map((id) => before.get(id)))}`);

  const after = await table();
  const missing = [];
  for (const [id, r] of [...told, ...replayed]) {
    const b = after.get(id);
    if (!b || b.status !== 'booked' || Number(b.start_ms) !== r.startMs || b.practitioner_id !== r.practitionerId)
      missing.push({ id, asked: r.startMs, row: b ?? null });
  }
  assert.equal(missing.length, 0, `${missing.length} bookings that got a 201 are missing or differ in the ` +
    `table, e.g. ${JSON.stringify(missing.slice(0, 5))}`);
  const extra = [...after.keys()].filter((id) => !told.has(id) && !replayed.has(id));
  assert.equal(extra.length, 0, `${extra.length} bookings in the table that no client got a 201 for, e.g. ` +
    JSON.stringify(extra.slice(0, 5).map((id) => after.get(id))));
  const [{ n }] = await rows(C.ownerUrl, `SELECT count(*)::int AS n FROM bookings a JOIN bookings b
      ON a.practitioner_id = b.practitioner_id AND a.id < b.id AND a.blocked && b.blocked
      WHERE a.clinic_id = ${lit(P.clinicId)} AND a.status <> 'cancelled' AND b.status <> 'cancelled'`);
  assert.equal(n, 0, 'overlapping active bookings');
  t.diagnostic(`ledger: ${told.size} 201s; ${inFlight.length} bookings in flight at the fault, ` +
    `${untold.length} of them had committed although the answer was lost (replayed by their key); ` +
    `${replayed.size} 201s on retry; table ${after.size} rows, all accounted for`);
}

// ---------------------------------------------------------------------------------------

before(async () => {
  C = await createCluster('pgfaults-');
  S = await startClinicd({
    databaseUrl: C.appUrl, logName: 'faults-server',
    env: { CLINICD_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS), CLINICD_LOG_LEVEL: 'warn' },
  });
});

after(async () => {
  if (S) await S.stop();
  await pgsh('destroy', clusterDir('pgfaults-')).catch(() => {});
});

describe('faults', { timeout: 100_000 }, () => {
  test('PostgreSQL killed (immediate stop) under load and started again 3 s later', { timeout: 60_000 }, async (t) => {
    P = await createPractice(C.ownerUrl); // a clinic of its own, for its own ledger
    const load = startLoad();
    const probes = startProbes();
    let ok = false;
    try {
      await sleep(4000);
      const killAt = now();
      await pgsh('kill', C.dir);
      const downAt = now();
      await sleep(3000);
      const restartAt = now();
      const restart = pgsh('restart', C.dir);
      const back = await waitForDatabase(now() + 30_000);
      await restart;
      await sleep(Math.max(0, back.backAt + 8000 - now())); // room to show recovery
      const recs = await load.stop();
      const probeRecs = await probes.stop();
      ok = true;

      const all = [...recs, ...probeRecs];
      t.diagnostic(`load: ${recs.length} requests; ${summary(recs)}`);
      t.diagnostic(`database down ${Math.round(back.backAt - killAt)} ms (kill at +0, restart begun at ` +
        `+${Math.round(restartAt - killAt)} ms, back at +${Math.round(back.backAt - killAt)} ms)`);

      // liveness never depends on the database
      const health = probeRecs.filter((p) => p.op === 'healthz');
      assert.ok(health.length > 20);
      assert.deepEqual(health.filter((p) => p.status !== 200).map((p) => `${p.status} ${p.error ?? ''}`), []);
      // readiness: 503 whenever the database is certainly down
      const down = probeRecs.filter((p) => p.op === 'readyz' && p.t0 >= downAt && p.t1 <= restartAt);
      assert.ok(down.length >= 10, `only ${down.length} readiness probes while down`);
      assert.deepEqual(down.filter((p) => p.status !== 503).map((p) => p.status), [],
        '/readyz must say 503 while PostgreSQL is down');
      // the outage was felt (else this test shows nothing), and only as 503s
      assert.ok(recs.some((r) => r.status === 503 && r.t0 >= downAt), 'no 503 during the outage');
      assertShapes(all);
      // back on its own within the budget
      const rec = recoveryMs(all, back.backAt);
      const firstReady = probeRecs.find((p) => p.op === 'readyz' && p.t0 >= back.backAt && p.status === 200);
      t.diagnostic(`recovery: last failure ${Math.round(rec.ms)} ms after PostgreSQL was back ` +
        `(first /readyz 200 after ${firstReady ? Math.round(firstReady.t1 - back.backAt) : '-'} ms); ` +
        `${rec.served} requests served after it, ${rec.booked} bookings`);
      assert.ok(rec.ms <= RECOVERY_BUDGET_MS, `clinicd still failing ${Math.round(rec.ms)} ms after PostgreSQL was back`);
      assert.ok(rec.served >= 50 && rec.booked >= 5, `too little traffic after recovery: ${JSON.stringify(rec)}`);
      assert.equal(S.proc.exitCode, null, 'clinicd exited');
      await assertLedger(recs, [[killAt, downAt]], t);
    } finally {
      if (!ok) { await load.stop(); await probes.stop(); }
    }
  });

  test('the service\'s connections terminated from the database side, three times under load', { timeout: 40_000 }, async (t) => {
    P = await createPractice(C.ownerUrl);
    const load = startLoad();
    const probes = startProbes();
    const windows = [];
    let terminated = 0;
    let ok = false;
    try {
      for (let i = 0; i < 3; i++) {
        await sleep(1500);
        const a = now();
        const out = await psql(C.superUrl, `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))
          FROM pg_stat_activity WHERE usename = 'clinicd'`);
        windows.push([a, now()]);
        terminated += Number(out.trim());
      }
      const lastAt = windows.at(-1)[1];
      await sleep(6000);
      const recs = await load.stop();
      const probeRecs = await probes.stop();
      ok = true;
      const all = [...recs, ...probeRecs];
      t.diagnostic(`terminated ${terminated} backends; load: ${recs.length} requests; ${summary(recs)}`);
      assert.ok(terminated >= 3, `only ${terminated} clinicd backends terminated: nothing was tested`);
      assertShapes(all);
      assert.deepEqual(probeRecs.filter((p) => p.op === 'healthz' && p.status !== 200).map((p) => p.status), []);
      const rec = recoveryMs(all, lastAt);
      t.diagnostic(`recovery: last failure ${Math.round(rec.ms)} ms after the last termination; ` +
        `${rec.served} requests served after it`);
      assert.ok(rec.ms <= RECOVERY_BUDGET_MS, `clinicd still failing ${Math.round(rec.ms)} ms after the terminations`);
      assert.ok(rec.served >= 50 && rec.booked >= 5, `too little traffic after recovery: ${JSON.stringify(rec)}`);
      const r = await http(S.base, 'GET', '/readyz');
      assert.equal(r.status, 200);
      await assertLedger(recs, windows, t);
    } finally {
      if (!ok) { await load.stop(); await probes.stop(); }
    }
  });

  test(`a query stuck behind a lock is cancelled by statement_timeout (${STATEMENT_TIMEOUT_MS} ms): 503, not a hang`, { timeout: 30_000 }, async (t) => {
    P ??= await createPractice(C.ownerUrl);
    // the schema owner holds ACCESS EXCLUSIVE on bookings in an open transaction
    const holder = spawn('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', C.ownerUrl], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    holder.stdout.on('data', (d) => { out += d; });
    holder.stderr.on('data', (d) => { out += d; });
    const holderExit = new Promise((r) => holder.on('exit', r));
    holder.stdin.end(`SELECT pg_backend_pid();
BEGIN;
LOCK TABLE bookings IN ACCESS EXCLUSIVE MODE;
SELECT 'locked';
SELECT pg_sleep(8);
COMMIT;
`);
    let holderPid;
    try {
      for (let i = 0; i < 100 && !/locked/.test(out); i++) await sleep(50);
      assert.match(out, /locked/, `the lock was not taken: ${out}`);
      holderPid = Number(out.split('\n')[0]);
      const [lock] = await rows(C.ownerUrl, `SELECT count(*)::int AS n FROM pg_locks
        WHERE relation = 'bookings'::regclass AND mode = 'AccessExclusiveLock' AND granted AND pid = ${holderPid}`);
      assert.equal(lock.n, 1, 'no ACCESS EXCLUSIVE lock held on bookings');

      const startMs = randomSlot();
      const rec = { practitionerId: P.practitioners[0], startMs, key: uuid(), body: bookingBody(P.practitioners[0], startMs) };
      const [b, a] = await Promise.all([
        sendBooking(rec),
        http(S.base, 'GET', `/api/v1/practitioners/${P.practitioners[1]}/availability?` +
          new URLSearchParams({ service: P.serviceId, from: firstDay, to: addDays(firstDay, 6) })),
      ]);
      t.diagnostic(`while locked: POST /bookings ${b.status} in ${Math.round(b.ms)} ms, ` +
        `GET availability ${a.status} in ${Math.round(a.ms)} ms`);
      for (const [what, r] of [['booking', b], ['availability', a]]) {
        assert.equal(r.status, 503, `${what}: ${r.status} ${r.text}`);
        assert.equal(shapeProblem('book', r), null);
        assert.match(r.json.detail, /too long/);
        assert.ok(r.ms >= STATEMENT_TIMEOUT_MS * 0.9, `${what} answered in ${r.ms} ms: it did not wait on the lock`);
        assert.ok(r.ms <= STATEMENT_TIMEOUT_MS + 1500, `${what} took ${Math.round(r.ms)} ms: not bounded by the statement timeout`);
      }
      assert.equal(holder.exitCode, null, 'the lock holder ended before the requests were answered');
      const h = await http(S.base, 'GET', '/readyz');
      assert.equal(h.status, 200, 'readiness needs no lock on bookings');
    } finally {
      if (holderPid) await psql(C.ownerUrl, `SELECT pg_cancel_backend(${holderPid})`).catch(() => {});
      else holder.kill();
      await holderExit;
    }
    // released: a booking now goes through at once (a slot the service calls free: the
    // load above has taken many of the random ones)
    const day = addDays(firstDay, Math.floor(Math.random() * DAYS));
    const free = await http(S.base, 'GET', `/api/v1/practitioners/${P.practitioners[0]}/availability?` +
      new URLSearchParams({ service: P.serviceId, from: day, to: addDays(day, 13) }));
    assert.equal(free.status, 200, free.text);
    assert.ok(free.json.slots.length > 0, `no free slot in the two weeks from ${day}`);
    const startMs = Date.parse(free.json.slots[Math.floor(Math.random() * free.json.slots.length)].start);
    const r = await sendBooking({ key: uuid(), body: bookingBody(P.practitioners[0], startMs) });
    assert.equal(r.status, 201, `after the lock: ${r.status} ${r.text}`);
    assert.ok(r.ms < 1000, `after the lock a booking took ${r.ms} ms`);
  });

  test('clinicd is still up, stops cleanly, and logged no 5xx but 503', async () => {
    assert.equal(S.proc.exitCode, null, 'clinicd exited during the fault tests');
    const { code, signal } = await S.stop();
    assert.equal(signal, null);
    assert.equal(code, 0);
    // the request log covers every answer, the retries and probes included
    const lines = readFileSync(path.join(OUT_DIR, 'faults-server.log'), 'utf8').split('\n').filter(Boolean);
    const served = lines.map((l) => { try { return JSON.parse(l); } catch { return null; } })
      .filter((l) => l?.msg === 'request');
    assert.ok(served.length > 1000, `only ${served.length} requests in the log`);
    const bad = served.filter((l) => l.status >= 500 && l.status !== 503);
    assert.deepEqual(bad.map((l) => `${l.method} ${l.route} ${l.status}`), [], 'clinicd answered 5xx other than 503');
  });
});
