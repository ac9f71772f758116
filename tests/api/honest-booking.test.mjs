// What the booking pages need to be honest (issue 14, item 5): the public profile
// carries the clinic's phone and cancellation notice, and a booking's answer says
// whether it starts inside that notice (then it cannot be moved or cancelled online).
// On a practice of its own: open every day, one hour's minimum notice, 48 hours to cancel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { get, post, sqlExec, lit, allKeys, PATIENT_KEYS } from './lib.mjs';
import {
  HOUR, fmt, createPractice, retirePractice, availability, today, bookOk, book, patient, bearer,
} from './fixtures.mjs';

const TZ = 'America/Los_Angeles';
const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '07:00', end: '21:00' }));
const PHONE = '+1 503 555 0199';
let P;
let bare; // a clinic without a phone, with the default notice

before(() => {
  P = createPractice({
    label: 'honest', tz: TZ,
    policy: { phone: PHONE, min_notice_minutes: 60, cancellation_notice_hours: 48, slot_step_minutes: 30 },
    services: { s60: { minutes: 60 } }, practitioners: { a: EVERY_DAY },
  });
  bare = createPractice({ label: 'bare', tz: TZ, services: { s60: { minutes: 60 } }, practitioners: { b: EVERY_DAY } });
});
after(() => { retirePractice(P); retirePractice(bare); });

const pid = () => P.practitioners.a;
const sid = () => P.services.s60;

/** The free slots from today + fromDays over `days` days. */
async function freeStarts(fromDays, days = 1) {
  const a = await availability(pid(), { service: sid(), from: today(TZ, fromDays), to: today(TZ, fromDays + days - 1) });
  return a.slots.map((s) => s.start);
}

test('the public profile carries the clinic phone and cancellation notice, and no patient data', async () => {
  const r = await get(`/api/v1/practitioners/${pid()}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.clinic_phone, PHONE);
  assert.equal(r.json.cancellation_notice_hours, 48);
  const keys = allKeys(r.json);
  for (const k of PATIENT_KEYS) assert.ok(!keys.has(k), `profile exposes ${k}`);
  // a clinic without a phone: null (and the default notice of 24 hours)
  const b = await get(`/api/v1/practitioners/${bare.practitioners.b}`);
  assert.equal(b.status, 200, b.text);
  assert.equal(b.json.clinic_phone, null);
  assert.equal(b.json.cancellation_notice_hours, 24);
});

test('a change of the clinic shows in the profile at once (no stale copy kept in memory)', async () => {
  const first = await get(`/api/v1/practitioners/${pid()}`);
  assert.equal(first.json.clinic_phone, PHONE); // now kept in memory
  sqlExec(`UPDATE clinics SET phone = '+1 503 555 0123', cancellation_notice_hours = 36 WHERE id = ${lit(P.clinicId)}`);
  try {
    const r = await get(`/api/v1/practitioners/${pid()}`);
    assert.equal(r.json.clinic_phone, '+1 503 555 0123');
    assert.equal(r.json.cancellation_notice_hours, 36);
    // the clinic's own text is written as JSON, whatever it holds
    const odd = 'Desk "A" \\ 0123';
    sqlExec(`UPDATE clinics SET phone = ${lit(odd)} WHERE id = ${lit(P.clinicId)}`);
    assert.equal((await get(`/api/v1/practitioners/${pid()}`)).json.clinic_phone, odd);
    // a phone of only spaces is no phone
    sqlExec(`UPDATE clinics SET phone = '   ' WHERE id = ${lit(P.clinicId)}`);
    assert.equal((await get(`/api/v1/practitioners/${pid()}`)).json.clinic_phone, null);
  } finally {
    sqlExec(`UPDATE clinics SET phone = ${lit(PHONE)}, cancellation_notice_hours = 48 WHERE id = ${lit(P.clinicId)}`);
  }
  assert.equal((await get(`/api/v1/practitioners/${pid()}`)).json.clinic_phone, PHONE);
});

test('a booking inside the cancellation notice says so in its answer; one outside does not', async () => {
  // the first free time is at least an hour ahead, so within the 48 hours
  const soon = (await freeStarts(0, 2))[0];
  assert.ok(soon && Date.parse(soon) - Date.now() < 48 * HOUR, `a slot within 48 hours: ${soon}`);
  const inside = await bookOk(pid(), sid(), Date.parse(soon), TZ);
  assert.equal(inside.inside_cancellation_window, true);
  // and the rule it announces is the one applied: it cannot be cancelled online
  const c = await post(`/api/v1/bookings/${inside.id}/cancel`, {}, { headers: bearer(inside.manage_token) });
  assert.equal(c.status, 409, c.text);
  const later = (await freeStarts(4))[0];
  const outside = await bookOk(pid(), sid(), Date.parse(later), TZ);
  assert.equal(outside.inside_cancellation_window, false);
});

test('the idempotent replay of a booking carries the same member', async () => {
  const s = (await freeStarts(1, 1)).at(-1);
  const body = { practitioner_id: pid(), service_id: sid(), start: s, patient: patient('replay') };
  const headers = { 'idempotency-key': crypto.randomUUID() };
  const a = await post('/api/v1/bookings', body, { headers });
  assert.equal(a.status, 201, a.text);
  const b = await post('/api/v1/bookings', body, { headers });
  assert.equal(b.status, 201, b.text);
  assert.equal(b.text, a.text);
  assert.equal(b.json.inside_cancellation_window, Date.parse(s) - Date.now() < 48 * HOUR);
});

test('a move answers whether the new time is inside the cancellation notice', async () => {
  const from = (await freeStarts(6))[0];
  const booking = await bookOk(pid(), sid(), Date.parse(from), TZ);
  const to = (await freeStarts(0, 2)).find((x) => Date.parse(x) - Date.now() < 48 * HOUR);
  const r = await post(`/api/v1/bookings/${booking.id}/reschedule`, { start: to }, { headers: bearer(booking.manage_token) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.inside_cancellation_window, true);
});

test('bad input is still refused with a problem, never a booking: a start in the past', async () => {
  const past = fmt(Date.now() - 3 * HOUR, TZ);
  const r = await book(pid(), sid(), Date.parse(past), TZ);
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.inside_cancellation_window, undefined);
});
