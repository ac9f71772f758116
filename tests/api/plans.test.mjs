// A treatment plan as a thing of its own (issue 14, items 1 and 2): GET
// /booking-series/{id} with the plan's manage token shows every session with its state
// (dates not booked with the real reason), the next one, progress, the clinic's phone,
// the policy and the flare moves left; cancel-rest, sessions added at the end and a new
// cadence are each previewed (nothing written) and then made in one transaction, with
// an outbox row and an audit row; bad input gets the right 4xx; two changes of one
// plan at once never book a time twice.  Each test has a practitioner of its own.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { startLimitedClinicd, requestFrom } from './server.mjs';
import { post, get, assertProblem, sql, lit, sqlExec } from './lib.mjs';
import {
  at, fmt, addDays, nextWeekday, createPractice, addPractitioner, addTimeOff,
  retirePractice, patient, bookOk, bearer,
} from './fixtures.mjs';

const TZ = 'Europe/Berlin';
const WEEKDAYS_9_TO_12 = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '12:00' }));
const PHONE = '+49 30 1234567';

/** A practice of the plans' policy (a horizon of 400 days, 24 hours' notice to cancel),
 * with `policy` changed as given, and one 60-minute service. */
const practiceOf = (label, policy = {}) => createPractice({
  label, tz: TZ, services: { s60: { minutes: 60 } },
  policy: { slot_step_minutes: 30, min_notice_minutes: 120, booking_horizon_days: 400,
    cancellation_notice_hours: 24, max_open_bookings_per_contact: 200, ...policy },
});

let P; // a horizon of 400 days
let H; // a horizon of 40 days
let seq = 0;
before(() => {
  P = practiceOf('plans');
  H = practiceOf('plans-horizon', { booking_horizon_days: 40 });
  sqlExec(`UPDATE clinics SET phone = ${lit(PHONE)} WHERE id IN (${lit(P.clinicId)}, ${lit(H.clinicId)})`);
});
after(() => { retirePractice(P); retirePractice(H); });

const practitioner = (p = P) => addPractitioner(p, `p${++seq}`, WEEKDAYS_9_TO_12);
const MON = () => nextWeekday(TZ, 1, 3);

async function makePlan(pid, rrule, { p = P, onConflict = 'skip', first = MON(), time = '09:00' } = {}) {
  const r = await post('/api/v1/booking-series', {
    practitioner_id: pid, service_id: p.services.s60, start: fmt(at(first, time, TZ), TZ),
    patient: patient('plan'), rrule, on_conflict: onConflict,
  });
  assert.equal(r.status, 201, r.text);
  return { id: r.json.id, token: r.json.manage_token, created: r.json, first };
}

const plan = (pl) => get(`/api/v1/booking-series/${pl.id}`, { headers: bearer(pl.token) });
const act = (pl, what, body, query = '') =>
  post(`/api/v1/booking-series/${pl.id}/${what}${query}`, body, { headers: bearer(pl.token) });

const openCount = (pid) => sql(`SELECT count(*)::int AS n FROM bookings
  WHERE practitioner_id = ${lit(pid)} AND status = 'booked'`)[0].n;
const overlaps = (pid) => sql(`SELECT count(*)::int AS n FROM bookings a JOIN bookings b
  ON a.practitioner_id = b.practitioner_id AND a.id < b.id AND a.blocked && b.blocked
  WHERE a.practitioner_id = ${lit(pid)} AND a.status <> 'cancelled' AND b.status <> 'cancelled'`)[0].n;
const outbox = (pl) => sql(`SELECT kind, payload FROM notifications WHERE series_id = ${lit(pl.id)}
  ORDER BY created_at`);
const audits = (pl, action) => sql(`SELECT count(*)::int AS n FROM audit_log
  WHERE resource_id = ${lit(pl.id)} AND action = ${lit(action)}`)[0].n;

describe('GET /booking-series/{id}', () => {
  test('the whole plan: states, the real reason of a date not booked, next first, progress, phone, policy, flares', async () => {
    const pid = practitioner();
    const mon = MON();
    // the third date is inside the practitioner's time off (the whole week)
    addTimeOff(P, pid, at(addDays(mon, 14), '00:00', TZ), at(addDays(mon, 19), '00:00', TZ));
    const pl = await makePlan(pid, 'FREQ=WEEKLY;INTERVAL=1;COUNT=5', { first: mon, onConflict: 'skip' });
    const skipped = pl.created.occurrences[2];
    assert.equal(skipped.status, 'skipped');
    assert.equal(skipped.reason_code, 'time_off', JSON.stringify(skipped));

    const r = await plan(pl);
    assert.equal(r.status, 200, r.text);
    const p = r.json;
    assert.equal(p.sessions.length, 5);
    assert.deepEqual(p.sessions.map((s) => s.status), ['booked', 'booked', 'unbookable', 'booked', 'booked']);
    assert.equal(p.sessions[2].reason_code, 'time_off');
    assert.match(p.sessions[2].reason, /time off/);
    assert.equal(p.sessions[2].start, fmt(at(addDays(mon, 14), '09:00', TZ), TZ));
    assert.equal(p.next_session.number, 1);
    assert.equal(p.next_session.start, fmt(at(mon, '09:00', TZ), TZ));
    assert.deepEqual(p.progress, { done: 0, total: 4, text: '0 of 4 done' });
    assert.equal(p.clinic.phone, PHONE);
    assert.equal(p.cancellation_policy.notice_hours, 24);
    assert.ok(p.cancellation_policy.text.includes(PHONE), p.cancellation_policy.text);
    assert.deepEqual(p.flare_moves, { allowed: 2, used: 0, left: 2 });
    assert.equal(p.every_weeks, 1);
    assert.ok(audits(pl, 'read_series') >= 1, 'the read is audited');
  });

  test('completed sessions count as done; a moved session says moved', async () => {
    const pid = practitioner();
    const pl = await makePlan(pid, 'FREQ=WEEKLY;COUNT=3');
    const ids = pl.created.occurrences.map((o) => o.booking_id);
    sqlExec(`UPDATE bookings SET status = 'completed' WHERE id = ${lit(ids[0])}`);
    sqlExec(`UPDATE bookings SET reschedule_count = 1 WHERE id = ${lit(ids[1])}`);
    const p = (await plan(pl)).json;
    assert.deepEqual(p.sessions.map((s) => s.status), ['completed', 'moved', 'booked']);
    assert.equal(p.progress.text, '1 of 3 done');
  });

  test('a date booked at the nearest free time shows as moved, with the time asked for and why; so does a session moved later', async () => {
    const pid = practitioner();
    const mon = MON();
    // someone else has the second Monday at 09:00: the plan books the nearest free time
    await bookOk(pid, P.services.s60, at(addDays(mon, 7), '09:00', TZ), TZ);
    const pl = await makePlan(pid, 'FREQ=WEEKLY;COUNT=3', { first: mon, onConflict: 'nearest' });
    assert.equal(pl.created.occurrences[1].status, 'moved', JSON.stringify(pl.created.occurrences[1]));
    let p = (await plan(pl)).json;
    assert.deepEqual(p.sessions.map((s) => s.status), ['booked', 'moved', 'booked']);
    const moved = p.sessions[1];
    assert.equal(moved.requested_start, fmt(at(addDays(mon, 7), '09:00', TZ), TZ));
    assert.notEqual(moved.start, moved.requested_start);
    assert.equal(moved.reason_code, 'taken');
    assert.match(moved.reason, /someone else/);
    assert.equal(p.sessions[0].requested_start, undefined, 'a session where it was asked says nothing more');
    assert.equal(p.progress.text, '0 of 3 done');

    // the third session moved later by the patient: moved, from its old time
    const third = p.sessions[2];
    const to = fmt(at(addDays(mon, 15), '10:00', TZ), TZ);
    const mv = await post(`/api/v1/bookings/${third.booking_id}/reschedule`, { start: to }, { headers: bearer(pl.token) });
    assert.equal(mv.status, 200, mv.text);
    p = (await plan(pl)).json;
    const later = p.sessions.find((s) => s.booking_id === third.booking_id);
    assert.equal(later.status, 'moved');
    assert.equal(later.start, to);
    assert.equal(later.requested_start, third.start);
    assert.equal(later.reason_code, 'rescheduled');
    // and moved once more: the time first asked for stays
    const again = fmt(at(addDays(mon, 16), '10:00', TZ), TZ);
    assert.equal((await post(`/api/v1/bookings/${third.booking_id}/reschedule`, { start: again }, { headers: bearer(pl.token) })).status, 200);
    const twice = (await plan(pl)).json.sessions.find((s) => s.booking_id === third.booking_id);
    assert.equal(twice.requested_start, third.start);
  });

  test('sessions added at a nearby time show as moved in the plan afterwards, with why', async () => {
    const pid = practitioner();
    const mon = MON();
    const pl = await makePlan(pid, 'FREQ=WEEKLY;COUNT=2', { first: mon });
    await bookOk(pid, P.services.s60, at(addDays(mon, 14), '09:00', TZ), TZ);
    const r = await act(pl, 'sessions', { count: 1 });
    assert.equal(r.status, 200, r.text);
    const s = r.json.plan.sessions[2];
    assert.equal(s.status, 'moved');
    assert.equal(s.requested_start, fmt(at(addDays(mon, 14), '09:00', TZ), TZ));
    assert.equal(s.reason_code, 'taken');
  });

  test('dates past the booking horizon say so when the plan is made, and later', async () => {
    const pid = practitioner(H);
    const pl = await makePlan(pid, 'FREQ=WEEKLY;COUNT=10', { p: H });
    const p = (await plan(pl)).json;
    const codes = p.sessions.filter((s) => s.status === 'unbookable').map((s) => s.reason_code);
    assert.ok(codes.length > 0, JSON.stringify(p.sessions));
    assert.ok(codes.every((c) => c === 'past_horizon'), JSON.stringify(codes));
  });

  test('no token, another plan\'s token, a single booking\'s token, an unknown or malformed id: 404', async () => {
    const pid = practitioner();
    const a = await makePlan(pid, 'FREQ=WEEKLY;COUNT=2');
    const b = await makePlan(pid, 'FREQ=WEEKLY;COUNT=2', { time: '11:00' });
    const single = await bookOk(pid, P.services.s60, at(addDays(MON(), 1), '09:00', TZ), TZ);
    assertProblem(await get(`/api/v1/booking-series/${a.id}`), 404);
    assertProblem(await get(`/api/v1/booking-series/${a.id}`, { headers: bearer(b.token) }), 404);
    assertProblem(await get(`/api/v1/booking-series/${a.id}`, { headers: bearer(single.manage_token) }), 404);
    assertProblem(await get('/api/v1/booking-series/6f1c1e52-5c1a-4a39-9d59-2f4b8a0c0c01', { headers: bearer(a.token) }), 404);
    assertProblem(await get('/api/v1/booking-series/not-a-uuid', { headers: bearer(a.token) }), 404);
    // and a change with another plan's token changes nothing
    assertProblem(await post(`/api/v1/booking-series/${a.id}/cancel-rest`, {}, { headers: bearer(b.token) }), 404);
    assert.equal((await plan(a)).json.sessions.filter((s) => s.status === 'booked').length, 2);
  });
});

/** BLAKE2b-256 of text as hex, as manage and lost-link tokens are stored (python3's hashlib). */
function blake2b256(text) {
  const r = spawnSync('/usr/bin/python3', ['-c',
    'import hashlib, sys; print(hashlib.blake2b(sys.argv[1].encode(), digest_size=32).hexdigest())', text],
  { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

describe('GET /booking-series/{id} with a lost link', () => {
  test('a lost link mailed for the plan opens it; not another plan, not once expired', async () => {
    const pid = practitioner();
    const a = await makePlan(pid, 'FREQ=WEEKLY;COUNT=2');
    const b = await makePlan(pid, 'FREQ=WEEKLY;COUNT=2', { time: '11:00' });
    const token = randomBytes(32).toString('base64url');
    sqlExec(`INSERT INTO lost_link_tokens (token_hash, series_id, expires_at)
      VALUES (${lit(`\\x${blake2b256(token)}`)}::bytea, ${lit(a.id)}, now() + interval '1 day')`);
    const r = await plan({ id: a.id, token });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.sessions.length, 2);
    assertProblem(await plan({ id: b.id, token }), 404);
    sqlExec(`UPDATE lost_link_tokens SET created_at = now() - interval '2 days', expires_at = now() - interval '1 second'
      WHERE series_id = ${lit(a.id)}`);
    assertProblem(await plan({ id: a.id, token }), 404);
  });
});

describe('POST /booking-series/{id}/cancel-rest', () => {
  test('preview writes nothing; then every later session is cancelled, with one outbox row and an audit row', async () => {
    const pid = practitioner();
    const pl = await makePlan(pid, 'FREQ=WEEKLY;COUNT=4');
    const pv = await act(pl, 'cancel-rest', {}, '?preview=true');
    assert.equal(pv.status, 200, pv.text);
    assert.equal(pv.json.preview, true);
    assert.deepEqual(pv.json.changes.map((c) => c.status), ['cancelled', 'cancelled', 'cancelled', 'cancelled']);
    const dry = await act(pl, 'cancel-rest', { dry_run: true });
    assert.equal(dry.status, 200, dry.text);
    assert.deepEqual(dry.json.changes, pv.json.changes);
    assert.equal(openCount(pid), 4, 'a preview writes nothing');
    assert.equal(outbox(pl).length, 1, 'only the plan\'s confirmation so far');

    const r = await act(pl, 'cancel-rest', {});
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.preview, false);
    assert.deepEqual(r.json.plan.sessions.map((s) => s.status), ['cancelled', 'cancelled', 'cancelled', 'cancelled']);
    assert.equal(r.json.plan.next_session, null);
    assert.equal(openCount(pid), 0);
    const rows = outbox(pl).filter((n) => n.kind === 'series_cancelled');
    assert.equal(rows.length, 1);
    assert.equal(rows[0].payload.changes.length, 4);
    assert.equal(audits(pl, 'cancel_series_rest'), 1);

    assertProblem(await act(pl, 'cancel-rest', {}), 409);
  });

  test('bad input: an unknown member, dry_run not a boolean, an unknown query parameter', async () => {
    const pid = practitioner();
    const pl = await makePlan(pid, 'FREQ=WEEKLY;COUNT=2');
    assertProblem(await act(pl, 'cancel-rest', { everything: true }), 422);
    assertProblem(await act(pl, 'cancel-rest', { dry_run: 'yes' }), 422, 'dry_run');
    assertProblem(await act(pl, 'cancel-rest', {}, '?preveiw=true'), 422);
    assert.equal(openCount(pid), 2);
  });
});

describe('POST /booking-series/{id}/sessions', () => {
  test('preview then add 2 at the end keeping the cadence; outbox and audit rows', async () => {
    const pid = practitioner();
    const mon = MON();
    const pl = await makePlan(pid, 'FREQ=WEEKLY;INTERVAL=2;COUNT=3', { first: mon });
    const pv = await act(pl, 'sessions', { count: 2, dry_run: true });
    assert.equal(pv.status, 200, pv.text);
    assert.deepEqual(pv.json.changes.map((c) => [c.status, c.start]), [
      ['free', fmt(at(addDays(mon, 42), '09:00', TZ), TZ)],
      ['free', fmt(at(addDays(mon, 56), '09:00', TZ), TZ)],
    ]);
    assert.equal(openCount(pid), 3, 'a preview writes nothing');

    const r = await act(pl, 'sessions', { count: 2 });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.plan.sessions.length, 5);
    assert.equal(openCount(pid), 5);
    assert.equal(r.json.plan.revision, 1);
    assert.equal(outbox(pl).filter((n) => n.kind === 'series_extended').length, 1);
    assert.equal(audits(pl, 'extend_series'), 1);
    // the new sessions share the plan's token
    const added = r.json.plan.sessions[4];
    const g = await get(`/api/v1/bookings/${added.booking_id}`, { headers: bearer(pl.token) });
    assert.equal(g.status, 200, g.text);
    assert.equal(g.json.series_id, pl.id);
  });

  test('a new date on time off is moved to the nearest free time, saying why', async () => {
    const pid = practitioner();
    const mon = MON();
    const pl = await makePlan(pid, 'FREQ=WEEKLY;COUNT=2', { first: mon });
    const target = addDays(mon, 14);
    addTimeOff(P, pid, at(target, '00:00', TZ), at(addDays(target, 1), '00:00', TZ));
    const r = await act(pl, 'sessions', { count: 1 }, '?preview=true');
    assert.equal(r.status, 200, r.text);
    const [c] = r.json.changes;
    assert.equal(c.status, 'moved');
    assert.equal(c.reason_code, 'time_off');
    assert.equal(c.requested_start, fmt(at(target, '09:00', TZ), TZ));
  });

  test('bad input: count out of range or not a number, past the horizon, more than 52 sessions', async () => {
    const pid = practitioner();
    const pl = await makePlan(pid, 'FREQ=WEEKLY;COUNT=2');
    assertProblem(await act(pl, 'sessions', { count: 0 }), 422, 'count');
    assertProblem(await act(pl, 'sessions', { count: 21 }), 422, 'count');
    assertProblem(await act(pl, 'sessions', { count: '2' }), 422, 'count');
    assertProblem(await act(pl, 'sessions', {}), 422, 'count');
    assertProblem(await act(pl, 'sessions', { count: 1, every_weeks: 13 }), 422, 'every_weeks');
    const big = await makePlan(practitioner(), 'FREQ=WEEKLY;COUNT=40');
    assertProblem(await act(big, 'sessions', { count: 20 }), 422, 'count');
    const hp = await makePlan(practitioner(H), 'FREQ=WEEKLY;COUNT=3', { p: H });
    assertProblem(await act(hp, 'sessions', { count: 5 }), 422, 'count');
    assertProblem(await act(hp, 'sessions', { count: 5 }, '?preview=true'), 422, 'count');
    assert.equal(openCount(pid), 2);
  });
});

describe('POST /booking-series/{id}/cadence', () => {
  test('every 2 weeks from session 3: earlier sessions stay, the rest move; preview first', async () => {
    const pid = practitioner();
    const mon = MON();
    const pl = await makePlan(pid, 'FREQ=WEEKLY;COUNT=5', { first: mon });
    const before = (await plan(pl)).json.sessions.map((s) => s.start);
    const pv = await act(pl, 'cadence', { from_session: 3, every_weeks: 2 }, '?preview=true');
    assert.equal(pv.status, 200, pv.text);
    assert.deepEqual((await plan(pl)).json.sessions.map((s) => s.start), before, 'a preview writes nothing');

    const r = await act(pl, 'cadence', { from_session: 3, every_weeks: 2 });
    assert.equal(r.status, 200, r.text);
    const want = [0, 7, 14, 28, 42].map((d) => fmt(at(addDays(mon, d), '09:00', TZ), TZ));
    const live = r.json.plan.sessions.filter((s) => s.status !== 'cancelled');
    assert.deepEqual(live.map((s) => s.start), want);
    assert.equal(r.json.plan.every_weeks, 2);
    assert.equal(openCount(pid), 5);
    assert.equal(overlaps(pid), 0);
    assert.equal(outbox(pl).filter((n) => n.kind === 'series_rescheduled').length, 1);
    assert.equal(audits(pl, 'change_series_cadence'), 1);
  });

  test('bad input: session out of range, every_weeks out of range, past the horizon, a cancelled session', async () => {
    const pid = practitioner();
    const pl = await makePlan(pid, 'FREQ=WEEKLY;COUNT=3');
    assertProblem(await act(pl, 'cadence', { from_session: 0, every_weeks: 2 }), 422, 'from_session');
    assertProblem(await act(pl, 'cadence', { from_session: 9, every_weeks: 2 }), 422, 'from_session');
    assertProblem(await act(pl, 'cadence', { from_session: 2, every_weeks: 0 }), 422, 'every_weeks');
    assertProblem(await act(pl, 'cadence', { from_session: 2 }), 422, 'every_weeks');
    const ids = pl.created.occurrences.map((o) => o.booking_id);
    sqlExec(`UPDATE bookings SET status = 'cancelled', cancelled_at = now() WHERE id = ${lit(ids[1])}`);
    assertProblem(await act(pl, 'cadence', { from_session: 2, every_weeks: 2 }), 422, 'from_session');
    const hp = await makePlan(practitioner(H), 'FREQ=WEEKLY;COUNT=4', { p: H });
    assertProblem(await act(hp, 'cadence', { from_session: 2, every_weeks: 12 }), 422, 'every_weeks');
  });

  test('two changes of one plan at once: one wins or they run one after the other; nothing doubled', async () => {
    const pid = practitioner();
    const pl = await makePlan(pid, 'FREQ=WEEKLY;COUNT=6');
    const [a, b] = await Promise.all([
      act(pl, 'cadence', { from_session: 2, every_weeks: 2 }),
      act(pl, 'cadence', { from_session: 2, every_weeks: 3 }),
    ]);
    const codes = [a.status, b.status].sort();
    assert.ok(codes[0] === 200, `one wins: ${a.text} ${b.text}`);
    for (const x of [a, b]) if (x.status !== 200) assertProblem(x, 409);
    assert.equal(overlaps(pid), 0, 'no time booked twice');
    assert.equal(openCount(pid), 6);
    const p = (await plan(pl)).json;
    assert.equal(p.revision, codes.filter((c) => c === 200).length);
  });

  test('two additions at once: each that wins adds its session, none doubled', async () => {
    const pid = practitioner();
    const pl = await makePlan(pid, 'FREQ=WEEKLY;COUNT=2');
    const rs = await Promise.all([act(pl, 'sessions', { count: 1 }), act(pl, 'sessions', { count: 1 })]);
    const won = rs.filter((x) => x.status === 200).length;
    assert.ok(won >= 1, rs.map((x) => x.text).join('\n'));
    for (const x of rs) if (x.status !== 200) assertProblem(x, 409);
    assert.equal(openCount(pid), 2 + won);
    assert.equal(overlaps(pid), 0);
  });
});

describe('POST /booking-series/{id}/flare', () => {
  let F; // a clinic asking 30 days' notice: every session of these plans is inside its window
  before(() => {
    F = practiceOf('plans-flare', { cancellation_notice_hours: 720 });
    sqlExec(`UPDATE clinics SET phone = ${lit(PHONE)} WHERE id = ${lit(F.clinicId)};
      INSERT INTO staff_users (clinic_id, email, name, role, password_hash)
      VALUES (${lit(F.clinicId)}, ${lit(`admin.${F.clinicId}@example.org`)}, 'Front desk', 'clinic_admin',
        '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$notarealhashnotarealhash')`);
  });
  after(() => retirePractice(F));

  test('inside the window: a flare moves the next session, then cancels it; the third is refused with the phone', async () => {
    const pid = practitioner(F);
    const pl = await makePlan(pid, 'FREQ=WEEKLY;COUNT=3', { p: F });
    const ids = pl.created.occurrences.map((o) => o.booking_id);
    // the ordinary move is refused inside the window
    const plain = await post(`/api/v1/bookings/${ids[0]}/reschedule`,
      { start: fmt(at(addDays(pl.first, 1), '09:00', TZ), TZ) }, { headers: bearer(pl.token) });
    assertProblem(plain, 409);

    const pv = await act(pl, 'flare', { action: 'move', dry_run: true });
    assert.equal(pv.status, 200, pv.text);
    assert.equal(pv.json.changes[0].status, 'moved');
    assert.equal(pv.json.plan.flare_moves.left, 2, 'a preview uses nothing');

    const mv = await act(pl, 'flare', { action: 'move' });
    assert.equal(mv.status, 200, mv.text);
    const first = mv.json.plan.sessions.find((s) => s.booking_id === ids[0]);
    assert.equal(first.status, 'moved');
    assert.equal(first.flare, true);
    assert.equal(first.start, mv.json.changes[0].start);
    assert.equal(first.requested_start, pl.created.occurrences[0].start, 'the time it had');
    assert.equal(first.reason_code, 'flare');
    assert.ok(Date.parse(first.start) >= Date.parse(pl.created.occurrences[0].end), 'after the session');
    assert.equal(mv.json.plan.flare_moves.left, 1);
    assert.equal(sql(`SELECT flare FROM bookings WHERE id = ${lit(ids[0])}`)[0].flare, true);
    assert.equal(outbox(pl).filter((n) => n.kind === 'series_flare').length, 1);
    const told = outbox(pl).filter((n) => n.kind === 'flare_clinic');
    assert.equal(told.length, 1, 'the clinic\'s administrator is told');
    assert.equal(told[0].payload.manage_token_sealed, undefined, 'without the patient\'s link');
    assert.equal(audits(pl, 'flare_move'), 1);
    assert.equal(overlaps(pid), 0);

    const cx = await act(pl, 'flare', { action: 'cancel' });
    assert.equal(cx.status, 200, cx.text);
    assert.equal(cx.json.plan.flare_moves.left, 0);
    assert.equal(cx.json.plan.sessions.find((s) => s.booking_id === ids[0]).status, 'cancelled');

    const no = await act(pl, 'flare', { action: 'move' });
    assertProblem(no, 409);
    assert.ok(no.json.type.endsWith('flare-allowance-used'), no.text);
    assert.ok(no.json.detail.includes(PHONE), no.json.detail);
    assert.equal(no.json.clinic_phone, PHONE);
    assert.equal(openCount(pid), 2);
  });

  test('cancel-rest inside the window: nothing can be cancelled online, a 409, nothing changed', async () => {
    const pid = practitioner(F);
    const pl = await makePlan(pid, 'FREQ=WEEKLY;COUNT=2', { p: F });
    assertProblem(await act(pl, 'cancel-rest', {}), 409);
    const p = (await plan(pl)).json;
    assert.deepEqual(p.sessions.map((x) => x.changeable), [false, false]);
    assert.equal(openCount(pid), 2);
  });

  test('flare moves turned off (0): 409 saying to call, nothing changed', async () => {
    const X = practiceOf('plans-noflare', { flare_moves_per_plan: 0 });
    try {
      const pid = practitioner(X);
      const pl = await makePlan(pid, 'FREQ=WEEKLY;COUNT=2', { p: X });
      const r = await act(pl, 'flare', { action: 'cancel' });
      assertProblem(r, 409);
      assert.ok(r.json.type.endsWith('flare-moves-off'), r.text);
      assert.equal(openCount(pid), 2);
    } finally {
      retirePractice(X);
    }
  });

  test('bad input: an unknown action, a start with cancel, a chosen start that is taken', async () => {
    const pid = practitioner(F);
    const pl = await makePlan(pid, 'FREQ=WEEKLY;COUNT=2', { p: F });
    assertProblem(await act(pl, 'flare', { action: 'jump' }), 422, 'action');
    assertProblem(await act(pl, 'flare', {}), 422, 'action');
    const t = fmt(at(addDays(pl.first, 1), '09:00', TZ), TZ);
    assertProblem(await act(pl, 'flare', { action: 'cancel', start: t }), 422, 'start');
    await bookOk(pid, F.services.s60, at(addDays(pl.first, 1), '09:00', TZ), TZ);
    assertProblem(await act(pl, 'flare', { action: 'move', start: t }), 409);
    assert.equal((await plan(pl)).json.flare_moves.left, 2);
  });
});

describe('the patients\' write limit (a clinicd of its own: 6 writes at once, 60 an hour)', () => {
  let S;
  before(async () => {
    S = await startLimitedClinicd({ logName: 'plans-rate-server', perHour: 60, burst: 6 });
  });
  after(async () => { await S?.stop(); });

  test('each session added beyond the first takes a token; a preview takes one; past the burst a 429, nothing added', async () => {
    const pid = practitioner();
    const from = '127.0.0.77';
    const mon = MON();
    const made = await requestFrom(S.base, from, 'POST', '/api/v1/booking-series', { body: {
      practitioner_id: pid, service_id: P.services.s60, start: fmt(at(mon, '09:00', TZ), TZ),
      patient: patient('rate'), rrule: 'FREQ=WEEKLY;COUNT=3', on_conflict: 'skip' } });
    assert.equal(made.status, 201, made.text); // 3 tokens
    const pl = { id: made.json.id, token: made.json.manage_token };
    const path = `/api/v1/booking-series/${pl.id}/sessions`;
    const pv = await requestFrom(S.base, from, 'POST', `${path}?preview=true`, { body: { count: 3 }, headers: bearer(pl.token) });
    assert.equal(pv.status, 200, pv.text); // 1 token
    const r = await requestFrom(S.base, from, 'POST', path, { body: { count: 3 }, headers: bearer(pl.token) });
    assertProblem(r, 429); // 1 taken by the route, 2 more wanted, 1 left
    assert.match(r.headers.get('retry-after') ?? '', /^\d+$/);
    assert.equal(openCount(pid), 3, 'nothing added');
  });
});

