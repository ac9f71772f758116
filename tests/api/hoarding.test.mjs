// Limits a hoarder cannot walk around (issue 12, item 3).
//
// The per-contact limit counts one person's addresses as one contact (contact_key(),
// migration 0011, stored on bookings and waitlist entries by migration 0013): "+tag",
// case and, at gmail, dots and googlemail.com do not make another person, for single
// bookings, plans (whose sessions count with the single bookings) and the waitlist, and
// concurrent requests under different spellings queue for one count.
//
// The per-client limit on patients' writes: a clinicd of this suite's own (the shared
// server runs without it: every suite books from 127.0.0.1) with the limit as shipped
// in config/clinicd.conf, reached from distinct loopback addresses (127.0.0.x, node's
// localAddress), so that each is one client.  Four clients posting 52-session plans as
// fast as they can for 8 s, each plan under a made-up contact, do not take a
// practitioner's eight weeks; a client that spent its burst gets 429 with Retry-After
// on every patient write route, while staff writes and other clients go on.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { post, assertProblem, sql, lit } from './lib.mjs';
import {
  at, fmt, addDays, isoWeekday, nextWeekday, createPractice, addPractitioner, retirePractice, patient,
  bearer,
} from './fixtures.mjs';
import { createUser, signedIn } from './staff-fixtures.mjs';
import { startLimitedClinicd, shippedLimit, requestFrom, metric } from './server.mjs';

const TZ = 'America/Los_Angeles';
const WEEKDAYS_9_TO_17 = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '17:00' }));
const tag = () => randomUUID().slice(0, 8);

const bookBody = (p, pid, startMs, email, extra = {}) => ({
  practitioner_id: pid, service_id: p.services.s, start: fmt(startMs, TZ),
  patient: { name: 'Hoarder', email }, ...extra,
});

// ---------------------------------------------------------------------------------------
describe('the per-contact limit counts one person once', () => {
  let P;
  before(() => {
    P = createPractice({
      label: 'hoard-key', tz: TZ,
      policy: { slot_step_minutes: 30, min_notice_minutes: 60, booking_horizon_days: 120,
        max_open_bookings_per_contact: 3 },
      services: { s: { minutes: 30 } },
    });
  });
  after(() => retirePractice(P));

  /** Books [time, email] pairs on day d in order; returns the answers. */
  async function bookEach(pid, d, pairs) {
    const out = [];
    for (const [t, email] of pairs) out.push(await post('/api/v1/bookings', bookBody(P, pid, at(d, t, TZ), email)));
    return out;
  }

  test('"+tag" and case: name@, name+1@, NAME+2@ fill a limit of 3; name+3@ and Name@ are refused', async () => {
    const pid = addPractitioner(P, `k${tag()}`, WEEKDAYS_9_TO_17);
    const d = nextWeekday(TZ, 2, 3);
    const n = `hoarder.${tag()}`;
    const r = await bookEach(pid, d, [['09:00', `${n}@example.org`], ['09:30', `${n}+1@example.org`],
      ['10:00', `${n.toUpperCase()}+2@EXAMPLE.org`], ['10:30', `${n}+3@example.org`],
      ['11:00', `${n[0].toUpperCase()}${n.slice(1)}@example.org`], ['11:30', `${n}+a+b@example.org`]]);
    assert.deepEqual(r.map((x) => x.status), [201, 201, 201, 409, 409, 409], r.map((x) => x.text).join('\n'));
    for (const x of r.slice(3)) {
      assertProblem(x, 409, 'patient.email');
      assert.match(x.json.type, /booking-limit$/);
    }
    // another person is not held back
    const other = await post('/api/v1/bookings', bookBody(P, pid, at(d, '12:00', TZ), `other.${n}@example.org`));
    assert.equal(other.status, 201, other.text);
    const [{ keys }] = sql(`SELECT count(DISTINCT contact)::int AS keys FROM bookings
      WHERE practitioner_id = ${lit(pid)} AND patient_email <> ${lit(`other.${n}@example.org`)}`);
    assert.equal(keys, 1, 'the three bookings carry one contact key');
    // cancelling one makes room again, for any spelling
    const c = await post(`/api/v1/bookings/${r[0].json.id}/cancel`, {}, { headers: bearer(r[0].json.manage_token) });
    assert.equal(c.status, 200, c.text);
    const again = await post('/api/v1/bookings', bookBody(P, pid, at(d, '13:00', TZ), `${n}+again@example.org`));
    assert.equal(again.status, 201, again.text);
  });

  test('gmail: dots, "+tag" and googlemail.com are one mailbox', async () => {
    const pid = addPractitioner(P, `g${tag()}`, WEEKDAYS_9_TO_17);
    const d = nextWeekday(TZ, 3, 3);
    const n = `hoard${tag().replace(/[^a-z]/g, 'x')}`; // letters only: dots go between them
    const dotted = n.split('').join('.');
    const r = await bookEach(pid, d, [['09:00', `${n}@gmail.com`], ['09:30', `${dotted}@gmail.com`],
      ['10:00', `${n.slice(0, 3)}.${n.slice(3)}+x@googlemail.com`], ['10:30', `${dotted.toUpperCase()}+y@GMail.com`],
      ['11:00', `${n}@googlemail.com`]]);
    assert.deepEqual(r.map((x) => x.status), [201, 201, 201, 409, 409], r.map((x) => x.text).join('\n'));
    // dots stay significant elsewhere: another provider's a.b@ and ab@ are two people
    const e1 = await post('/api/v1/bookings', bookBody(P, pid, at(d, '12:00', TZ), `${dotted}@example.org`));
    assert.equal(e1.status, 201, e1.text);
  });

  test('a plan counts with the single bookings and is refused whole when it would pass the limit', async () => {
    const pid = addPractitioner(P, `s${tag()}`, WEEKDAYS_9_TO_17);
    const mon = nextWeekday(TZ, 1, 3);
    const n = `planner.${tag()}`;
    const single = await post('/api/v1/bookings', bookBody(P, pid, at(mon, '16:00', TZ), `${n}@example.org`));
    assert.equal(single.status, 201, single.text);
    const series = (count, email) => post('/api/v1/booking-series', {
      ...bookBody(P, pid, at(mon, '09:00', TZ), email), rrule: `FREQ=WEEKLY;COUNT=${count}`, on_conflict: 'skip',
    });
    const tooMany = await series(3, `${n}+plan@example.org`); // 1 + 3 > 3
    assertProblem(tooMany, 409, 'patient.email');
    assert.match(tooMany.json.type, /booking-limit$/);
    const [{ held }] = sql(`SELECT count(*)::int AS held FROM bookings WHERE practitioner_id = ${lit(pid)}`);
    assert.equal(held, 1, 'nothing of the refused plan was booked');
    const fits = await series(2, `${n.toUpperCase()}+plan@example.org`); // 1 + 2 = 3
    assert.equal(fits.status, 201, fits.text);
    assert.equal(fits.json.occurrences.filter((o) => o.status === 'booked').length, 2);
    const more = await post('/api/v1/bookings', bookBody(P, pid, at(mon, '15:00', TZ), `${n}+z@example.org`));
    assertProblem(more, 409, 'patient.email');
  });

  test('the waitlist: as many waiting entries as open bookings, by contact key', async () => {
    const pid = addPractitioner(P, `w${tag()}`, WEEKDAYS_9_TO_17);
    const d = nextWeekday(TZ, 4, 3);
    const n = `waiter.${tag()}`;
    const join = (email) => post('/api/v1/waitlist', { practitioner_id: pid, service_id: P.services.s,
      from: fmt(at(d, '09:00', TZ), TZ), to: fmt(at(d, '17:00', TZ), TZ), patient: { name: 'Waiter', email } });
    const r = [];
    for (const e of [`${n}@example.org`, `${n}+1@example.org`, `${n.toUpperCase()}+2@example.org`, `${n}+3@example.org`])
      r.push(await join(e));
    assert.deepEqual(r.map((x) => x.status), [201, 201, 201, 409], r.map((x) => x.text).join('\n'));
    assertProblem(r[3], 409, 'patient.email');
    assert.match(r[3].json.type, /waitlist-limit$/);
  });

  test('twelve bookings at once under twelve spellings of one address: exactly the limit succeeds', async () => {
    const pid = addPractitioner(P, `c${tag()}`, WEEKDAYS_9_TO_17);
    const d = nextWeekday(TZ, 5, 3);
    const n = `racer.${tag()}`;
    const times = ['09:00', '09:30', '10:00', '10:30', '11:00', '11:30', '12:00', '12:30', '13:00', '13:30', '14:00', '14:30'];
    const r = await Promise.all(times.map((t, i) =>
      post('/api/v1/bookings', bookBody(P, pid, at(d, t, TZ), i % 2 ? `${n}+${i}@example.org` : `${n.toUpperCase()}+${i}@Example.org`))));
    assert.equal(r.filter((x) => x.status === 201).length, 3, r.map((x) => x.status).join(' '));
    assert.equal(r.filter((x) => x.status === 409).length, 9);
  });
});

// ---------------------------------------------------------------------------------------
// a clinicd of our own with the limit as shipped, reached from chosen loopback addresses
// (tests/api/server.mjs)

function assert429(r) {
  assertProblem(r, 429);
  assert.match(r.json.type, /too-many-requests$/);
  const ra = r.headers.get('retry-after');
  assert.match(ra ?? '', /^\d+$/, `Retry-After: ${ra}`);
  assert.ok(Number(ra) >= 1 && Number(ra) <= 3600, `Retry-After ${ra}`);
  return Number(ra);
}

describe('the per-client limit on patients\' writes (a clinicd of this suite\'s own, limit as shipped)', () => {
  let S;
  let Q;
  const limit = shippedLimit();
  before(async () => {
    assert.ok(limit.perHour > 0 && limit.burst > 0, `config/clinicd.conf: ${JSON.stringify(limit)}`);
    S = await startLimitedClinicd({ logName: 'hoarding-server' });
    Q = createPractice({
      label: 'hoard-rate', tz: TZ,
      policy: { slot_step_minutes: 60, min_notice_minutes: 60, booking_horizon_days: 120,
        max_open_bookings_per_contact: 60 },
      services: { s: { minutes: 60 } },
      practitioners: { target: WEEKDAYS_9_TO_17, single: WEEKDAYS_9_TO_17, other: WEEKDAYS_9_TO_17 },
    });
  });
  after(async () => {
    retirePractice(Q);
    await S?.stop();
  });

  test('four clients with 52-session plans for 8 s cannot take a practitioner\'s eight weeks', { timeout: 120_000 }, async (t) => {
    const pid = Q.practitioners.target;
    const mon = nextWeekday(TZ, 1, 2);
    const end = addDays(mon, 56);
    // the eight weeks: Monday to Friday, 09:00-17:00, an hour each
    let slots = 0;
    for (let d = mon; d < end; d = addDays(d, 1)) if (isoWeekday(d) <= 5) slots += 8;
    const clients = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];
    const stats = clients.map(() => ({ requests: 0, created: 0, sessions: 0, limited: 0, other: {} }));
    const stopAt = Date.now() + 8000;
    await Promise.all(clients.map(async (from, c) => {
      const st = stats[c];
      for (let i = 0; Date.now() < stopAt; i++) {
        // every plan under a contact of its own (the per-contact limit does not help here),
        // each hour of the day in turn
        const hour = String(9 + ((i + c * 2) % 8)).padStart(2, '0');
        const r = await requestFrom(S.base, from, 'POST', '/api/v1/booking-series', { body: {
          practitioner_id: pid, service_id: Q.services.s, start: fmt(at(mon, `${hour}:00`, TZ), TZ),
          patient: { name: 'Bot', email: `bot${c}.${i}.${tag()}@example.org` },
          rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=52', on_conflict: 'skip',
        } });
        st.requests += 1;
        if (r.status === 201) {
          st.created += 1;
          st.sessions += r.json.occurrences.filter((o) => o.status === 'booked').length;
        } else if (r.status === 429) {
          st.limited += 1;
          assert429(r);
        } else {
          st.other[r.status] = (st.other[r.status] ?? 0) + 1;
        }
      }
    }));
    const [{ taken }] = sql(`SELECT count(*)::int AS taken FROM bookings WHERE practitioner_id = ${lit(pid)}
      AND status = 'booked' AND lower(during) >= ${lit(new Date(at(mon, '00:00', TZ)).toISOString())}
      AND lower(during) < ${lit(new Date(at(end, '00:00', TZ)).toISOString())}`);
    const total = stats.reduce((n, s) => n + s.sessions, 0);
    for (const [c, s] of stats.entries())
      t.diagnostic(`client ${clients[c]}: ${s.requests} requests, ${s.created} plans (${s.sessions} sessions), ` +
        `${s.limited} x 429, other ${JSON.stringify(s.other)}`);
    t.diagnostic(`the eight weeks: ${slots} slots, ${taken} taken by the four clients, ${slots - taken} left free ` +
      `(limit: ${limit.burst} tokens, ${limit.perHour} an hour, per address)`);
    // each client had its burst and what refilled in the 8 s (with a margin), no more
    const perClient = limit.burst + Math.ceil((limit.perHour / 3600) * 10);
    for (const s of stats) {
      assert.ok(s.sessions <= perClient, `a client booked ${s.sessions} sessions`);
      assert.ok(s.limited > 0, 'every client met the limit');
    }
    assert.ok(taken < slots, 'the practitioner has free time left in the eight weeks');
    assert.ok(slots - taken >= slots - 4 * perClient, `${slots - taken} slots left`);
    assert.ok(total <= 4 * perClient);
  });

  test('after the burst, every patient write from that address is a 429 with Retry-After; staff and other addresses go on', { timeout: 60_000 }, async () => {
    const from = '127.0.0.6';
    const pid = Q.practitioners.single;
    const mon = nextWeekday(TZ, 1, 2);
    // single bookings, each a free hour of its own (weekdays from Monday), until the
    // limit answers
    const hours = [];
    for (let d = mon; hours.length < limit.burst + 5; d = addDays(d, 1))
      if (isoWeekday(d) <= 5) for (let h = 9; h < 17; h++) hours.push(at(d, `${String(h).padStart(2, '0')}:00`, TZ));
    const made = [];
    let refused = null;
    for (let i = 0; i < limit.burst + 5 && !refused; i++) {
      const r = await requestFrom(S.base, from, 'POST', '/api/v1/bookings', {
        body: bookBody(Q, pid, hours[i], patient('rate').email) });
      if (r.status === 429) refused = r;
      else {
        assert.equal(r.status, 201, r.text);
        made.push(r.json);
      }
    }
    assert.ok(refused, `no 429 after ${made.length} bookings`);
    assert.equal(made.length, limit.burst, `the burst is ${limit.burst} writes`);
    const wait = assert429(refused);
    assert.ok(wait <= Math.ceil(3600 / limit.perHour), `Retry-After ${wait} is more than one token's refill`);
    // every patient write route of this address is limited now
    const held = made[0];
    const tue = addDays(mon, 1);
    const answers = {
      move: await requestFrom(S.base, from, 'POST', `/api/v1/bookings/${held.id}/reschedule`, {
        body: { start: fmt(at(addDays(mon, 30), '09:00', TZ), TZ) }, headers: bearer(held.manage_token) }),
      cancel: await requestFrom(S.base, from, 'POST', `/api/v1/bookings/${held.id}/cancel`, {
        body: {}, headers: bearer(held.manage_token) }),
      series: await requestFrom(S.base, from, 'POST', '/api/v1/booking-series', { body: {
        ...bookBody(Q, pid, at(addDays(mon, 35), '09:00', TZ), patient('rate').email), rrule: 'FREQ=WEEKLY;COUNT=2' } }),
      waitlist: await requestFrom(S.base, from, 'POST', '/api/v1/waitlist', { body: {
        practitioner_id: pid, service_id: Q.services.s, from: fmt(at(tue, '09:00', TZ), TZ),
        to: fmt(at(tue, '17:00', TZ), TZ), patient: patient('rate') } }),
    };
    for (const [what, r] of Object.entries(answers)) {
      assert.equal(r.status, 429, `${what}: ${r.status} ${r.text}`);
      assert429(r);
    }
    // nothing was done by the refused requests
    const [row] = sql(`SELECT status, reschedule_count FROM bookings WHERE id = ${lit(held.id)}`);
    assert.deepEqual(row, { status: 'booked', reschedule_count: 0 });
    // reads are not limited
    const read = await requestFrom(S.base, from, 'GET', `/api/v1/bookings/${held.id}`, { headers: bearer(held.manage_token) });
    assert.equal(read.status, 200, read.text);
    // another address books at once
    const other = await requestFrom(S.base, '127.0.0.7', 'POST', '/api/v1/bookings', {
      body: bookBody(Q, Q.practitioners.other, at(mon, '09:00', TZ), patient('rate').email) });
    assert.equal(other.status, 201, other.text);
    // staff of the clinic, from the limited address: signed in and audited, not limited
    const admin = await signedIn(createUser({ clinic: Q.clinicId, role: 'clinic_admin' }));
    const staff = await requestFrom(S.base, from, 'POST', `/api/v1/clinics/${Q.clinicId}/bookings`, {
      headers: admin.auth, body: bookBody(Q, Q.practitioners.other, at(mon, '10:00', TZ), patient('staff').email) });
    assert.equal(staff.status, 201, staff.text);
    // counted in /metrics (when this address may read them)
    const m = await requestFrom(S.base, '127.0.0.1', 'GET', '/metrics');
    if (m.status === 200) {
      const limited = metric(m.text, 'clinicd_patient_writes_limited_total');
      assert.ok(limited >= 5, `metrics count ${limited} refusals`);
    }
  });
});
