// Concurrency: many clients clicking the same few slots at once.  The README's rule of
// rules is that two live bookings of a practitioner never overlap, whatever writes them:
// one 201 per slot, 409 slot-unavailable for everyone else, never a 5xx.  Also the
// per-contact limit and Idempotency-Key under concurrent requests.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import nodeHttp from 'node:http';
import { BASE, sql, lit } from './lib.mjs';
import {
  MIN, at, fmt, addDays, isoWeekday, nextWeekday, createPractice, retirePractice, patient,
  availability, starts,
} from './fixtures.mjs';

const TZ = 'America/Los_Angeles';
const WORKERS = 64;
const ATTEMPTS = 2048;
const ROUNDS = 6; // bursts on one slot

// The clients come from WORKERS addresses (127.0.1.1, 127.0.1.2, ..., all loopback),
// in turn, as many clients would: one address may hold only http_max_per_ip
// connections (64 by default).
const agents = Array.from({ length: WORKERS }, (_, i) =>
  new nodeHttp.Agent({ keepAlive: true, localAddress: `127.0.1.${i + 1}` }));
let turn = 0;
after(() => agents.forEach((a) => a.destroy()));

/** One request from the next client address; never throws (a network error is status 0). */
function send(method, path, body, headers = {}) {
  const data = body === undefined ? undefined : JSON.stringify(body);
  const h = { ...(data === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }), ...headers };
  return new Promise((resolve) => {
    const req = nodeHttp.request(BASE + path, { method, headers: h, agent: agents[turn++ % agents.length] }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let json = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, text, json });
      });
      res.on('error', (e) => resolve({ status: 0, text: String(e?.code ?? e), json: null }));
    });
    req.on('error', (e) => resolve({ status: 0, text: String(e?.code ?? e), json: null }));
    req.end(data);
  });
}

const tally = (m, k) => m.set(k, (m.get(k) ?? 0) + 1);
const show = (m) => JSON.stringify(Object.fromEntries([...m].sort()));

let P;
let L; // a clinic whose contacts may hold 3 open bookings
let D; // the one date with hours
before(() => {
  D = nextWeekday(TZ, 2, 3); // a Tuesday at least 3 days ahead
  // 09:00-19:00 on that date only, 30 minutes, step 30: exactly 20 slots in all
  P = createPractice({
    label: 'race', tz: TZ,
    policy: { slot_step_minutes: 30, min_notice_minutes: 120, booking_horizon_days: 60,
      cancellation_notice_hours: 24, max_open_bookings_per_contact: 1000 },
    services: { s30: { minutes: 30 } },
    practitioners: {
      race: [{ weekday: isoWeekday(D), start: '09:00', end: '19:00', valid_from: D, valid_to: D }],
      burst: [{ weekday: isoWeekday(D), start: '09:00', end: '19:00', valid_from: D, valid_to: D }],
      idem: [{ weekday: isoWeekday(D), start: '09:00', end: '19:00', valid_from: D, valid_to: D }],
    },
  });
  L = createPractice({
    label: 'race-limit', tz: TZ,
    policy: { slot_step_minutes: 30, booking_horizon_days: 60, max_open_bookings_per_contact: 3 },
    services: { s30: { minutes: 30 } },
    practitioners: { limit: [{ weekday: isoWeekday(D), start: '09:00', end: '19:00', valid_from: D, valid_to: D }] },
  });
});
after(() => { retirePractice(P); retirePractice(L); });

const slotStarts = () => Array.from({ length: 20 }, (_, i) => at(D, '09:00', TZ) + i * 30 * MIN);

describe('concurrent booking of 20 slots', () => {
  test(`${WORKERS} clients, ${ATTEMPTS} attempts plus reschedules: one booking per slot, no overlap, no 5xx`, async (t) => {
    const pid = P.practitioners.race;
    const slots = slotStarts().map((s) => fmt(s, TZ));
    const a = await availability(pid, { from: addDays(D, -7), to: addDays(D, 14), service: P.services.s30 });
    assert.deepEqual(starts(a), slots, 'exactly these 20 slots exist');

    // First half: creates aim at the first 10 slots only, and every winner tries at once
    // to move to a random other slot, so moves race each other (and the creates) for the
    // 10 slots nobody creates into yet.  Second half: creates aim at all 20 slots.
    const createStatus = new Map(), moveStatus = new Map(), types = new Map();
    let next = 0, moves = 0;
    const t0 = performance.now();
    const pick = (xs) => xs[Math.floor(Math.random() * xs.length)];
    const worker = async () => {
      while (next < ATTEMPTS) {
        const i = next++;
        const first = i < ATTEMPTS / 2;
        const slot = pick(first ? slots.slice(0, 10) : slots);
        const r = await send('POST', '/api/v1/bookings', { practitioner_id: pid, service_id: P.services.s30,
          start: slot, patient: patient(`race${i}`) });
        tally(createStatus, r.status);
        if (r.status !== 201) tally(types, `create ${r.status} ${String(r.json?.type).split('/').pop()}`);
        if (r.status === 201 && first) {
          const m = await send('POST', `/api/v1/bookings/${r.json.id}/reschedule`,
            { start: pick(slots.filter((x) => x !== slot)) }, { authorization: `Bearer ${r.json.manage_token}` });
          moves++;
          tally(moveStatus, m.status);
          if (m.status !== 200) tally(types, `move ${m.status} ${String(m.json?.type).split('/').pop()}`);
        }
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    const ms = performance.now() - t0;
    const summary = `${ATTEMPTS} creates + ${moves} reschedules in ${(ms / 1000).toFixed(1)} s `
      + `(${Math.round((ATTEMPTS + moves) / (ms / 1000))} req/s); creates ${show(createStatus)}, `
      + `reschedules ${show(moveStatus)}, refusals ${show(types)}`;
    t.diagnostic(summary);
    console.log(`# race: ${summary}`);

    const all = [...createStatus, ...moveStatus];
    assert.ok(all.every(([s]) => s > 0 && s < 500), `server errors or dropped connections: ${summary}`);
    // no booking is ever cancelled, and a move keeps the count: as every slot ends up
    // taken, exactly 20 creates can have succeeded, however many moves freed a slot
    assert.equal(createStatus.get(201), 20, `one created booking per slot: ${summary}`);
    assert.ok((moveStatus.get(200) ?? 0) > 0, `some moves succeeded, racing the creates: ${summary}`);
    assert.equal((createStatus.get(201) ?? 0) + (createStatus.get(409) ?? 0), ATTEMPTS, `every other create is a 409: ${summary}`);
    assert.equal((moveStatus.get(200) ?? 0) + (moveStatus.get(409) ?? 0), moves, `every reschedule is a 200 or a 409: ${summary}`);
    for (const [k] of types) assert.match(k, /^(create|move) 409 slot-unavailable$/, summary);

    // no two live bookings overlap, for this practitioner or anyone else's
    const [{ overlaps }] = sql(`SELECT count(*)::int AS overlaps FROM bookings a JOIN bookings b
      ON a.practitioner_id = b.practitioner_id AND a.id < b.id AND a.blocked && b.blocked
      WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'`);
    assert.equal(overlaps, 0);
    const live = sql(`SELECT extract(epoch FROM lower(during))::bigint * 1000 AS start_ms FROM bookings
      WHERE practitioner_id = ${lit(pid)} AND status <> 'cancelled' ORDER BY lower(during)`);
    assert.deepEqual(live.map((x) => Number(x.start_ms)), slotStarts(), 'each of the 20 slots holds one booking');
    const after = await availability(pid, { from: D, to: D, service: P.services.s30 });
    assert.deepEqual(after.slots, [], 'nothing left to offer');
    assert.ok(ms < 120_000, `took ${ms} ms (the aim is well under 60 s)`);
  });
});

describe('a burst on one slot', () => {
  test(`${WORKERS} clients clicking the same free slot at the same moment: one 201, ${WORKERS - 1} 409s, no 5xx (${ROUNDS} rounds)`, async (t) => {
    const pid = P.practitioners.burst;
    const st = new Map(), types = new Map();
    const t0 = performance.now();
    for (const s of slotStarts().slice(0, ROUNDS)) {
      const rs = await Promise.all(Array.from({ length: WORKERS }, (_, i) => send('POST', '/api/v1/bookings',
        { practitioner_id: pid, service_id: P.services.s30, start: fmt(s, TZ), patient: patient(`burst${i}`) })));
      rs.forEach((r) => {
        tally(st, r.status);
        if (r.status !== 201) tally(types, `${r.status} ${String(r.json?.type).split('/').pop()}: ${r.json?.detail}`);
      });
      assert.equal(rs.filter((r) => r.status === 201).length, 1, `one winner for ${fmt(s, TZ)}: ${show(st)}`);
    }
    const ms = performance.now() - t0;
    const summary = `${ROUNDS * WORKERS} creates in ${(ms / 1000).toFixed(1)} s; ${show(st)}; ${show(types)}`;
    t.diagnostic(summary);
    console.log(`# burst: ${summary}`);
    assert.deepEqual(Object.fromEntries(st), { 201: ROUNDS, 409: ROUNDS * (WORKERS - 1) }, summary);
    const [{ overlaps }] = sql(`SELECT count(*)::int AS overlaps FROM bookings a JOIN bookings b
      ON a.practitioner_id = b.practitioner_id AND a.id < b.id AND a.blocked && b.blocked
      WHERE a.status <> 'cancelled' AND b.status <> 'cancelled' AND a.practitioner_id = ${lit(pid)}`);
    assert.equal(overlaps, 0);
  });
});

describe('other rules under concurrency', () => {
  test('the per-contact limit (3) holds when one contact books 20 slots at once', async () => {
    const pid = L.practitioners.limit;
    const who = patient('hoarder');
    const rs = await Promise.all(slotStarts().map((s) => send('POST', '/api/v1/bookings', {
      practitioner_id: pid, service_id: L.services.s30, start: fmt(s, TZ), patient: who })));
    const st = new Map();
    rs.forEach((r) => tally(st, r.status));
    const [{ n }] = sql(`SELECT count(*)::int AS n FROM bookings WHERE practitioner_id = ${lit(pid)}
      AND patient_email = ${lit(who.email)} AND status = 'booked'`);
    assert.ok(rs.every((r) => r.status > 0 && r.status < 500), show(st));
    assert.equal(n, 3, `open bookings of one contact with a limit of 3 (statuses ${show(st)})`);
    assert.equal(st.get(201), 3, show(st));
    for (const r of rs.filter((x) => x.status !== 201)) {
      assert.equal(r.status, 409);
      assert.ok(r.json.errors.some((e) => e.field === 'patient.email'), r.text);
    }
  });

  test('the same Idempotency-Key and body sent 10 times at once: one booking, ten identical 201s', async () => {
    const pid = P.practitioners.idem;
    const body = { practitioner_id: pid, service_id: P.services.s30, start: fmt(slotStarts()[5], TZ),
      patient: patient('retry') };
    const headers = { 'idempotency-key': `race-${Date.now()}-${Math.random()}` };
    const rs = await Promise.all(Array.from({ length: 10 }, () => send('POST', '/api/v1/bookings', body, headers)));
    const [{ n }] = sql(`SELECT count(*)::int AS n FROM bookings WHERE practitioner_id = ${lit(pid)}`);
    assert.equal(n, 1, 'one booking');
    const st = new Map();
    rs.forEach((r) => tally(st, r.status));
    assert.deepEqual(Object.fromEntries(st), { 201: 10 }, `a retry with the same key is answered with the first 201: ${rs.find((r) => r.status !== 201)?.text}`);
    assert.equal(new Set(rs.map((r) => r.text)).size, 1, 'identical answers');
  });

  test('one Idempotency-Key with 10 different bodies at once: one 201 and nine 422s, one booking', async () => {
    // whoever takes the key's lock first books; the others find its record, under the
    // lock or before, and it was made for another body
    const pid = P.practitioners.idem;
    const start = slotStarts()[7];
    const who = patient('bodies');
    const headers = { 'idempotency-key': `race-bodies-${Date.now()}-${Math.random()}` };
    const rs = await Promise.all(Array.from({ length: 10 }, (_, i) => send('POST', '/api/v1/bookings', {
      practitioner_id: pid, service_id: P.services.s30, start: fmt(start, TZ), patient: who,
      notes: `body ${i}` }, headers)));
    const st = new Map();
    rs.forEach((r) => tally(st, r.status));
    assert.deepEqual(Object.fromEntries(st), { 201: 1, 422: 9 }, show(st));
    for (const r of rs.filter((x) => x.status === 422)) {
      assert.match(String(r.json?.type), /idempotency-key-reused$/, r.text);
    }
    const [{ n }] = sql(`SELECT count(*)::int AS n FROM bookings WHERE practitioner_id = ${lit(pid)}
      AND lower(during) = ${lit(new Date(start).toISOString())}::timestamptz`);
    assert.equal(n, 1, 'one booking');
  });
});
