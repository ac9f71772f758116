// What the one-statement booking (migrations 0008 and 0009) must keep: a booking, its
// confirmation in the outbox and its change-log row are written together or not at
// all; a refused booking leaves nothing behind; foreign keys still hold for whatever
// writes the rows; and the change log still tells the directory index.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { BASE, sql, lit } from './lib.mjs';
import {
  MIN, at, fmt, isoWeekday, nextWeekday, createPractice, retirePractice, patient,
} from './fixtures.mjs';

const TZ = 'America/Los_Angeles';

async function post(path, body, headers = {}) {
  const res = await fetch(BASE + path, { method: 'POST', body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers } });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json };
}

/** The error of statements run as the owner, or '' when they succeed. */
function sqlError(statements) {
  try {
    execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', process.env.OWNER_DATABASE_URL,
      '-c', statements], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return '';
  } catch (e) {
    const m = String(e.stderr ?? e.message).match(/ERROR:\s+(.*)/);
    return m ? m[1] : String(e);
  }
}

let P, D;
before(() => {
  D = nextWeekday(TZ, 3, 3); // a Wednesday at least 3 days ahead
  P = createPractice({
    label: 'throughput', tz: TZ,
    policy: { slot_step_minutes: 30, min_notice_minutes: 120, booking_horizon_days: 60,
      max_open_bookings_per_contact: 1000 },
    services: { s30: { minutes: 30 } },
    practitioners: { a: [{ weekday: isoWeekday(D), start: '09:00', end: '17:00', valid_from: D, valid_to: D }] },
  });
});
after(() => retirePractice(P));

describe('one booking, one transaction', () => {
  test('a 201 writes the booking, its confirmation and its change-log row', async () => {
    const pid = P.practitioners.a;
    const [{ seq0 }] = sql(`SELECT coalesce(max(seq), 0)::text AS seq0 FROM directory_changes`);
    const r = await post('/api/v1/bookings', { practitioner_id: pid, service_id: P.services.s30,
      start: fmt(at(D, '09:00', TZ), TZ), patient: patient('tp1') });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    const [row] = sql(`SELECT b.xmin::text AS bx, n.xmin::text AS nx, n.kind, n.status,
        n.dedupe_key, n.clinic_id = b.clinic_id AS same_clinic
      FROM bookings b JOIN notifications n ON n.booking_id = b.id WHERE b.id = ${lit(r.json.id)}`);
    assert.ok(row, 'the confirmation is in the outbox');
    assert.equal(row.kind, 'booking_confirmed');
    assert.equal(row.status, 'pending');
    assert.equal(row.dedupe_key, `booking_confirmed:${r.json.id}`);
    assert.ok(row.same_clinic);
    assert.equal(row.bx, row.nx, 'booking and confirmation come from one transaction');
    const logged = sql(`SELECT d.txid::text FROM directory_changes d
      WHERE d.seq > ${seq0} AND d.kind = 'b' AND d.practitioner_id = ${lit(pid)}`);
    assert.ok(logged.length >= 1, 'the change log names the practitioner (a booking: kind b)');
    const [{ x }] = sql(`SELECT xmin::text AS x FROM bookings WHERE id = ${lit(r.json.id)}`);
    assert.ok(logged.some((l) => l.txid === x), 'in the booking\'s own transaction');
  });

  test('a refused booking (slot taken) leaves no confirmation and no log row', async () => {
    const pid = P.practitioners.a;
    const start = fmt(at(D, '10:00', TZ), TZ);
    const first = await post('/api/v1/bookings', { practitioner_id: pid, service_id: P.services.s30,
      start, patient: patient('tp2') });
    assert.equal(first.status, 201);
    const [{ n0 }] = sql(`SELECT count(*)::int AS n0 FROM notifications n JOIN bookings b ON b.id = n.booking_id
      WHERE b.practitioner_id = ${lit(pid)}`);
    const [{ seq0 }] = sql(`SELECT coalesce(max(seq), 0)::text AS seq0 FROM directory_changes`);
    // the exclusion constraint itself refuses the second one (the schedule is bypassed)
    const state = sqlError(`SELECT (book_slot(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        gen_random_uuid(), b.clinic_id, b.practitioner_id, b.service_id, b.location_id, NULL,
        extract(epoch FROM lower(b.during))::bigint, extract(epoch FROM upper(b.during))::bigint,
        extract(epoch FROM lower(b.blocked))::bigint, extract(epoch FROM upper(b.blocked))::bigint,
        'Second', 'second@example.org', NULL, NULL, decode(repeat('00', 32), 'hex'), 'patient',
        '{"start": "x"}')).outcome FROM bookings b WHERE b.id = ${lit(first.json.id)}`);
    assert.match(state, /bookings_no_overlap/);
    const [{ n1 }] = sql(`SELECT count(*)::int AS n1 FROM notifications n JOIN bookings b ON b.id = n.booking_id
      WHERE b.practitioner_id = ${lit(pid)}`);
    assert.equal(n1, n0, 'no confirmation for a refused booking');
    const [{ later }] = sql(`SELECT count(*)::int AS later FROM directory_changes
      WHERE seq > ${seq0} AND practitioner_id = ${lit(pid)}`);
    assert.equal(later, 0, 'no change-log row for a refused booking');
  });

  test('foreign keys still refuse a booking of another clinic\'s service or a missing clinic', () => {
    const [b] = sql(`SELECT id, clinic_id, practitioner_id, location_id FROM bookings
      WHERE practitioner_id = ${lit(P.practitioners.a)} LIMIT 1`);
    const [other] = sql(`SELECT id FROM services WHERE clinic_id <> ${lit(b.clinic_id)} LIMIT 1`);
    const t = Math.floor(at(D, '15:00', TZ) / 1000);
    const state = sqlError(`SELECT * FROM book_slot(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        gen_random_uuid(), ${lit(b.clinic_id)}, ${lit(b.practitioner_id)}, ${lit(other.id)},
        ${lit(b.location_id)}, NULL, ${t}, ${t + 1800}, ${t}, ${t + 1800}, 'Fk', 'fk@example.org',
        NULL, NULL, decode(repeat('00', 32), 'hex'), 'patient', '{"start": "x"}')`);
    assert.match(state, /foreign key/);
    const state2 = sqlError(`INSERT INTO notifications (clinic_id, kind, recipient, dedupe_key)
      VALUES (gen_random_uuid(), 'reminder', 'fk@example.org', 'fk-test:' || gen_random_uuid())`);
    assert.match(state2, /foreign key/);
  });

  test('the change log keeps distinct seq numbers and the index follows it', async () => {
    const [{ dup }] = sql(`SELECT count(*)::int AS dup FROM (SELECT seq FROM directory_changes
      GROUP BY seq HAVING count(*) > 1) d`);
    assert.equal(dup, 0);
    // a booking makes the practitioner's next free time move past the booked slot
    const pid = P.practitioners.a;
    const r = await post('/api/v1/bookings', { practitioner_id: pid, service_id: P.services.s30,
      start: fmt(at(D, '09:30', TZ), TZ), patient: patient('tp3') });
    assert.equal(r.status, 201);
    const again = await post('/api/v1/bookings', { practitioner_id: pid, service_id: P.services.s30,
      start: fmt(at(D, '09:30', TZ), TZ), patient: patient('tp4') });
    assert.equal(again.status, 409);
    assert.ok(at(D, '09:30', TZ) - at(D, '09:00', TZ) === 30 * MIN);
  });
});
