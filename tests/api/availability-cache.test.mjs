// Availability is answered from a cache in memory while a practitioner's schedule has
// not changed.  Every kind of change shows in the very next answer: bookings,
// cancellations and moves made through the API at once; writes that bypass the API
// (another process, an operator's SQL) once the server has read its change log,
// which sqlExec waits for.  Each test first asks twice, so that the cache holds the
// answer it must then give up.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { get, post, lit, sqlExec } from './lib.mjs';
import {
  at, fmt, addDays, nextWeekday, createPractice, retirePractice, addTimeOff, availability,
  starts, bookOk, bearer,
} from './fixtures.mjs';

const TZ = 'America/Chicago';
const MONDAY = [{ weekday: 1, start: '09:00', end: '12:00' }];
let p;
let monday;

before(() => {
  p = createPractice({ label: 'availability cache', tz: TZ,
    policy: { slot_step_minutes: 30, min_notice_minutes: 0, booking_horizon_days: 60,
      cancellation_notice_hours: 0 },
    services: { s60: { minutes: 60 } },
    practitioners: { a: MONDAY, b: MONDAY, c: MONDAY, d: MONDAY, e: MONDAY, f: MONDAY } });
  monday = nextWeekday(TZ, 1);
});
after(() => retirePractice(p));

/** Monday's starts, asked for twice (the second answer comes from the cache). */
async function mondayStarts(key) {
  const q = { from: monday, to: monday, service: p.services.s60 };
  const first = starts(await availability(p.practitioners[key], q));
  assert.deepEqual(starts(await availability(p.practitioners[key], q)), first, 'the same answer twice');
  return first.map((s) => s.slice(11, 16));
}

const ALL = ['09:00', '09:30', '10:00', '10:30', '11:00'];

describe('availability from memory follows every change', () => {
  test('a booking, its move and its cancellation through the API show at once', async () => {
    assert.deepEqual(await mondayStarts('a'), ALL);
    const b = await bookOk(p.practitioners.a, p.services.s60, at(monday, '09:00', TZ), TZ);
    assert.deepEqual(await mondayStarts('a'), ['10:00', '10:30', '11:00']);
    const moved = await post(`/api/v1/bookings/${b.id}/reschedule`,
      { start: fmt(at(monday, '11:00', TZ), TZ) }, { headers: bearer(b.manage_token) });
    assert.equal(moved.status, 200, moved.text);
    assert.deepEqual(await mondayStarts('a'), ['09:00', '09:30', '10:00']);
    const c = await post(`/api/v1/bookings/${b.id}/cancel`, {}, { headers: bearer(b.manage_token) });
    assert.equal(c.status, 200, c.text);
    assert.deepEqual(await mondayStarts('a'), ALL);
  });

  test('a booking written by another process shows once the change log is read', async () => {
    assert.deepEqual(await mondayStarts('b'), ALL);
    const hour = `tstzrange(${lit(new Date(at(monday, '10:00', TZ)).toISOString())}::timestamptz,
                  ${lit(new Date(at(monday, '11:00', TZ)).toISOString())}::timestamptz)`;
    sqlExec(`INSERT INTO bookings (clinic_id, practitioner_id, service_id, location_id, during, blocked,
        patient_name, patient_email, manage_token_hash, created_by)
      VALUES (${lit(p.clinicId)}, ${lit(p.practitioners.b)}, ${lit(p.services.s60)}, ${lit(p.locationId)},
        ${hour}, ${hour}, 'Other Process', 'other@example.org', decode(repeat('ab', 32), 'hex'), 'staff')`);
    assert.deepEqual(await mondayStarts('b'), ['09:00', '11:00']);
  });

  test('time off and changed hours', async () => {
    assert.deepEqual(await mondayStarts('c'), ALL);
    addTimeOff(p, p.practitioners.c, at(monday, '09:00', TZ), at(monday, '10:00', TZ));
    assert.deepEqual(await mondayStarts('c'), ['10:00', '10:30', '11:00']);
    sqlExec(`UPDATE weekly_hours SET end_time = '11:00' WHERE practitioner_id = ${lit(p.practitioners.c)}`);
    assert.deepEqual(await mondayStarts('c'), ['10:00']);
  });

  test('the clinic\'s slot step and the service\'s length', async () => {
    assert.deepEqual(await mondayStarts('d'), ALL);
    sqlExec(`UPDATE clinics SET slot_step_minutes = 60 WHERE id = ${lit(p.clinicId)}`);
    assert.deepEqual(await mondayStarts('d'), ['09:00', '10:00', '11:00']);
    sqlExec(`UPDATE services SET duration_minutes = 90 WHERE id = ${lit(p.services.s60)}`);
    assert.deepEqual(await mondayStarts('d'), ['09:00', '10:00']);
    sqlExec(`UPDATE clinics SET slot_step_minutes = 30 WHERE id = ${lit(p.clinicId)};
             UPDATE services SET duration_minutes = 60 WHERE id = ${lit(p.services.s60)}`);
    assert.deepEqual(await mondayStarts('d'), ALL);
  });

  test('the service withdrawn from the practitioner: a 422 naming service, then offered again', async () => {
    assert.deepEqual(await mondayStarts('e'), ALL);
    sqlExec(`DELETE FROM practitioner_services WHERE practitioner_id = ${lit(p.practitioners.e)}`);
    const q = new URLSearchParams({ from: monday, to: monday, service: p.services.s60 });
    const r = await get(`/api/v1/practitioners/${p.practitioners.e}/availability?${q}`);
    assert.equal(r.status, 422, r.text);
    assert.equal(r.json.errors[0].field, 'service');
    sqlExec(`INSERT INTO practitioner_services (clinic_id, practitioner_id, service_id)
      VALUES (${lit(p.clinicId)}, ${lit(p.practitioners.e)}, ${lit(p.services.s60)})`);
    assert.deepEqual(await mondayStarts('e'), ALL);
  });

  test('the location moved to another time zone: the same wall-clock hours, other instants', async () => {
    const before = await availability(p.practitioners.f, { from: monday, to: addDays(monday, 0), service: p.services.s60 });
    assert.equal(before.timezone, TZ);
    await availability(p.practitioners.f, { from: monday, to: monday, service: p.services.s60 });
    sqlExec(`UPDATE locations SET timezone = 'America/New_York' WHERE id = ${lit(p.locationId)}`);
    try {
      const a = await availability(p.practitioners.f, { from: monday, to: monday, service: p.services.s60 });
      assert.equal(a.timezone, 'America/New_York');
      assert.equal(a.slots[0].start.slice(11, 16), '09:00');
      assert.notEqual(Date.parse(a.slots[0].start), Date.parse(before.slots[0].start));
    } finally {
      sqlExec(`UPDATE locations SET timezone = ${lit(TZ)} WHERE id = ${lit(p.locationId)}`);
    }
  });
});
