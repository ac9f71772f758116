// A single booking is a plan of one (issue 14, deliver 1): GET /bookings/{id}/plan shows
// it with the plan's shape (its one session, progress, the clinic's policy and phone,
// the flare moves), POST /bookings/{id}/sessions adds sessions after it (previewed
// first) and makes it a plan then, not before: booking a single session writes no plan
// row.  A flare works on it as on a plan.  The holder checks are the booking's: a token
// of another booking or plan is refused, and a plan of one's token opens no plan but
// its own.  Each test has a practitioner of its own.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { post, get, assertProblem, sql, lit, sqlExec } from './lib.mjs';
import {
  at, fmt, addDays, nextWeekday, createPractice, addPractitioner, retirePractice, bookOk, bearer,
  patient,
} from './fixtures.mjs';

const TZ = 'Europe/Berlin';
const WEEKDAYS_9_TO_12 = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '12:00' }));
const PHONE = '+49 30 7654321';
const policy = (extra = {}) => ({ slot_step_minutes: 30, min_notice_minutes: 120, booking_horizon_days: 400,
  cancellation_notice_hours: 24, max_open_bookings_per_contact: 200, ...extra });

let P; // a horizon of 400 days
let H; // a horizon of 40 days
let F; // 30 days' notice: every session is inside the cancellation window
let seq = 0;
before(() => {
  P = createPractice({ label: 'one', tz: TZ, policy: policy(), services: { s60: { minutes: 60 } } });
  H = createPractice({ label: 'one-horizon', tz: TZ, policy: policy({ booking_horizon_days: 40 }), services: { s60: { minutes: 60 } } });
  F = createPractice({ label: 'one-flare', tz: TZ, policy: policy({ cancellation_notice_hours: 720 }), services: { s60: { minutes: 60 } } });
  sqlExec(`UPDATE clinics SET phone = ${lit(PHONE)} WHERE id IN (${lit(P.clinicId)}, ${lit(H.clinicId)}, ${lit(F.clinicId)})`);
});
after(() => { retirePractice(P); retirePractice(H); retirePractice(F); });

const practitioner = (p = P) => addPractitioner(p, `o${++seq}`, WEEKDAYS_9_TO_12);
const MON = () => nextWeekday(TZ, 1, 3);

async function single(pid, { p = P, day = MON(), time = '09:00' } = {}) {
  const b = await bookOk(pid, p.services.s60, at(day, time, TZ), TZ);
  return { id: b.id, token: b.manage_token, day };
}

const planOf = (b, token = b.token) => get(`/api/v1/bookings/${b.id}/plan`, { headers: bearer(token) });
const act = (b, what, body, { token = b.token, query = '' } = {}) =>
  post(`/api/v1/bookings/${b.id}/${what}${query}`, body, { headers: bearer(token) });
const seriesOf = (id) => sql(`SELECT series_id FROM bookings WHERE id = ${lit(id)}`)[0].series_id;
const openCount = (pid) => sql(`SELECT count(*)::int AS n FROM bookings
  WHERE practitioner_id = ${lit(pid)} AND status = 'booked'`)[0].n;
const overlaps = (pid) => sql(`SELECT count(*)::int AS n FROM bookings a JOIN bookings b
  ON a.practitioner_id = b.practitioner_id AND a.id < b.id AND a.blocked && b.blocked
  WHERE a.practitioner_id = ${lit(pid)} AND a.status <> 'cancelled' AND b.status <> 'cancelled'`)[0].n;
const seriesRows = (pid) => sql(`SELECT count(*)::int AS n FROM booking_series
  WHERE practitioner_id = ${lit(pid)}`)[0].n;

describe('GET /bookings/{id}/plan', () => {
  test('a single booking as a plan of one: its session, 0 of 1 done, the policy with the phone, flares; no plan row made', async () => {
    const pid = practitioner();
    const b = await single(pid);
    assert.equal(seriesRows(pid), 0, 'booking a single session makes no plan row');
    const r = await planOf(b);
    assert.equal(r.status, 200, r.text);
    const p = r.json;
    assert.equal(p.id, null);
    assert.equal(p.sessions.length, 1);
    assert.equal(p.sessions[0].status, 'booked');
    assert.equal(p.sessions[0].booking_id, b.id);
    assert.equal(p.sessions[0].start, fmt(at(b.day, '09:00', TZ), TZ));
    assert.equal(p.sessions[0].changeable, true);
    assert.equal(p.next_session.booking_id, b.id);
    assert.deepEqual(p.progress, { done: 0, total: 1, text: '0 of 1 done' });
    assert.equal(p.clinic.phone, PHONE);
    assert.ok(p.cancellation_policy.text.includes(PHONE), p.cancellation_policy.text);
    assert.deepEqual(p.flare_moves, { allowed: 2, used: 0, left: 2 });
    assert.equal(p.every_weeks, null);
    assert.equal(p.revision, 0);
    assert.equal(seriesRows(pid), 0, 'reading makes no plan row either');
    assert.ok(sql(`SELECT count(*)::int AS n FROM audit_log WHERE resource_id = ${lit(b.id)}
      AND action = 'read_booking'`)[0].n >= 1, 'the read is audited');
  });

  test('a session of a plan answers its plan', async () => {
    const pid = practitioner();
    const r0 = await post('/api/v1/booking-series', {
      practitioner_id: pid, service_id: P.services.s60, start: fmt(at(MON(), '10:00', TZ), TZ),
      patient: patient('one'), rrule: 'FREQ=WEEKLY;COUNT=3', on_conflict: 'skip',
    });
    assert.equal(r0.status, 201, r0.text);
    const first = { id: r0.json.occurrences[0].booking_id, token: r0.json.manage_token };
    const r = await planOf(first);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.id, r0.json.id);
    assert.equal(r.json.sessions.length, 3);
  });

  test('tokens: none, another booking\'s, a plan\'s, a malformed id: 404; a plan of one\'s token opens no plan', async () => {
    const pid = practitioner();
    const a = await single(pid);
    const b = await single(pid, { time: '10:00' });
    const r0 = await post('/api/v1/booking-series', {
      practitioner_id: pid, service_id: P.services.s60, start: fmt(at(MON(), '11:00', TZ), TZ),
      patient: patient('one'), rrule: 'FREQ=WEEKLY;COUNT=2', on_conflict: 'skip',
    });
    assert.equal(r0.status, 201, r0.text);
    const pl = { id: r0.json.id, token: r0.json.manage_token };
    assertProblem(await get(`/api/v1/bookings/${a.id}/plan`), 404);
    assertProblem(await planOf(a, b.token), 404);
    assertProblem(await planOf(a, pl.token), 404);
    assertProblem(await planOf(a, 'x'.repeat(43)), 404);
    assertProblem(await get('/api/v1/bookings/not-a-uuid/plan', { headers: bearer(a.token) }), 404);
    // another's token changes nothing either
    assertProblem(await act(a, 'sessions', { count: 1, every_weeks: 1 }, { token: b.token }), 404);
    assertProblem(await act(a, 'sessions', { count: 1, every_weeks: 1 }, { token: pl.token }), 404);
    assertProblem(await act(a, 'flare', { action: 'cancel' }, { token: pl.token }), 404);
    // a plan of one's token used on a plan
    assertProblem(await get(`/api/v1/booking-series/${pl.id}`, { headers: bearer(a.token) }), 404);
    assertProblem(await post(`/api/v1/booking-series/${pl.id}/sessions`, { count: 1 }, { headers: bearer(a.token) }), 404);
    assertProblem(await post(`/api/v1/booking-series/${pl.id}/flare`, { action: 'cancel' }, { headers: bearer(a.token) }), 404);
    assert.equal(openCount(pid), 4, 'nothing changed');
    assert.equal(seriesOf(a.id), null);
  });
});

describe('POST /bookings/{id}/sessions', () => {
  test('preview writes nothing; then the booking grows into a plan: every 2 weeks, the same token, one mail, an audit row', async () => {
    const pid = practitioner();
    const b = await single(pid);
    const pv = await act(b, 'sessions', { count: 2, every_weeks: 2 }, { query: '?preview=true' });
    assert.equal(pv.status, 200, pv.text);
    assert.equal(pv.json.preview, true);
    assert.equal(pv.json.plan.id, null);
    assert.deepEqual(pv.json.changes.map((c) => [c.status, c.start]), [
      ['free', fmt(at(addDays(b.day, 14), '09:00', TZ), TZ)],
      ['free', fmt(at(addDays(b.day, 28), '09:00', TZ), TZ)],
    ]);
    const dry = await act(b, 'sessions', { count: 2, every_weeks: 2, dry_run: true });
    assert.deepEqual(dry.json.changes, pv.json.changes);
    assert.equal(seriesRows(pid), 0, 'a preview makes no plan');
    assert.equal(openCount(pid), 1);

    const r = await act(b, 'sessions', { count: 2, every_weeks: 2 });
    assert.equal(r.status, 200, r.text);
    const p = r.json.plan;
    assert.match(p.id, /^[0-9a-f-]{36}$/);
    assert.equal(p.sessions.length, 3);
    assert.equal(p.sessions[0].booking_id, b.id);
    assert.equal(p.every_weeks, 2);
    assert.equal(p.revision, 1);
    assert.equal(p.progress.text, '0 of 3 done');
    assert.equal(seriesOf(b.id), p.id);
    assert.equal(openCount(pid), 3);
    // the booking's token opens the whole plan now, and each new session
    const g = await get(`/api/v1/booking-series/${p.id}`, { headers: bearer(b.token) });
    assert.equal(g.status, 200, g.text);
    const s3 = await get(`/api/v1/bookings/${p.sessions[2].booking_id}`, { headers: bearer(b.token) });
    assert.equal(s3.status, 200, s3.text);
    const mails = sql(`SELECT kind FROM notifications WHERE series_id = ${lit(p.id)}`);
    assert.deepEqual(mails.map((m) => m.kind), ['series_grown']);
    assert.equal(sql(`SELECT count(*)::int AS n FROM audit_log WHERE resource_id = ${lit(p.id)}
      AND action = 'extend_series'`)[0].n, 1);

    // through the booking again: sessions go to its plan, keeping the cadence
    const more = await act(b, 'sessions', { count: 1 });
    assert.equal(more.status, 200, more.text);
    assert.equal(more.json.plan.id, p.id);
    assert.equal(more.json.plan.sessions[3].start, fmt(at(addDays(b.day, 42), '09:00', TZ), TZ));
    assert.equal(seriesRows(pid), 1);
  });

  test('bad input: 0 or 100 sessions, every_weeks 0, 13 or missing, not numbers, unknown members, past the horizon: 422, nothing written', async () => {
    const pid = practitioner();
    const b = await single(pid);
    assertProblem(await act(b, 'sessions', { count: 0, every_weeks: 1 }), 422, 'count');
    assertProblem(await act(b, 'sessions', { count: 100, every_weeks: 1 }), 422, 'count');
    assertProblem(await act(b, 'sessions', { count: '2', every_weeks: 1 }), 422, 'count');
    assertProblem(await act(b, 'sessions', { every_weeks: 1 }), 422, 'count');
    assertProblem(await act(b, 'sessions', { count: 2, every_weeks: 0 }), 422, 'every_weeks');
    assertProblem(await act(b, 'sessions', { count: 2, every_weeks: 13 }), 422, 'every_weeks');
    assertProblem(await act(b, 'sessions', { count: 2 }), 422, 'every_weeks');
    assertProblem(await act(b, 'sessions', { count: 2, every_weeks: 1, more: true }), 422);
    assertProblem(await act(b, 'sessions', { count: 2, every_weeks: 1, dry_run: 'yes' }), 422, 'dry_run');
    const hid = practitioner(H);
    const hb = await single(hid, { p: H });
    assertProblem(await act(hb, 'sessions', { count: 10, every_weeks: 1 }), 422, 'count');
    assertProblem(await act(hb, 'sessions', { count: 10, every_weeks: 1 }, { query: '?preview=true' }), 422, 'count');
    assert.equal(openCount(pid), 1);
    assert.equal(openCount(hid), 1);
    assert.equal(seriesRows(pid) + seriesRows(hid), 0);
  });

  test('moving the single session to a taken time: 409, the plan of one unchanged', async () => {
    const pid = practitioner();
    const b = await single(pid);
    const other = await single(pid, { time: '11:00' });
    const r = await post(`/api/v1/bookings/${b.id}/reschedule`, { start: fmt(at(b.day, '11:00', TZ), TZ) },
      { headers: bearer(b.token) });
    assertProblem(r, 409);
    const p = (await planOf(b)).json;
    assert.equal(p.sessions[0].start, fmt(at(b.day, '09:00', TZ), TZ));
    assert.equal(p.sessions[0].status, 'booked');
    assert.ok(other.id);
    // moved to a free time, the plan of one says moved, from the time it had
    const to = fmt(at(addDays(b.day, 1), '10:00', TZ), TZ);
    assert.equal((await post(`/api/v1/bookings/${b.id}/reschedule`, { start: to }, { headers: bearer(b.token) })).status, 200);
    const q = (await planOf(b)).json;
    assert.equal(q.sessions[0].status, 'moved');
    assert.equal(q.sessions[0].requested_start, fmt(at(b.day, '09:00', TZ), TZ));
    assert.equal(q.sessions[0].reason_code, 'rescheduled');
    // cancelled, it says so; nothing left to add a flare to
    assert.equal((await post(`/api/v1/bookings/${b.id}/cancel`, {}, { headers: bearer(b.token) })).status, 200);
    const c = (await planOf(b)).json;
    assert.equal(c.sessions[0].status, 'cancelled');
    assert.equal(c.next_session, null);
    assert.deepEqual(c.progress, { done: 0, total: 0, text: '0 of 0 done' });
  });

  test('two additions at once to one single booking: one plan, nothing doubled', async () => {
    const pid = practitioner();
    const b = await single(pid);
    const rs = await Promise.all([
      act(b, 'sessions', { count: 1, every_weeks: 1 }),
      act(b, 'sessions', { count: 1, every_weeks: 2 }),
    ]);
    const won = rs.filter((x) => x.status === 200).length;
    assert.ok(won >= 1, rs.map((x) => x.text).join('\n'));
    for (const x of rs) if (x.status !== 200) assertProblem(x, 409);
    assert.equal(seriesRows(pid), 1, 'one plan');
    assert.equal(openCount(pid), 1 + won);
    assert.equal(overlaps(pid), 0);
  });
});

describe('POST /bookings/{id}/flare', () => {
  test('inside the window: a flare moves the single booking (previewed first), counted; the allowance runs out with the phone', async () => {
    const pid = practitioner(F);
    const b = await single(pid, { p: F });
    const plain = await post(`/api/v1/bookings/${b.id}/reschedule`,
      { start: fmt(at(addDays(b.day, 1), '09:00', TZ), TZ) }, { headers: bearer(b.token) });
    assertProblem(plain, 409);
    const pv = await act(b, 'flare', { action: 'move', dry_run: true });
    assert.equal(pv.status, 200, pv.text);
    assert.equal(pv.json.changes[0].status, 'moved');
    assert.equal(seriesRows(pid), 0, 'a preview makes nothing');

    const mv = await act(b, 'flare', { action: 'move' });
    assert.equal(mv.status, 200, mv.text);
    const s = mv.json.plan.sessions[0];
    assert.equal(s.booking_id, b.id);
    assert.equal(s.status, 'moved');
    assert.equal(s.flare, true);
    assert.equal(s.reason_code, 'flare');
    assert.equal(s.requested_start, fmt(at(b.day, '09:00', TZ), TZ));
    assert.deepEqual(mv.json.plan.flare_moves, { allowed: 2, used: 1, left: 1 });
    assert.equal(overlaps(pid), 0);
    assert.equal(sql(`SELECT count(*)::int AS n FROM notifications WHERE series_id = ${lit(mv.json.plan.id)}
      AND kind = 'series_flare'`)[0].n, 1);
    assert.equal((await act(b, 'flare', { action: 'move' })).status, 200);
    const no = await act(b, 'flare', { action: 'cancel' });
    assertProblem(no, 409);
    assert.ok(no.json.type.endsWith('flare-allowance-used'), no.text);
    assert.ok(no.json.detail.includes(PHONE), no.json.detail);
  });

  test('a chosen start that is taken: 409, nothing changed', async () => {
    const pid = practitioner(F);
    const b = await single(pid, { p: F });
    await single(pid, { p: F, day: addDays(b.day, 1) });
    const r = await act(b, 'flare', { action: 'move', start: fmt(at(addDays(b.day, 1), '09:00', TZ), TZ) });
    assertProblem(r, 409);
    assert.equal(seriesRows(pid), 0);
    assert.equal((await planOf(b)).json.flare_moves.left, 2);
  });
});
