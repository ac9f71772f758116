// Flare moves to a later day, and previews that say what happens to each session (issue
// 14, items 2 and 1).  A flare lasts days and a session's effect shows 24 to 48 hours
// later, so "I'm having a flare" (POST /booking-series/{id}/flare, POST
// /bookings/{id}/flare) offers up to 3 times: the first free ones at least 2 days after
// the session's start, one per day, each the nearest to the session's time of day, and
// never overlapping or after the plan's following session (none: a 409 that offers the
// flare cancel).  The patient may choose one (`start`); anything not offered now is a
// 422 naming start, a time taken meanwhile a 409.  The allowance, the clinic's notice,
// the mark, the revision check all hold.  A new cadence's preview says per session
// whether it stays, moves (from when) or cannot be had (why).  Every clinic here asks
// 30 days' notice, so every session is inside its cancellation window.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { post, get, assertProblem, sql, lit, sqlExec } from './lib.mjs';
import {
  DAY, at, fmt, addDays, localDate, nextWeekday, createPractice, addPractitioner, addTimeOff,
  retirePractice, patient, bookOk, bearer,
} from './fixtures.mjs';

const TZ = 'Europe/Berlin';
const WEEKDAYS_9_TO_12 = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '12:00' }));
const PHONE = '+49 30 7654321';

let F; // 30 days' notice: every flare here is inside the window
let C; // 24 hours' notice: a new cadence can change the sessions
let seq = 0;
before(() => {
  F = createPractice({
    label: 'flare-choices', tz: TZ,
    policy: { slot_step_minutes: 30, min_notice_minutes: 120, booking_horizon_days: 400,
      cancellation_notice_hours: 720, max_open_bookings_per_contact: 200 },
    services: { s60: { minutes: 60 } },
  });
  C = createPractice({
    label: 'cadence-outcomes', tz: TZ,
    policy: { slot_step_minutes: 30, min_notice_minutes: 120, booking_horizon_days: 400,
      cancellation_notice_hours: 24, max_open_bookings_per_contact: 200 },
    services: { s60: { minutes: 60 } },
  });
  // the clinic's administrator, who is told of a flare
  sqlExec(`UPDATE clinics SET phone = ${lit(PHONE)} WHERE id IN (${lit(F.clinicId)}, ${lit(C.clinicId)});
    INSERT INTO staff_users (clinic_id, email, name, role, password_hash)
    VALUES (${lit(F.clinicId)}, ${lit(`admin.${F.clinicId}@example.org`)}, 'Front desk', 'clinic_admin',
      '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$notarealhashnotarealhash')`);
});
after(() => { retirePractice(F); retirePractice(C); });

const practitioner = (p = F) => addPractitioner(p, `f${++seq}`, WEEKDAYS_9_TO_12);
const MON = () => nextWeekday(TZ, 1, 3);
const when = (day, time) => fmt(at(day, time, TZ), TZ);

async function makePlan(pid, rrule, { first = MON(), time = '10:00', p = F } = {}) {
  const r = await post('/api/v1/booking-series', {
    practitioner_id: pid, service_id: p.services.s60, start: when(first, time),
    patient: patient('flare'), rrule, on_conflict: 'skip',
  });
  assert.equal(r.status, 201, r.text);
  return { id: r.json.id, token: r.json.manage_token, created: r.json, first,
    ids: r.json.occurrences.map((o) => o.booking_id) };
}

const plan = (pl, token = pl.token) => get(`/api/v1/booking-series/${pl.id}`, { headers: bearer(token) });
const act = (pl, what, body, token = pl.token) =>
  post(`/api/v1/booking-series/${pl.id}/${what}`, body, { headers: bearer(token) });
const flareLeft = async (pl) => (await plan(pl)).json.flare_moves.left;
const startsOf = async (pl) => (await plan(pl)).json.sessions.map((s) => `${s.status} ${s.start}`);
const day = (iso) => localDate(Date.parse(iso), TZ);
const time = (iso) => iso.slice(11, 16);

describe('a flare move offers later days', () => {
  test('the preview: 3 times from 2 days after the session, one per day, at its time of day; the first is taken by default', async () => {
    const pid = practitioner();
    const pl = await makePlan(pid, 'FREQ=WEEKLY;COUNT=3');
    const before = await startsOf(pl);
    const pv = await act(pl, 'flare', { action: 'move', dry_run: true });
    assert.equal(pv.status, 200, pv.text);
    const c = pv.json.choices;
    assert.equal(c.length, 3, pv.text);
    // Monday 10:00: Wednesday, Thursday and Friday at 10:00
    assert.deepEqual(c.map((x) => [day(x.start), time(x.start)]),
      [[addDays(pl.first, 2), '10:00'], [addDays(pl.first, 3), '10:00'], [addDays(pl.first, 4), '10:00']]);
    assert.deepEqual(c.map((x) => x.chosen), [true, false, false]);
    const session = pl.created.occurrences[0];
    for (const x of c) assert.ok(Date.parse(x.start) >= Date.parse(session.start) + 2 * DAY, `${x.start} is 2 days after`);
    assert.equal(pv.json.changes.length, 1);
    assert.equal(pv.json.changes[0].status, 'moved');
    assert.equal(pv.json.changes[0].start, c[0].start, 'without start: the first choice');
    assert.equal(pv.json.changes[0].requested_start, session.start, 'the time it had');
    assert.deepEqual(await startsOf(pl), before, 'a preview writes nothing');
    assert.equal(await flareLeft(pl), 2, 'a preview uses nothing');

    // the patient chooses the second: that one is made, the rest as before
    const mv = await act(pl, 'flare', { action: 'move', start: c[1].start });
    assert.equal(mv.status, 200, mv.text);
    assert.equal(mv.json.changes[0].start, c[1].start);
    assert.deepEqual(mv.json.choices.map((x) => x.chosen), [false, true, false]);
    const s = mv.json.plan.sessions.find((x) => x.booking_id === pl.ids[0]);
    assert.equal(s.start, c[1].start);
    assert.equal(s.status, 'moved');
    assert.equal(s.flare, true);
    assert.equal(s.reason_code, 'flare');
    assert.equal(s.requested_start, session.start);
    assert.equal(mv.json.plan.flare_moves.left, 1);
    assert.equal(sql(`SELECT flare FROM bookings WHERE id = ${lit(pl.ids[0])}`)[0].flare, true);
    const rows = sql(`SELECT kind, payload FROM notifications WHERE series_id = ${lit(pl.id)} ORDER BY created_at`);
    const mail = rows.filter((n) => n.kind === 'series_flare');
    assert.equal(mail.length, 1, 'the patient\'s mail');
    assert.equal(mail[0].payload.changes[0].start, c[1].start);
    assert.deepEqual(mail[0].payload.calendar.moved, [pl.ids[0]], 'its calendar file moves the session');
    assert.equal(rows.filter((n) => n.kind === 'flare_clinic').length, 1, 'the clinic is told');
    assert.equal(sql(`SELECT count(*)::int AS n FROM audit_log WHERE resource_id = ${lit(pl.id)}
      AND action = 'flare_move'`)[0].n, 1);
  });

  test('a day whose own time is taken offers its nearest free time at least 2 days after', async () => {
    const pid = practitioner();
    const pl = await makePlan(pid, 'FREQ=WEEKLY;COUNT=2');
    await bookOk(pid, F.services.s60, at(addDays(pl.first, 2), '10:00', TZ), TZ);
    const pv = await act(pl, 'flare', { action: 'move', dry_run: true });
    assert.equal(pv.status, 200, pv.text);
    assert.deepEqual(pv.json.choices.map((x) => [day(x.start), time(x.start)]),
      [[addDays(pl.first, 2), '11:00'], [addDays(pl.first, 3), '10:00'], [addDays(pl.first, 4), '10:00']],
      '09:00 that day is less than 2 days after the session');
  });

  test('never after the plan\'s following session: only the times that end before it', async () => {
    const pid = practitioner();
    const pl = await makePlan(pid, 'FREQ=WEEKLY;COUNT=2');
    // away Wednesday to Friday: the only time left ends as the next session (Monday 10:00) starts
    addTimeOff(F, pid, at(addDays(pl.first, 2), '00:00', TZ), at(addDays(pl.first, 5), '00:00', TZ));
    const pv = await act(pl, 'flare', { action: 'move', dry_run: true });
    assert.equal(pv.status, 200, pv.text);
    assert.deepEqual(pv.json.choices.map((x) => x.start), [when(addDays(pl.first, 7), '09:00')]);
  });

  test('no time before the following session: 409 saying so, the flare cancel offered, and it works', async () => {
    const pid = practitioner();
    const pl = await makePlan(pid, 'FREQ=WEEKLY;COUNT=2');
    addTimeOff(F, pid, at(addDays(pl.first, 2), '00:00', TZ), at(addDays(pl.first, 7), '10:00', TZ));
    const pv = await act(pl, 'flare', { action: 'move', dry_run: true });
    assertProblem(pv, 409);
    assert.ok(pv.json.type.endsWith('no-free-time'), pv.text);
    assert.equal(pv.json.cancel_offered, true);
    assert.ok(pv.json.detail.includes(PHONE), pv.json.detail);
    assert.match(pv.json.detail, /cancel/);
    assert.equal(await flareLeft(pl), 2);
    const cx = await act(pl, 'flare', { action: 'cancel' });
    assert.equal(cx.status, 200, cx.text);
    assert.equal(cx.json.plan.sessions.find((s) => s.booking_id === pl.ids[0]).status, 'cancelled');
  });

  test('a single booking (a plan of one): the same choices, a chosen one made', async () => {
    const pid = practitioner();
    const mon = MON();
    const b = await bookOk(pid, F.services.s60, at(mon, '11:00', TZ), TZ);
    const path = `/api/v1/bookings/${b.id}/flare`;
    const pv = await post(`${path}?preview=true`, { action: 'move' }, { headers: bearer(b.manage_token) });
    assert.equal(pv.status, 200, pv.text);
    assert.deepEqual(pv.json.choices.map((x) => [day(x.start), time(x.start)]),
      [[addDays(mon, 2), '11:00'], [addDays(mon, 3), '11:00'], [addDays(mon, 4), '11:00']]);
    const mv = await post(path, { action: 'move', start: pv.json.choices[2].start }, { headers: bearer(b.manage_token) });
    assert.equal(mv.status, 200, mv.text);
    assert.equal(mv.json.plan.sessions[0].start, pv.json.choices[2].start);
    assert.equal(mv.json.plan.sessions[0].flare, true);
  });
});

describe('a flare move: bad input', () => {
  let pid, pl, offered;
  before(async () => {
    pid = practitioner();
    pl = await makePlan(pid, 'FREQ=WEEKLY;COUNT=3');
    offered = (await act(pl, 'flare', { action: 'move', dry_run: true })).json.choices;
    assert.equal(offered.length, 3);
  });

  const unchanged = async () => {
    assert.equal(await flareLeft(pl), 2, 'no flare move used');
    assert.equal((await plan(pl)).json.sessions[0].start, pl.created.occurrences[0].start, 'the session did not move');
  };

  const notOffered = [
    ['a free time the day after (too soon for a flare)', () => when(addDays(pl.first, 1), '10:00')],
    ['a start in the past', () => when(addDays(localDate(Date.now(), TZ), -2), '10:00')],
    ['a time off the slot grid', () => when(addDays(pl.first, 2), '10:07')],
    ['a free time after the plan\'s following session', () => when(addDays(pl.first, 8), '10:00')],
    ['a free time not among the 3 offered', () => when(addDays(pl.first, 2), '11:00')],
    ['a time the practitioner does not work', () => when(addDays(pl.first, 2), '15:00')],
  ];
  for (const [why, start] of notOffered)
    test(`${why}: 422 naming start, nothing changed`, async () => {
      const r = await act(pl, 'flare', { action: 'move', start: start() });
      assertProblem(r, 422, 'start');
      assert.match(r.json.errors.find((e) => e.field === 'start').message, /offers/);
      await unchanged();
    });

  test('start not an instant: 422 naming start', async () => {
    assertProblem(await act(pl, 'flare', { action: 'move', start: 'Wednesday' }), 422, 'start');
    assertProblem(await act(pl, 'flare', { action: 'move', start: 42 }), 422, 'start');
    await unchanged();
  });

  test('an offered time taken meanwhile: 409 slot-unavailable, nothing changed', async () => {
    await bookOk(pid, F.services.s60, Date.parse(offered[0].start), TZ);
    const r = await act(pl, 'flare', { action: 'move', start: offered[0].start });
    assertProblem(r, 409);
    assert.ok(r.json.type.endsWith('slot-unavailable'), r.text);
    await unchanged();
    // what is offered now: the next free time that day instead
    const pv = await act(pl, 'flare', { action: 'move', dry_run: true });
    assert.ok(!pv.json.choices.some((c) => c.start === offered[0].start));
  });

  test('the token of another plan: 404, nothing changed', async () => {
    const other = await makePlan(practitioner(), 'FREQ=WEEKLY;COUNT=2');
    assertProblem(await act(pl, 'flare', { action: 'move', dry_run: true }, other.token), 404);
    assertProblem(await act(pl, 'flare', { action: 'move', start: offered[1].start }, other.token), 404);
    assertProblem(await post(`/api/v1/bookings/${pl.ids[0]}/flare`, { action: 'move', start: offered[1].start },
      { headers: bearer(other.token) }), 404);
    await unchanged();
  });

  test('the allowance used up: 409 with what to do and the phone, even with an offered start', async () => {
    const p2 = await makePlan(practitioner(), 'FREQ=WEEKLY;COUNT=3');
    for (let i = 0; i < 2; i++) {
      const c = (await act(p2, 'flare', { action: 'move', dry_run: true })).json.choices;
      assert.equal((await act(p2, 'flare', { action: 'move', start: c.at(-1).start })).status, 200);
    }
    const c = (await act(p2, 'flare', { action: 'move', dry_run: true }));
    assertProblem(c, 409);
    assert.ok(c.json.type.endsWith('flare-allowance-used'), c.text);
    const r = await act(p2, 'flare', { action: 'move', start: offered[1].start });
    assertProblem(r, 409);
    assert.ok(r.json.type.endsWith('flare-allowance-used'), r.text);
    assert.ok(r.json.detail.includes(PHONE), r.json.detail);
    assert.equal(r.json.clinic_phone, PHONE);
  });
});

describe('a new cadence: what happens to each session', () => {
  test('every 2 weeks from session 3: unchanged, moved from when to when, booking by booking', async () => {
    const pid = practitioner(C);
    const mon = MON();
    const pl = await makePlan(pid, 'FREQ=WEEKLY;COUNT=5', { first: mon, time: '09:00', p: C });
    const pv = await act(pl, 'cadence', { from_session: 3, every_weeks: 2, dry_run: true });
    assert.equal(pv.status, 200, pv.text);
    const at9 = (d) => when(addDays(mon, d), '09:00');
    assert.deepEqual(pv.json.changes.map((c) => [c.outcome, c.booking_id, c.from ?? null, c.start]), [
      ['unchanged', pl.ids[2], null, at9(14)],
      ['moved', pl.ids[3], at9(21), at9(28)],
      ['moved', pl.ids[4], at9(28), at9(42)],
    ]);
  });

  test('a date that cannot be had says why; the session left over is cancelled, named', async () => {
    const pid = practitioner(C);
    const mon = MON();
    const pl = await makePlan(pid, 'FREQ=WEEKLY;COUNT=4', { first: mon, time: '09:00', p: C });
    // away for a week around the second new date (and the 3 days either side)
    addTimeOff(C, pid, at(addDays(mon, 28 - 4), '00:00', TZ), at(addDays(mon, 28 + 4), '00:00', TZ));
    const pv = await act(pl, 'cadence', { from_session: 2, every_weeks: 3, dry_run: true });
    assert.equal(pv.status, 200, pv.text);
    const by = {};
    for (const c of pv.json.changes) (by[c.outcome] ??= []).push(c);
    assert.deepEqual(by.unchanged.map((c) => c.booking_id), [pl.ids[1]]);
    assert.equal(by.unavailable.length, 1);
    assert.equal(by.unavailable[0].reason_code, 'time_off');
    assert.match(by.unavailable[0].reason, /time off/);
    assert.deepEqual(by.moved.map((c) => [c.booking_id, c.from]), [[pl.ids[2], when(addDays(mon, 14), '09:00')]]);
    assert.deepEqual(by.cancelled.map((c) => c.booking_id), [pl.ids[3]]);
  });

  test('the same cadence again: every session unchanged, 409 nothing to change, each listed', async () => {
    const pid = practitioner(C);
    const pl = await makePlan(pid, 'FREQ=WEEKLY;COUNT=4', { time: '09:00', p: C });
    const r = await act(pl, 'cadence', { from_session: 2, every_weeks: 1 });
    assertProblem(r, 409);
    assert.deepEqual(r.json.changes.map((c) => c.outcome), ['unchanged', 'unchanged', 'unchanged']);
  });
});
