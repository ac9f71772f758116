// Every patient-side write and every read of patient data writes an audit row
// (issue 12, item 4): booking, moving, cancelling, a plan, joining the waitlist, and the
// holder's reads of their booking and of its calendar file.  Each row says actor
// 'patient', patient data, the clinic, the resource and the request id (the answer's
// X-Request-Id), and a write's row comes from the same transaction as the change (the
// rows' xmin are equal).  A refused write leaves no row.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request, post, get, sql, lit } from './lib.mjs';
import {
  at, fmt, addDays, nextWeekday, createPractice, retirePractice, patient, bearer,
} from './fixtures.mjs';

const TZ = 'America/Chicago';
const WEEKDAYS = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '17:00' }));

let P;
let mon;
before(() => {
  P = createPractice({
    label: 'patient-audit', tz: TZ,
    policy: { slot_step_minutes: 30, min_notice_minutes: 60, booking_horizon_days: 200,
      cancellation_notice_hours: 24, max_open_bookings_per_contact: 60 },
    services: { s: { minutes: 30 } },
    practitioners: { a: WEEKDAYS, b: WEEKDAYS },
  });
  mon = nextWeekday(TZ, 1, 7);
});
after(() => retirePractice(P));

/** The audit rows of a resource, oldest first. */
const rowsOf = (resourceId) => sql(`SELECT actor_type, actor_id, clinic_id, action, resource_type,
    resource_id, patient_data, request_id, outcome, detail, xmin::text AS x
  FROM audit_log WHERE resource_id = ${lit(resourceId)} ORDER BY id`);

function assertRow(row, { action, type, id, requestId }) {
  assert.ok(row, `no audit row for ${action} of ${id}`);
  assert.equal(row.action, action);
  assert.equal(row.actor_type, 'patient');
  assert.equal(row.actor_id, null);
  assert.equal(row.clinic_id, P.clinicId, 'the clinic sees it in its own log');
  assert.equal(row.resource_type, type);
  assert.equal(row.resource_id, id);
  assert.equal(row.patient_data, true);
  assert.equal(row.outcome, 'success');
  assert.equal(row.request_id, requestId, 'the row names the request');
}

const xminOf = (table, id) => sql(`SELECT xmin::text AS x FROM ${table} WHERE id = ${lit(id)}`)[0].x;

describe('patient-side audit', () => {
  let booked; // {id, manage_token}

  test('booking: create_booking, written with the booking', async () => {
    const r = await post('/api/v1/bookings', { practitioner_id: P.practitioners.a, service_id: P.services.s,
      start: fmt(at(mon, '09:00', TZ), TZ), patient: patient('audit') });
    assert.equal(r.status, 201, r.text);
    booked = r.json;
    const rows = rowsOf(booked.id);
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assertRow(rows[0], { action: 'create_booking', type: 'booking', id: booked.id,
      requestId: r.headers.get('x-request-id') });
    assert.equal(rows[0].x, xminOf('bookings', booked.id), 'in the booking\'s own transaction');
  });

  test('reading the booking and its calendar file: read_booking, read_booking_calendar', async () => {
    const g = await get(`/api/v1/bookings/${booked.id}`, { headers: bearer(booked.manage_token) });
    assert.equal(g.status, 200, g.text);
    const ics = await request('GET', `/api/v1/bookings/${booked.id}/calendar.ics`, { headers: bearer(booked.manage_token) });
    assert.equal(ics.status, 200, ics.text);
    assert.match(ics.text, /BEGIN:VCALENDAR/);
    const rows = rowsOf(booked.id);
    assertRow(rows.find((x) => x.action === 'read_booking'), { action: 'read_booking', type: 'booking',
      id: booked.id, requestId: g.headers.get('x-request-id') });
    assertRow(rows.find((x) => x.action === 'read_booking_calendar'), { action: 'read_booking_calendar',
      type: 'booking', id: booked.id, requestId: ics.headers.get('x-request-id') });
    // without the token: 404 and no row (nothing was read)
    const n0 = rowsOf(booked.id).length;
    const denied = await request('GET', `/api/v1/bookings/${booked.id}/calendar.ics`, { headers: bearer('x'.repeat(43)) });
    assert.equal(denied.status, 404);
    assert.equal(rowsOf(booked.id).length, n0);
  });

  test('moving: reschedule_booking with from and to, written with the move', async () => {
    const r = await post(`/api/v1/bookings/${booked.id}/reschedule`, { start: fmt(at(mon, '10:00', TZ), TZ) },
      { headers: bearer(booked.manage_token) });
    assert.equal(r.status, 200, r.text);
    const row = rowsOf(booked.id).find((x) => x.action === 'reschedule_booking');
    assertRow(row, { action: 'reschedule_booking', type: 'booking', id: booked.id,
      requestId: r.headers.get('x-request-id') });
    assert.ok(row.detail?.from && row.detail?.to, JSON.stringify(row.detail));
    assert.equal(row.x, xminOf('bookings', booked.id), 'in the move\'s own transaction');
  });

  test('cancelling: cancel_booking, written with the cancellation', async () => {
    const r = await post(`/api/v1/bookings/${booked.id}/cancel`, {}, { headers: bearer(booked.manage_token) });
    assert.equal(r.status, 200, r.text);
    const row = rowsOf(booked.id).find((x) => x.action === 'cancel_booking');
    assertRow(row, { action: 'cancel_booking', type: 'booking', id: booked.id,
      requestId: r.headers.get('x-request-id') });
    assert.equal(row.x, xminOf('bookings', booked.id));
  });

  test('a plan: create_series naming every booking it made, written with them', async () => {
    const r = await post('/api/v1/booking-series', { practitioner_id: P.practitioners.b, service_id: P.services.s,
      start: fmt(at(mon, '11:00', TZ), TZ), patient: patient('audit-plan'), rrule: 'FREQ=WEEKLY;COUNT=3' });
    assert.equal(r.status, 201, r.text);
    const rows = rowsOf(r.json.id);
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assertRow(rows[0], { action: 'create_series', type: 'booking_series', id: r.json.id,
      requestId: r.headers.get('x-request-id') });
    const ids = r.json.occurrences.map((o) => o.booking_id);
    assert.deepEqual([...rows[0].detail.bookings].sort(), [...ids].sort());
    assert.equal(rows[0].x, xminOf('booking_series', r.json.id));
    // the plan's sessions are not audited one by one (the plan's row names them)
    for (const id of ids) assert.equal(rowsOf(id).length, 0);
  });

  test('joining the waitlist: join_waitlist, written with the entry', async () => {
    const r = await post('/api/v1/waitlist', { practitioner_id: P.practitioners.a, service_id: P.services.s,
      from: fmt(at(mon, '09:00', TZ), TZ), to: fmt(at(addDays(mon, 4), '17:00', TZ), TZ), patient: patient('audit-wait') });
    assert.equal(r.status, 201, r.text);
    const rows = rowsOf(r.json.id);
    assert.equal(rows.length, 1);
    assertRow(rows[0], { action: 'join_waitlist', type: 'waitlist_entry', id: r.json.id,
      requestId: r.headers.get('x-request-id') });
    assert.equal(rows[0].x, xminOf('waitlist_entries', r.json.id));
  });

  test('a refused booking (time taken) writes no audit row', async () => {
    const first = await post('/api/v1/bookings', { practitioner_id: P.practitioners.b, service_id: P.services.s,
      start: fmt(at(addDays(mon, 1), '09:00', TZ), TZ), patient: patient('audit') });
    assert.equal(first.status, 201, first.text);
    const second = await post('/api/v1/bookings', { practitioner_id: P.practitioners.b, service_id: P.services.s,
      start: fmt(at(addDays(mon, 1), '09:00', TZ), TZ), patient: patient('audit') });
    assert.equal(second.status, 409);
    const [{ n }] = sql(`SELECT count(*)::int AS n FROM audit_log WHERE request_id = ${lit(second.headers.get('x-request-id'))}`);
    assert.equal(n, 0);
  });
});
