// A booking is checked against the practitioner's schedule as the server keeps it in
// memory (hours, time off, services, policy; not the other bookings, which the
// exclusion constraint settles), and book_slot confirms in the same statement that the
// schedule's revision is still the database's (migration 0010).  So a change written
// behind the server's back (another process, an operator's SQL), even one the server
// has not heard of yet, decides the very next booking: these tests change the schedule
// with plain psql and book at once, without waiting for the change log to be read.
// Each test first books once, so that the schedule is in memory, and checks with
// /metrics that the next booking was checked from there.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { get, lit, OWNER_DB } from './lib.mjs';
import {
  at, isoWeekday, nextWeekday, createPractice, retirePractice, book, bookOk,
} from './fixtures.mjs';

const TZ = 'America/New_York';
let P, D;

/** Statements as the owner, at once (no waiting for the server's change log). */
function behindTheBack(statements) {
  execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', OWNER_DB, '-c', statements],
    { encoding: 'utf8' });
}

async function counts() {
  const r = await get('/metrics');
  assert.equal(r.status, 200);
  const n = (source) => Number(new RegExp(
    `^clinicd_booking_schedules_total\\{source="${source}"\\} (\\d+)$`, 'm').exec(r.text)?.[1]);
  return { cache: n('cache'), database: n('database') };
}

const typeEnds = (r, suffix) =>
  assert.ok(String(r.json?.type).endsWith(suffix), `type should end with ${suffix}: ${r.status} ${r.text}`);

before(() => {
  D = nextWeekday(TZ, 4, 3); // a Thursday at least 3 days ahead
  const day = (start, end) => [{ weekday: isoWeekday(D), start, end, valid_from: D, valid_to: D }];
  P = createPractice({
    label: 'booking from memory', tz: TZ,
    policy: { slot_step_minutes: 30, min_notice_minutes: 60, booking_horizon_days: 60 },
    services: { s60: { minutes: 60 } },
    practitioners: { hours: day('09:00', '13:00'), off: day('09:00', '13:00'),
      policy: day('09:00', '13:00'), more: day('09:00', '11:00'), length: day('09:00', '13:00'),
      taken: day('09:00', '13:00'), next: day('09:00', '13:00') },
  });
});
after(() => retirePractice(P));

/** Books 09:00 (the schedule is then in memory), and checks that booking 09:00 again
 * is decided from memory (a 409 from the exclusion constraint). */
async function warm(key) {
  await bookOk(P.practitioners[key], P.services.s60, at(D, '09:00', TZ), TZ);
  const c0 = await counts();
  const again = await book(P.practitioners[key], P.services.s60, at(D, '09:00', TZ), TZ);
  assert.equal(again.status, 409, again.text);
  typeEnds(again, 'slot-unavailable');
  const c1 = await counts();
  assert.equal(c1.cache, c0.cache + 1, 'the second booking was checked from memory');
  assert.equal(c1.database, c0.database, 'and did not read the schedule from the database');
}

describe('a booking checked from memory, confirmed by the database', () => {
  test('hours shortened behind the server\'s back: the next booking after the new end is refused', async () => {
    await warm('hours');
    behindTheBack(`UPDATE weekly_hours SET end_time = '11:00'
      WHERE practitioner_id = ${lit(P.practitioners.hours)}`);
    const c0 = await counts();
    const r = await book(P.practitioners.hours, P.services.s60, at(D, '11:30', TZ), TZ);
    assert.equal(r.status, 409, r.text);
    typeEnds(r, 'slot-unavailable');
    assert.equal((await counts()).database, c0.database + 1, 'the schedule was read again');
    assert.equal(Number((await sqlCount(`practitioner_id = ${lit(P.practitioners.hours)}
      AND lower(during) = ${lit(new Date(at(D, '11:30', TZ)).toISOString())}::timestamptz`))), 0,
    'nothing was written');
    // inside the new hours, booking goes on
    await bookOk(P.practitioners.hours, P.services.s60, at(D, '10:00', TZ), TZ);
  });

  test('time off written behind the server\'s back is respected at once', async () => {
    await warm('off');
    behindTheBack(`INSERT INTO time_off (clinic_id, practitioner_id, during)
      VALUES (${lit(P.clinicId)}, ${lit(P.practitioners.off)},
        tstzrange(${lit(new Date(at(D, '10:00', TZ)).toISOString())}::timestamptz,
                  ${lit(new Date(at(D, '12:00', TZ)).toISOString())}::timestamptz))`);
    const r = await book(P.practitioners.off, P.services.s60, at(D, '10:30', TZ), TZ);
    assert.equal(r.status, 409, r.text);
    typeEnds(r, 'slot-unavailable');
    await bookOk(P.practitioners.off, P.services.s60, at(D, '12:00', TZ), TZ);
  });

  test('a clinic\'s horizon shortened behind the server\'s back is the policy of the next booking', async () => {
    await warm('policy');
    const days = Math.max(1, Math.floor((at(D, '09:00', TZ) - Date.now()) / 86400e3) - 1);
    behindTheBack(`UPDATE clinics SET booking_horizon_days = ${days} WHERE id = ${lit(P.clinicId)}`);
    try {
      const r = await book(P.practitioners.policy, P.services.s60, at(D, '11:00', TZ), TZ);
      assert.equal(r.status, 409, r.text);
      typeEnds(r, 'outside-policy');
    } finally {
      behindTheBack(`UPDATE clinics SET booking_horizon_days = 60 WHERE id = ${lit(P.clinicId)}`);
    }
  });

  test('hours added behind the server\'s back can be booked at once (a refusal from memory is checked again)', async () => {
    await warm('more');
    const r0 = await book(P.practitioners.more, P.services.s60, at(D, '12:00', TZ), TZ);
    assert.equal(r0.status, 409, 'outside the hours at first');
    behindTheBack(`UPDATE weekly_hours SET end_time = '13:00'
      WHERE practitioner_id = ${lit(P.practitioners.more)}`);
    await bookOk(P.practitioners.more, P.services.s60, at(D, '12:00', TZ), TZ);
  });

  test('a longer session written behind the server\'s back no longer fits before closing', async () => {
    await warm('length');
    // the service is shared by the whole practice: change it back afterwards
    behindTheBack(`UPDATE services SET duration_minutes = 90 WHERE id = ${lit(P.services.s60)}`);
    try {
      const r = await book(P.practitioners.length, P.services.s60, at(D, '12:00', TZ), TZ);
      assert.equal(r.status, 409, r.text);
      typeEnds(r, 'slot-unavailable');
    } finally {
      behindTheBack(`UPDATE services SET duration_minutes = 60 WHERE id = ${lit(P.services.s60)}`);
    }
  });

  test('a slot another process booked is a 409 from the exclusion constraint, not a double booking', async () => {
    await warm('taken');
    const range = `tstzrange(${lit(new Date(at(D, '11:00', TZ)).toISOString())}::timestamptz,
                    ${lit(new Date(at(D, '12:00', TZ)).toISOString())}::timestamptz)`;
    behindTheBack(`INSERT INTO bookings (clinic_id, practitioner_id, service_id, location_id, during,
        blocked, patient_name, patient_email, manage_token_hash, created_by)
      VALUES (${lit(P.clinicId)}, ${lit(P.practitioners.taken)}, ${lit(P.services.s60)},
        ${lit(P.locationId)}, ${range}, ${range}, 'Other Process', 'other@example.org',
        decode(repeat('ab', 32), 'hex'), 'staff')`);
    const c0 = await counts();
    const r = await book(P.practitioners.taken, P.services.s60, at(D, '11:30', TZ), TZ);
    assert.equal(r.status, 409, r.text);
    typeEnds(r, 'slot-unavailable');
    assert.equal((await counts()).cache, c0.cache + 1, 'decided from memory and the constraint');
    assert.equal(Number(await sqlCount(`practitioner_id = ${lit(P.practitioners.taken)}
      AND status = 'booked'`)), 2, 'the 09:00 booking and the other process\'s, nothing else');
  });
});

describe('the next free time after a booking', () => {
  test('booking the next free slot moves next_available on; booking far from it keeps it', async () => {
    const pid = P.practitioners.next;
    const profile = async () => {
      const r = await get(`/api/v1/practitioners/${pid}`);
      assert.equal(r.status, 200, r.text);
      return r.json.next_available;
    };
    const first = await profile();
    assert.equal(Date.parse(first), at(D, '09:00', TZ), 'free from 09:00');
    await bookOk(pid, P.services.s60, at(D, '12:00', TZ), TZ);
    assert.equal(Date.parse(await profile()), at(D, '09:00', TZ), 'a booking at 12:00 leaves 09:00 free');
    await bookOk(pid, P.services.s60, at(D, '09:00', TZ), TZ);
    assert.equal(Date.parse(await profile()), at(D, '10:00', TZ), 'booking 09:00 moves it to 10:00');
    // written by another process: the change log's booked range reaches the server
    const range = `tstzrange(${lit(new Date(at(D, '10:00', TZ)).toISOString())}::timestamptz,
                    ${lit(new Date(at(D, '11:00', TZ)).toISOString())}::timestamptz)`;
    behindTheBack(`INSERT INTO bookings (clinic_id, practitioner_id, service_id, location_id, during,
        blocked, patient_name, patient_email, manage_token_hash, created_by)
      VALUES (${lit(P.clinicId)}, ${lit(pid)}, ${lit(P.services.s60)}, ${lit(P.locationId)},
        ${range}, ${range}, 'Other Process', 'other@example.org', decode(repeat('cd', 32), 'hex'), 'staff')`);
    const deadline = Date.now() + 5000;
    let seen = await profile();
    while (Date.parse(seen) !== at(D, '11:00', TZ) && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 50));
      seen = await profile();
    }
    assert.equal(Date.parse(seen), at(D, '11:00', TZ), 'another process\'s booking of 10:00 moves it to 11:00');
    const [row] = JSON.parse(execFileSync('psql', ['-X', '-q', '-t', '-A', OWNER_DB, '-c',
      `SELECT json_agg(json_build_object('kind', kind, 'from', booked_from, 'to', booked_to))
       FROM directory_changes WHERE practitioner_id = ${lit(pid)} AND kind = 'b'
         AND booked_from = ${Math.floor(at(D, '10:00', TZ) / 1000)}`], { encoding: 'utf8' }));
    assert.deepEqual(row, { kind: 'b', from: at(D, '10:00', TZ) / 1000, to: at(D, '11:00', TZ) / 1000 },
      'the change log holds the booked range');
  });
});

/** How many bookings match the condition. */
function sqlCount(where) {
  return execFileSync('psql', ['-X', '-q', '-t', '-A', OWNER_DB, '-c',
    `SELECT count(*) FROM bookings WHERE ${where}`], { encoding: 'utf8' }).trim();
}
