// Availability, booking one slot, what the holder of a booking can do with it, and the
// waitlist: each checked against the README's booking rules and the database, on a
// practice this suite creates for itself (its own clinic, hours and policy).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, request, get, post, assertProblem, sql, lit, UUID_RE } from './lib.mjs';
import {
  MIN, HOUR, DAY, at, fmt, addDays, isoWeekday, today, nextWeekday, nextDstChanges,
  createPractice, addPractitioner, addUnofferedService, addTimeOff, retirePractice, patient,
  availability, starts, book, bookOk, bearer, bookingRow,
} from './fixtures.mjs';

const TZ = 'America/Los_Angeles';
const WEEKDAYS_9_TO_12 = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '12:00' }));
const TOKEN_RE = /^[A-Za-z0-9_-]{43,}$/;
const typeEnds = (r, suffix) =>
  assert.ok(String(r.json?.type).endsWith(suffix), `type should end with ${suffix}: ${r.text}`);

// The main practice: step 30, two hours' notice, 60 days ahead, 24 h to cancel.
let P;          // the practice
let other;      // another clinic (its service may not be booked here)
let strict;     // a clinic that wants 30 days' notice to cancel
let policy;     // a clinic with 2 days' notice and a 5-day horizon, open every day
let MON;        // the first Monday at least 3 days ahead (local date)

before(() => {
  P = createPractice({
    label: 'booking', tz: TZ,
    policy: { slot_step_minutes: 30, min_notice_minutes: 120, booking_horizon_days: 60,
      cancellation_notice_hours: 24, max_open_bookings_per_contact: 60 },
    services: { s60: { minutes: 60, after: 15 }, s30: { minutes: 30 }, s45b: { minutes: 45, before: 15 } },
    practitioners: { avail: WEEKDAYS_9_TO_12, book: WEEKDAYS_9_TO_12, hold: WEEKDAYS_9_TO_12,
      wait: WEEKDAYS_9_TO_12 },
  });
  other = createPractice({
    label: 'other', tz: TZ, policy: { slot_step_minutes: 30 },
    services: { x60: { minutes: 60 } }, practitioners: { x: WEEKDAYS_9_TO_12 },
  });
  strict = createPractice({
    label: 'strict', tz: TZ,
    policy: { slot_step_minutes: 30, cancellation_notice_hours: 720, booking_horizon_days: 60 },
    services: { s60: { minutes: 60 } }, practitioners: { a: WEEKDAYS_9_TO_12 },
  });
  policy = createPractice({
    label: 'policy', tz: TZ,
    policy: { slot_step_minutes: 30, min_notice_minutes: 2880, booking_horizon_days: 5 },
    services: { s60: { minutes: 60 } },
    practitioners: { a: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '23:30' })) },
  });
  MON = nextWeekday(TZ, 1, 3);
});

after(() => {
  for (const p of [P, other, strict, policy, dst]) retirePractice(p);
});

/** Wall times "HH:MM" -> the slot starts the API should write for date d. */
const slotStrings = (d, times, tz = TZ) => times.map((t) => fmt(at(d, t, tz), tz));

// ---------------------------------------------------------------------------------------
describe('GET /practitioners/{id}/availability', () => {
  const avail = () => P.practitioners.avail;

  test('Mon-Fri 09:00-12:00, 60 min, step 30: 09:00 .. 11:00 local each weekday, none at the weekend', async () => {
    const a = await availability(avail(), { from: MON, to: addDays(MON, 6), service: P.services.s60 });
    assert.equal(a.practitioner_id, avail());
    assert.equal(a.service_id, P.services.s60);
    assert.equal(a.timezone, TZ);
    const want = [];
    for (let i = 0; i < 5; i++)
      for (const t of ['09:00', '09:30', '10:00', '10:30', '11:00']) {
        const s = at(addDays(MON, i), t, TZ);
        want.push({ start: fmt(s, TZ), end: fmt(s + HOUR, TZ), location_id: P.locationId });
      }
    assert.deepEqual(a.slots, want);
    // the strings carry the zone's real offset (-08:00 in winter, -07:00 in summer)
    for (const s of a.slots) assert.match(s.start, /T\d\d:\d\d:00-0[78]:00$/);
  });

  test('one date as from and to is that local day only', async () => {
    const d = addDays(MON, 2);
    const a = await availability(avail(), { from: d, to: d, service: P.services.s30 });
    assert.deepEqual(starts(a), slotStrings(d, ['09:00', '09:30', '10:00', '10:30', '11:00', '11:30']));
    for (const s of a.slots) assert.equal(Date.parse(s.end) - Date.parse(s.start), 30 * MIN);
  });

  test('time off removes the slots it overlaps', async () => {
    const d = addDays(MON, 7);
    addTimeOff(P, avail(), at(d, '10:15', TZ), at(d, '11:00', TZ));
    const a = await availability(avail(), { from: d, to: d, service: P.services.s60 });
    assert.deepEqual(starts(a), slotStrings(d, ['09:00', '11:00']));
    // the next day is untouched
    const b = await availability(avail(), { from: addDays(d, 1), to: addDays(d, 1), service: P.services.s60 });
    assert.equal(b.slots.length, 5);
  });

  test('a booking removes the slots that overlap it, buffers included', async () => {
    const d = addDays(MON, 8);
    // 60 min with 15 min after: blocks 09:00-10:15
    await bookOk(avail(), P.services.s60, at(d, '09:00', TZ), TZ);
    const s30 = await availability(avail(), { from: d, to: d, service: P.services.s30 });
    assert.deepEqual(starts(s30), slotStrings(d, ['10:30', '11:00', '11:30']),
      '10:00 is inside the 15 min buffer after the 09:00 booking');
    // a 60 min slot carries its own 15 min buffer after it: 10:00 would block to 11:15
    const s60 = await availability(avail(), { from: d, to: d, service: P.services.s60 });
    assert.deepEqual(starts(s60), slotStrings(d, ['10:30', '11:00']));
  });

  test('the buffer before a service keeps it off a booking that ends just before', async () => {
    const d = addDays(MON, 9);
    await bookOk(avail(), P.services.s30, at(d, '09:00', TZ), TZ); // blocks 09:00-09:30
    // 45 min with 15 min before: 09:30 would block from 09:15
    const a = await availability(avail(), { from: d, to: d, service: P.services.s45b });
    assert.deepEqual(starts(a), slotStrings(d, ['10:00', '10:30', '11:00']));
  });

  test('minimum notice and horizon cut the slots (2 days notice, 5 days ahead)', async () => {
    const pid = policy.practitioners.a;
    const expected = (now) => {
      const out = [];
      for (let i = 0; i <= 7; i++) {
        const d = today(TZ, i);
        for (let m = 0; m + 60 <= 23 * 60 + 30; m += 30) {
          const t = `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
          let s;
          try { s = at(d, t, TZ); } catch { continue; }
          if (s >= now + 2 * DAY && s < now + 5 * DAY) out.push(fmt(s, TZ));
        }
      }
      return out;
    };
    const t0 = Date.now();
    const a = await availability(pid, { from: today(TZ), to: today(TZ, 7), service: policy.services.s60 });
    const t1 = Date.now();
    const got = starts(a);
    const e0 = expected(t0), e1 = expected(t1);
    assert.ok(got.length > 100, `about three days of slots, got ${got.length}`);
    assert.ok(JSON.stringify(got) === JSON.stringify(e0) || JSON.stringify(got) === JSON.stringify(e1),
      `slots from now + 48 h to now + 5 days: first ${got[0]} (want ${e0[0]}), last ${got.at(-1)} (want ${e0.at(-1)})`);
  });

  test('a range of 62 days is fine, 63 days is a 422 naming to', async () => {
    const pid = avail(), service = P.services.s60;
    let r = await get(`/api/v1/practitioners/${pid}/availability?from=${MON}&to=${addDays(MON, 61)}&service=${service}`);
    assert.equal(r.status, 200, r.text.slice(0, 300));
    r = await get(`/api/v1/practitioners/${pid}/availability?from=${MON}&to=${addDays(MON, 62)}&service=${service}`);
    assertProblem(r, 422, 'to');
    const from = at(MON, '00:00', TZ);
    const q = (a, b) => `from=${encodeURIComponent(fmt(a, TZ))}&to=${encodeURIComponent(fmt(b, TZ))}`;
    r = await get(`/api/v1/practitioners/${pid}/availability?${q(from, from + 62 * DAY)}&service=${service}`);
    assert.equal(r.status, 200, r.text.slice(0, 300));
    r = await get(`/api/v1/practitioners/${pid}/availability?${q(from, from + 63 * DAY)}&service=${service}`);
    assertProblem(r, 422, 'to');
  });

  test('to before from is a 422 naming to', async () => {
    const r = await get(`/api/v1/practitioners/${avail()}/availability?from=${addDays(MON, 5)}&to=${MON}&service=${P.services.s60}`);
    assertProblem(r, 422, 'to');
  });

  const badDates = [
    ['from', '2026-13-01'], ['from', 'tomorrow'], ['to', '2027-02-30'], ['from', '2027-01-05T10:00:00'],
    ['to', '2027-01-05T25:00:00Z'], ['from', '05/01/2027'],
  ];
  for (const [key, value] of badDates) {
    test(`${key}=${value} is a 400 naming ${key}`, async () => {
      const params = new URLSearchParams({ from: MON, to: addDays(MON, 3), service: P.services.s60 });
      params.set(key, value);
      const r = await get(`/api/v1/practitioners/${avail()}/availability?${params}`);
      assertProblem(r, 400, key);
    });
  }

  test('an unknown practitioner is a 404, so is an id that is no uuid', async () => {
    let r = await get(`/api/v1/practitioners/00000000-0000-4000-8000-000000000000/availability?from=${MON}&to=${MON}`);
    assertProblem(r, 404);
    r = await get(`/api/v1/practitioners/not-a-uuid/availability?from=${MON}&to=${MON}`);
    assertProblem(r, 404);
  });

  test('a service the practitioner does not offer is a 422 naming service', async () => {
    const unoffered = addUnofferedService(P, 'unoffered');
    for (const service of [unoffered, other.services.x60, '00000000-0000-4000-8000-000000000000', 'massage']) {
      const r = await get(`/api/v1/practitioners/${avail()}/availability?from=${MON}&to=${MON}&service=${service}`);
      assertProblem(r, 422, 'service');
    }
  });
});

// ---------------------------------------------------------------------------------------
// Daylight saving in America/New_York, Sunday hours 00:00-05:00: the next spring and
// autumn changes (2027-03-14 and 2027-11-07 when this was written).
let dst;
describe('availability across daylight-saving changes (America/New_York)', () => {
  const NY = 'America/New_York';
  let changes;
  before(() => {
    changes = nextDstChanges(NY, 3);
    const days = Math.ceil((Date.parse(changes.autumn) - Date.now()) / DAY) + 10;
    dst = createPractice({
      label: 'dst', tz: NY,
      policy: { slot_step_minutes: 30, min_notice_minutes: 120, booking_horizon_days: Math.min(730, Math.max(days, 400)) },
      services: { s60: { minutes: 60 } },
      practitioners: { sun: [{ weekday: 7, start: '00:00', end: '05:00' }] },
    });
  });

  const wall = (s) => s.slice(11, 16);
  const check = (a, day) => {
    for (const s of a.slots) {
      assert.equal(Date.parse(s.end) - Date.parse(s.start), HOUR, `${s.start} lasts an hour`);
      assert.equal(s.start.slice(0, 10), day);
    }
  };

  test('spring: no slot starts, ends or runs in the skipped hour 02:00-03:00', async () => {
    const d = changes.spring;
    assert.equal(isoWeekday(d), 7, 'the US change is on a Sunday');
    const a = await availability(dst.practitioners.sun, { from: d, to: d, service: dst.services.s60 });
    assert.equal(a.timezone, NY);
    check(a, d);
    for (const s of a.slots) {
      for (const w of [wall(s.start), wall(s.end)])
        assert.ok(!(w >= '02:00' && w < '03:00'), `${s.start}..${s.end} touches the skipped hour`);
    }
    assert.deepEqual(a.slots.map((s) => [s.start, s.end]), [
      [`${d}T00:00:00-05:00`, `${d}T01:00:00-05:00`],
      [`${d}T00:30:00-05:00`, `${d}T01:30:00-05:00`],
      [`${d}T03:00:00-04:00`, `${d}T04:00:00-04:00`],
      [`${d}T03:30:00-04:00`, `${d}T04:30:00-04:00`],
      [`${d}T04:00:00-04:00`, `${d}T05:00:00-04:00`],
    ]);
  });

  test('autumn: no wall time is offered twice; the repeated 01:00-02:00 is not offered a second time', async () => {
    const d = changes.autumn;
    assert.equal(isoWeekday(d), 7);
    const a = await availability(dst.practitioners.sun, { from: d, to: d, service: dst.services.s60 });
    check(a, d);
    const walls = a.slots.map((s) => wall(s.start));
    assert.equal(new Set(walls).size, walls.length, `a wall time offered twice: ${walls}`);
    for (const s of a.slots)
      assert.ok(!(s.start.endsWith('-05:00') && wall(s.start) >= '01:00' && wall(s.start) < '02:00'),
        `${s.start} is the second pass through 01:00-02:00`);
    // 01:00 and 01:30 would end at 02:00 / 02:30 standard time: two real hours, not one
    assert.deepEqual(a.slots.map((s) => [s.start, s.end]), [
      [`${d}T00:00:00-04:00`, `${d}T01:00:00-04:00`],
      [`${d}T00:30:00-04:00`, `${d}T01:30:00-04:00`],
      [`${d}T02:00:00-05:00`, `${d}T03:00:00-05:00`],
      [`${d}T02:30:00-05:00`, `${d}T03:30:00-05:00`],
      [`${d}T03:00:00-05:00`, `${d}T04:00:00-05:00`],
      [`${d}T03:30:00-05:00`, `${d}T04:30:00-05:00`],
      [`${d}T04:00:00-05:00`, `${d}T05:00:00-05:00`],
    ]);
  });

  test('booking the second pass through 01:30 in autumn is 409 slot-unavailable; the first is fine', async () => {
    const d = changes.autumn;
    const body = (start) => ({ practitioner_id: dst.practitioners.sun, service_id: dst.services.s60,
      start, patient: patient('dst') });
    const r = await post('/api/v1/bookings', body(`${d}T01:30:00-05:00`));
    assertProblem(r, 409);
    typeEnds(r, 'slot-unavailable');
    const ok = await post('/api/v1/bookings', body(`${d}T00:30:00-04:00`));
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.json.start, `${d}T00:30:00-04:00`);
    assert.equal(ok.json.end, `${d}T01:30:00-04:00`);
  });
});

// ---------------------------------------------------------------------------------------
describe('POST /bookings', () => {
  const pid = () => P.practitioners.book;
  const W = () => addDays(MON, 14); // this block books in the third week
  const body = (over = {}) => ({ practitioner_id: pid(), service_id: P.services.s60,
    start: fmt(at(W(), '09:00', TZ), TZ), patient: patient('v'), ...over });

  test('201 with the booking and a manage token; the database keeps only a 32-byte hash', async () => {
    const start = at(addDays(W(), 1), '10:00', TZ);
    const pat = patient('created');
    const r = await post('/api/v1/bookings', { practitioner_id: pid(), service_id: P.services.s60,
      start: fmt(start, TZ), patient: pat, notes: 'fibro flare last week' });
    assert.equal(r.status, 201, r.text);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    const b = r.json;
    assert.match(b.id, UUID_RE);
    assert.equal(b.status, 'booked');
    assert.equal(b.start, fmt(start, TZ));
    assert.equal(b.end, fmt(start + HOUR, TZ));
    assert.equal(b.practitioner_id, pid());
    assert.equal(b.service_id, P.services.s60);
    assert.equal(b.location_id, P.locationId);
    assert.match(b.manage_token, TOKEN_RE);

    const row = bookingRow(b.id);
    assert.equal(row.status, 'booked');
    assert.equal(Number(row.start_ms), start);
    assert.equal(Number(row.end_ms), start + HOUR);
    assert.equal(Number(row.blocked_end_ms), start + HOUR + 15 * MIN, 'blocked includes the buffer after');
    assert.equal(row.hash_len, 32);
    assert.notEqual(row.hash_hex, Buffer.from(b.manage_token, 'base64url').toString('hex'));
    assert.notEqual(row.hash_hex, Buffer.from(b.manage_token).toString('hex').slice(0, 64));
    const [{ n }] = sql(`SELECT count(*)::int AS n FROM bookings b
      WHERE b.id = ${lit(b.id)} AND strpos(row_to_json(b)::text, ${lit(b.manage_token)}) > 0`);
    assert.equal(n, 0, 'a column of the booking holds the token');
    const [{ m }] = sql(`SELECT count(*)::int AS m FROM notifications x
      WHERE strpos(row_to_json(x)::text, ${lit(b.manage_token)}) > 0`);
    assert.equal(m, 0, 'a notification holds the token');
    const [{ e }] = sql(`SELECT count(*)::int AS e FROM bookings WHERE id = ${lit(b.id)}
      AND patient_email = ${lit(pat.email)} AND patient_name = ${lit(pat.name)} AND notes = 'fibro flare last week'`);
    assert.equal(e, 1);
    const [{ c }] = sql(`SELECT count(*)::int AS c FROM notifications WHERE booking_id = ${lit(b.id)}
      AND kind = 'booking_confirmed'`);
    assert.equal(c, 1, 'a confirmation is queued with the booking');
  });

  const invalid = [
    ['malformed JSON', { raw: '{"practitioner_id": ', status: 400, field: 'body' }],
    ['a JSON array', { raw: '[1, 2]', status: 400, field: 'body' }],
    ['a JSON string', { raw: '"book me"', status: 400, field: 'body' }],
    ['JSON null', { raw: 'null', status: 400, field: 'body' }],
    ['an empty body', { raw: '', status: 400 }],
    ['a body that is not UTF-8', { raw: Buffer.from([0x7b, 0xff, 0x7d]), status: 400, field: 'body' }],
    ['a key given twice', { raw: '{"notes": "a", "notes": "b"}', status: 400, field: 'body' }],
    ['an empty object (names every required field)', { raw: '{}', status: 422,
      fields: ['practitioner_id', 'service_id', 'start', 'patient'] }],
    ['practitioner_id as a number', { over: { practitioner_id: 12 }, status: 422, field: 'practitioner_id' }],
    ['practitioner_id not a uuid', { over: { practitioner_id: 'dr-smith' }, status: 422, field: 'practitioner_id' }],
    ['start as a number', { over: { start: 1790000000 }, status: 422, field: 'start' }],
    ['start without an offset', { over: { start: '2027-01-05T10:00:00' }, status: 422, field: 'start' }],
    ['patient as a string', { over: { patient: 'Jo' }, status: 422, field: 'patient' }],
    ['patient.email as a number', { over: { patient: { name: 'Jo', email: 5 } }, status: 422, field: 'patient.email' }],
    ['notes as an object', { over: { notes: { a: 1 } }, status: 422, field: 'notes' }],
    ['no practitioner_id', { drop: 'practitioner_id', status: 422, field: 'practitioner_id' }],
    ['no service_id', { drop: 'service_id', status: 422, field: 'service_id' }],
    ['no start', { drop: 'start', status: 422, field: 'start' }],
    ['no patient', { drop: 'patient', status: 422, field: 'patient' }],
    ['no patient.name', { over: { patient: { email: 'jo@example.org' } }, status: 422, field: 'patient.name' }],
    ['no patient.email', { over: { patient: { name: 'Jo' } }, status: 422, field: 'patient.email' }],
    ['an unknown field', { over: { coupon: 'FREE' }, status: 422, field: 'coupon' }],
    ['an unknown field in patient', { over: { patient: { name: 'Jo', email: 'jo@example.org', age: 40 } }, status: 422, field: 'patient.age' }],
    ['a bad e-mail address', { over: { patient: { name: 'Jo', email: 'jo at example.org' } }, status: 422, field: 'patient.email' }],
    ['an e-mail address without a domain', { over: { patient: { name: 'Jo', email: 'jo@' } }, status: 422, field: 'patient.email' }],
  ];
  for (const [why, c] of invalid) {
    test(`${why}: ${c.status}${c.field ? ` naming ${c.field}` : ''}`, async () => {
      let r;
      if (c.raw !== undefined) {
        r = await request('POST', '/api/v1/bookings', { raw: c.raw, headers: { 'content-type': 'application/json' } });
      } else {
        const b = body(c.over);
        if (c.drop) delete b[c.drop];
        r = await post('/api/v1/bookings', b);
      }
      assertProblem(r, c.status, c.field);
      for (const f of c.fields ?? []) assertProblem(r, c.status, f);
      const [{ n }] = sql(`SELECT count(*)::int AS n FROM bookings WHERE practitioner_id = ${lit(pid())}
        AND lower(during) = ${lit(new Date(at(W(), '09:00', TZ)).toISOString())}::timestamptz`);
      assert.equal(n, 0, 'nothing was booked');
    });
  }

  test('an unknown practitioner is a 422 naming practitioner_id', async () => {
    const r = await post('/api/v1/bookings', body({ practitioner_id: '00000000-0000-4000-8000-000000000000' }));
    assertProblem(r, 422, 'practitioner_id');
  });

  test('a service of another clinic is a 422 naming service_id; so is one not offered', async () => {
    let r = await post('/api/v1/bookings', body({ service_id: other.services.x60 }));
    assertProblem(r, 422, 'service_id');
    r = await post('/api/v1/bookings', body({ service_id: addUnofferedService(P, 'not-offered') }));
    assertProblem(r, 422, 'service_id');
  });

  test('a start in the past is a 422 naming start', async () => {
    const past = at(nextWeekday(TZ, 1, -13), '09:00', TZ); // a Monday one to two weeks ago
    const r = await post('/api/v1/bookings', body({ start: fmt(past, TZ) }));
    assertProblem(r, 422, 'start');
  });

  test('inside the minimum notice is a 409 outside-policy', async () => {
    // open every day, 2 days' notice: a slot on the grid about a day from now
    const pidp = policy.practitioners.a;
    let s = at(today(TZ, 1), '12:00', TZ);
    const r = await post('/api/v1/bookings', { practitioner_id: pidp, service_id: policy.services.s60,
      start: fmt(s, TZ), patient: patient('notice') });
    assertProblem(r, 409, 'start');
    typeEnds(r, 'outside-policy');
    s = at(today(TZ, 7), '12:00', TZ); // 5 days ahead at most
    const r2 = await post('/api/v1/bookings', { practitioner_id: pidp, service_id: policy.services.s60,
      start: fmt(s, TZ), patient: patient('horizon') });
    assertProblem(r2, 409, 'start');
    typeEnds(r2, 'outside-policy');
  });

  test('beyond the booking horizon (60 days) is a 409 outside-policy', async () => {
    const far = at(addDays(MON, 9 * 7), '09:00', TZ);
    const r = await post('/api/v1/bookings', body({ start: fmt(far, TZ) }));
    assertProblem(r, 409);
    typeEnds(r, 'outside-policy');
  });

  const unavailable = [
    ['off the grid (09:07)', () => at(W(), '09:07', TZ)],
    ['on a 15-minute grid but not on the clinic\'s 30-minute one (09:15)', () => at(W(), '09:15', TZ)],
    ['outside hours (13:00)', () => at(W(), '13:00', TZ)],
    ['ending after the hours (11:30 for 60 minutes)', () => at(W(), '11:30', TZ)],
    ['on a Saturday', () => at(addDays(W(), 5), '10:00', TZ)],
  ];
  for (const [why, when] of unavailable) {
    test(`${why} is a 409 slot-unavailable`, async () => {
      const r = await post('/api/v1/bookings', body({ start: fmt(when(), TZ) }));
      assertProblem(r, 409);
      typeEnds(r, 'slot-unavailable');
    });
  }

  test('a taken slot is a 409 slot-unavailable, and so is one its buffer reaches', async () => {
    const d = addDays(W(), 2);
    await bookOk(pid(), P.services.s60, at(d, '10:00', TZ), TZ);
    for (const t of ['10:00', '10:30', '09:30', '11:00']) { // 11:00 is in the 15 min buffer
      const r = await post('/api/v1/bookings', body({ start: fmt(at(d, t, TZ), TZ) }));
      assertProblem(r, 409);
      typeEnds(r, 'slot-unavailable');
    }
    const [{ n }] = sql(`SELECT count(*)::int AS n FROM bookings WHERE practitioner_id = ${lit(pid())}
      AND blocked && tstzrange(${lit(new Date(at(d, '00:00', TZ)).toISOString())}, ${lit(new Date(at(d, '23:00', TZ)).toISOString())})`);
    assert.equal(n, 1);
  });

  test('Content-Type text/plain is a 415', async () => {
    const r = await request('POST', '/api/v1/bookings', { raw: JSON.stringify(body()),
      headers: { 'content-type': 'text/plain' } });
    assertProblem(r, 415);
  });

  test('a body over 64 KiB is a 413', async () => {
    const big = JSON.stringify(body({ notes: 'x'.repeat(70 * 1024) }));
    const r = await request('POST', '/api/v1/bookings', { raw: big, headers: { 'content-type': 'application/json' } });
    assertProblem(r, 413);
  });

  test('a body over 64 KiB sent without Content-Length (chunked) is refused: 413 or the connection closed at the cap', async () => {
    // libmicrohttpd cannot answer in the middle of an upload, so past the cap the
    // server closes the connection rather than read on; nothing is booked either way
    const before = sql(`SELECT count(*)::int AS n FROM bookings WHERE practitioner_id = ${lit(pid())}`)[0].n;
    const bytes = new TextEncoder().encode(JSON.stringify(body({ notes: 'x'.repeat(70 * 1024) })));
    const stream = new ReadableStream({
      start(c) { for (let i = 0; i < bytes.length; i += 8192) c.enqueue(bytes.slice(i, i + 8192)); c.close(); },
    });
    let status = 'closed';
    try {
      const res = await fetch(`${BASE}/api/v1/bookings`, { method: 'POST', body: stream, duplex: 'half',
        headers: { 'content-type': 'application/json' } });
      await res.text();
      status = res.status;
    } catch { /* the connection was closed at the cap */ }
    assert.ok(status === 413 || status === 'closed', `got ${status}`);
    const after = sql(`SELECT count(*)::int AS n FROM bookings WHERE practitioner_id = ${lit(pid())}`)[0].n;
    assert.equal(after, before, 'nothing booked');
    const h = await fetch(`${BASE}/healthz`);
    assert.equal(h.status, 200, 'the server is up');
  });

  test('a start written in UTC is the same instant; the answer writes it in the local zone', async () => {
    const start = at(addDays(W(), 4), '10:30', TZ);
    const r = await post('/api/v1/bookings', body({ start: new Date(start).toISOString().replace('.000Z', 'Z') }));
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.start, fmt(start, TZ));
    assert.match(r.json.start, /-0[78]:00$/);
  });

  test('Idempotency-Key: the same key and body replay the first 201 byte for byte; one row', async () => {
    const key = `idem-${Date.now()}-${Math.random()}`;
    const start = at(addDays(W(), 3), '09:00', TZ);
    const b = body({ start: fmt(start, TZ) });
    const h = { 'idempotency-key': key };
    const r1 = await post('/api/v1/bookings', b, { headers: h });
    assert.equal(r1.status, 201, r1.text);
    const r2 = await post('/api/v1/bookings', b, { headers: h });
    assert.equal(r2.status, 201, r2.text);
    assert.equal(r2.text, r1.text, 'the replay is the first answer byte for byte');
    assert.equal(r2.headers.get('idempotent-replayed'), 'true');
    // the same body with its keys in another order is the same request
    const reordered = Object.fromEntries(Object.entries(b).reverse());
    const r3 = await post('/api/v1/bookings', reordered, { headers: h });
    assert.equal(r3.status, 201, r3.text);
    assert.equal(r3.text, r1.text);
    const [{ n }] = sql(`SELECT count(*)::int AS n FROM bookings WHERE practitioner_id = ${lit(pid())}
      AND lower(during) = ${lit(new Date(start).toISOString())}::timestamptz`);
    assert.equal(n, 1, 'one booking for three requests');
    const [{ sealed }] = sql(`SELECT count(*)::int AS sealed FROM idempotency_keys
      WHERE strpos(encode(sealed_body, 'escape'), ${lit(r1.json.manage_token)}) > 0`);
    assert.equal(sealed, 0, 'the stored answer shows the manage token');

    const r4 = await post('/api/v1/bookings', { ...b, notes: 'another body' }, { headers: h });
    assertProblem(r4, 422);
    const [{ n2 }] = sql(`SELECT count(*)::int AS n2 FROM bookings WHERE practitioner_id = ${lit(pid())}
      AND lower(during) = ${lit(new Date(start).toISOString())}::timestamptz`);
    assert.equal(n2, 1);
  });
});

describe('the per-contact limit', () => {
  test('a contact may hold max_open_bookings_per_contact open bookings; the next is a 409 naming patient.email', async () => {
    const lim = createPractice({
      label: 'limit', tz: TZ, policy: { slot_step_minutes: 30, max_open_bookings_per_contact: 2 },
      services: { s30: { minutes: 30 } }, practitioners: { a: WEEKDAYS_9_TO_12 },
    });
    try {
      const d = nextWeekday(TZ, 2, 3);
      const who = patient('limit');
      const try_ = (t, email = who.email) => post('/api/v1/bookings', { practitioner_id: lim.practitioners.a,
        service_id: lim.services.s30, start: fmt(at(d, t, TZ), TZ), patient: { ...who, email } });
      const first = await try_('09:00');
      assert.equal(first.status, 201, first.text);
      assert.equal((await try_('09:30')).status, 201);
      let r = await try_('10:00');
      assertProblem(r, 409, 'patient.email');
      r = await try_('10:00', who.email.toUpperCase()); // the same address in other case
      assertProblem(r, 409, 'patient.email');
      const other = await try_('10:00', `x${who.email}`);
      assert.equal(other.status, 201, 'another contact may book');
      // cancelling one makes room again
      const c = await post(`/api/v1/bookings/${first.json.id}/cancel`, {}, { headers: bearer(first.json.manage_token) });
      assert.equal(c.status, 200, c.text);
      assert.equal((await try_('11:00')).status, 201);
    } finally {
      retirePractice(lim);
    }
  });
});

// ---------------------------------------------------------------------------------------
describe('the holder of a booking', () => {
  const pid = () => P.practitioners.hold;
  const W = () => addDays(MON, 21); // the fourth week
  let held; // the 201 body of a booking on Monday 10:00
  let pat;

  before(async () => {
    pat = patient('holder');
    held = await bookOk(pid(), P.services.s60, at(W(), '10:00', TZ), TZ,
      { patient: pat, notes: 'left shoulder' });
  });

  test('GET /bookings/{id} with the Bearer token: 200 with the patient data; audited', async () => {
    const audits = () => sql(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'read_booking'
      AND resource_id = ${lit(held.id)} AND patient_data AND outcome = 'success'`)[0].n;
    const before = audits();
    const r = await get(`/api/v1/bookings/${held.id}`, { headers: bearer(held.manage_token) });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.id, held.id);
    assert.equal(r.json.status, 'booked');
    assert.equal(r.json.start, held.start);
    assert.equal(r.json.end, held.end);
    assert.deepEqual(r.json.patient, { name: pat.name, email: pat.email, phone: pat.phone });
    assert.equal(r.json.notes, 'left shoulder');
    assert.equal(audits(), before + 1, 'one read_booking row with patient_data');
    const [row] = sql(`SELECT clinic_id, actor_type FROM audit_log WHERE action = 'read_booking'
      AND resource_id = ${lit(held.id)} ORDER BY id DESC LIMIT 1`);
    assert.equal(row.clinic_id, P.clinicId);
  });

  test('without a token, with a wrong one, or with a non-uuid id: 404', async () => {
    const another = await bookOk(pid(), P.services.s60, at(addDays(W(), 4), '09:00', TZ), TZ);
    const cases = [
      [`/api/v1/bookings/${held.id}`, {}],
      [`/api/v1/bookings/${held.id}`, bearer('x'.repeat(43))],
      [`/api/v1/bookings/${held.id}`, bearer(another.manage_token)],
      [`/api/v1/bookings/${held.id}`, { authorization: held.manage_token }],
      [`/api/v1/bookings/${held.id}`, { authorization: `Basic ${held.manage_token}` }],
      ['/api/v1/bookings/not-a-uuid', bearer(held.manage_token)],
      ['/api/v1/bookings/00000000-0000-4000-8000-000000000000', bearer(held.manage_token)],
      [`/api/v1/bookings/${held.id}/calendar.ics`, {}],
      [`/api/v1/bookings/${held.id}/calendar.ics`, bearer(another.manage_token)],
    ];
    for (const [path, headers] of cases) {
      const r = await get(path, { headers });
      assertProblem(r, 404);
      assert.ok(!r.text.includes(pat.email), 'a 404 shows patient data');
    }
    for (const headers of [{}, bearer(another.manage_token)]) {
      const r = await post(`/api/v1/bookings/${held.id}/cancel`, {}, { headers });
      assertProblem(r, 404);
      const m = await post(`/api/v1/bookings/${held.id}/reschedule`,
        { start: fmt(at(W(), '11:00', TZ), TZ) }, { headers });
      assertProblem(m, 404);
    }
    assert.equal(bookingRow(held.id).status, 'booked');
    assert.equal(Number(bookingRow(held.id).start_ms), at(W(), '10:00', TZ));
  });

  test('calendar.ics: text/calendar with a VEVENT whose UID has the id and DTSTART is the start in the location\'s zone', async () => {
    const r = await get(`/api/v1/bookings/${held.id}/calendar.ics`, { headers: bearer(held.manage_token) });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type'), /^text\/calendar/);
    const text = r.text.replace(/\r\n[ \t]/g, ''); // unfold
    assert.match(text, /^BEGIN:VCALENDAR\r?\n/);
    assert.match(text, /END:VCALENDAR\s*$/);
    const ev = text.match(/BEGIN:VEVENT\r?\n([\s\S]*?)END:VEVENT/);
    assert.ok(ev, 'a VEVENT');
    const uid = ev[1].match(/^UID:(.*)$/m);
    assert.ok(uid && uid[1].includes(held.id), `UID ${uid && uid[1]}`);
    // local wall time with the zone's TZID (the start string carries the local time)
    const wall = (iso) => iso.slice(0, 19).replace(/[-:]/g, '');
    const tzid = held.timezone.replace('/', '\\/');
    assert.match(ev[1], new RegExp(`^DTSTART;TZID=${tzid}:${wall(held.start)}\\r?$`, 'm'));
    assert.match(ev[1], new RegExp(`^DTEND;TZID=${tzid}:${wall(held.end)}\\r?$`, 'm'));
    assert.match(text, new RegExp(`^TZID:${tzid}\\r?$`, 'm'), 'the VTIMEZONE of that zone');
  });

  test('reschedule to a free slot: 200, same id, new times; the old slot is offered again', async () => {
    const d = addDays(W(), 1);
    const b = await bookOk(pid(), P.services.s60, at(d, '09:00', TZ), TZ);
    const to = at(d, '11:00', TZ);
    const r = await post(`/api/v1/bookings/${b.id}/reschedule`, { start: fmt(to, TZ) },
      { headers: bearer(b.manage_token) });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.id, b.id);
    assert.equal(r.json.start, fmt(to, TZ));
    assert.equal(r.json.end, fmt(to + HOUR, TZ));
    const row = bookingRow(b.id);
    assert.equal(Number(row.start_ms), to);
    assert.equal(row.status, 'booked');
    assert.equal(row.reschedule_count, 1);
    const g = await get(`/api/v1/bookings/${b.id}`, { headers: bearer(b.manage_token) });
    assert.equal(g.status, 200, 'the manage token still works');
    assert.equal(g.json.start, fmt(to, TZ));
    // 09:00 and 09:30 are free again; from 10:00 on the slots reach the 11:00 booking
    const a = await availability(pid(), { from: d, to: d, service: P.services.s60 });
    assert.deepEqual(starts(a), slotStrings(d, ['09:00', '09:30']));
    const [{ n }] = sql(`SELECT count(*)::int AS n FROM notifications WHERE booking_id = ${lit(b.id)}
      AND kind = 'booking_rescheduled'`);
    assert.equal(n, 1);
  });

  test('reschedule into a taken slot (or its buffer) is a 409 and the booking keeps its time', async () => {
    const d = addDays(W(), 2);
    const b = await bookOk(pid(), P.services.s60, at(d, '09:00', TZ), TZ);
    await bookOk(pid(), P.services.s60, at(d, '11:00', TZ), TZ);
    for (const t of ['11:00', '10:00']) { // 10:00 would run (with its buffer) into 11:00
      const r = await post(`/api/v1/bookings/${b.id}/reschedule`, { start: fmt(at(d, t, TZ), TZ) },
        { headers: bearer(b.manage_token) });
      assertProblem(r, 409);
      typeEnds(r, 'slot-unavailable');
    }
    const r = await post(`/api/v1/bookings/${b.id}/reschedule`, { start: fmt(at(d, '13:00', TZ), TZ) },
      { headers: bearer(b.manage_token) });
    assertProblem(r, 409);
    const row = bookingRow(b.id);
    assert.equal(Number(row.start_ms), at(d, '09:00', TZ));
    assert.equal(row.reschedule_count, 0);
    const g = await get(`/api/v1/bookings/${b.id}`, { headers: bearer(b.manage_token) });
    assert.equal(g.json.start, fmt(at(d, '09:00', TZ), TZ));
  });

  test('cancel outside the notice window: 200 cancelled, a booking_cancelled notification; twice is a 409', async () => {
    const d = addDays(W(), 3);
    const b = await bookOk(pid(), P.services.s60, at(d, '10:00', TZ), TZ);
    const r = await post(`/api/v1/bookings/${b.id}/cancel`, { reason: 'feeling better' },
      { headers: bearer(b.manage_token) });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.id, b.id);
    assert.equal(r.json.status, 'cancelled');
    const row = bookingRow(b.id);
    assert.equal(row.status, 'cancelled');
    const [{ n }] = sql(`SELECT count(*)::int AS n FROM notifications WHERE booking_id = ${lit(b.id)}
      AND kind = 'booking_cancelled'`);
    assert.equal(n, 1);
    const g = await get(`/api/v1/bookings/${b.id}`, { headers: bearer(b.manage_token) });
    assert.equal(g.status, 200);
    assert.equal(g.json.status, 'cancelled');
    // the time is free again
    const a = await availability(pid(), { from: d, to: d, service: P.services.s60 });
    assert.ok(starts(a).includes(fmt(at(d, '10:00', TZ), TZ)));

    const again = await post(`/api/v1/bookings/${b.id}/cancel`, {}, { headers: bearer(b.manage_token) });
    assertProblem(again, 409);
    const move = await post(`/api/v1/bookings/${b.id}/reschedule`, { start: fmt(at(d, '11:00', TZ), TZ) },
      { headers: bearer(b.manage_token) });
    assertProblem(move, 409);
    assert.equal(bookingRow(b.id).status, 'cancelled');
  });

  test('cancel (or move) inside the cancellation notice is a 409 cancellation-policy that says to call', async () => {
    // this clinic wants 720 hours (30 days): any booking in the next weeks is inside it
    const d = nextWeekday(TZ, 3, 3);
    const b = await bookOk(strict.practitioners.a, strict.services.s60, at(d, '10:00', TZ), TZ);
    const r = await post(`/api/v1/bookings/${b.id}/cancel`, {}, { headers: bearer(b.manage_token) });
    assertProblem(r, 409);
    typeEnds(r, 'cancellation-policy');
    assert.match(r.json.detail, /call/i);
    const m = await post(`/api/v1/bookings/${b.id}/reschedule`, { start: fmt(at(d, '11:00', TZ), TZ) },
      { headers: bearer(b.manage_token) });
    assertProblem(m, 409);
    typeEnds(m, 'cancellation-policy');
    const row = bookingRow(b.id);
    assert.equal(row.status, 'booked');
    assert.equal(Number(row.start_ms), at(d, '10:00', TZ));
  });
});

// ---------------------------------------------------------------------------------------
describe('POST /waitlist', () => {
  const pid = () => P.practitioners.wait;
  const D = () => addDays(MON, 24); // a Thursday

  test('201 waiting; a cancellation in its window offers the time to the earliest entry', async () => {
    const b = await bookOk(pid(), P.services.s60, at(D(), '10:00', TZ), TZ);
    const window = { from: fmt(at(D(), '00:00', TZ), TZ), to: fmt(at(addDays(D(), 1), '00:00', TZ), TZ) };
    const first = patient('wait1'), second = patient('wait2');
    const w1 = await post('/api/v1/waitlist', { practitioner_id: pid(), service_id: P.services.s60,
      ...window, patient: first });
    assert.equal(w1.status, 201, w1.text);
    assert.match(w1.json.id, UUID_RE);
    assert.equal(w1.json.status, 'waiting');
    assert.equal(w1.json.practitioner_id, pid());
    assert.equal(w1.json.service_id, P.services.s60);
    assert.equal(Date.parse(w1.json.from), Date.parse(window.from));
    assert.equal(Date.parse(w1.json.to), Date.parse(window.to));
    const w2 = await post('/api/v1/waitlist', { practitioner_id: pid(), service_id: P.services.s60,
      ...window, patient: second });
    assert.equal(w2.status, 201, w2.text);
    const status = (id) => sql(`SELECT status, extract(epoch FROM offered_start)::bigint * 1000 AS offered_ms
      FROM waitlist_entries WHERE id = ${lit(id)}`)[0];
    assert.equal(status(w1.json.id).status, 'waiting');

    const c = await post(`/api/v1/bookings/${b.id}/cancel`, {}, { headers: bearer(b.manage_token) });
    assert.equal(c.status, 200, c.text);
    const s1 = status(w1.json.id);
    assert.equal(s1.status, 'offered');
    assert.equal(Number(s1.offered_ms), at(D(), '10:00', TZ));
    assert.equal(status(w2.json.id).status, 'waiting', 'only the earliest entry is offered the time');
    const notes = sql(`SELECT recipient::text, payload FROM notifications WHERE kind = 'waitlist_offer'
      AND waitlist_id = ${lit(w1.json.id)}`);
    assert.equal(notes.length, 1);
    assert.equal(notes[0].recipient, first.email);
    const [{ n }] = sql(`SELECT count(*)::int AS n FROM notifications WHERE kind = 'waitlist_offer'
      AND waitlist_id = ${lit(w2.json.id)}`);
    assert.equal(n, 0);
  });

  const waitFor = async (d) => {
    const w = await post('/api/v1/waitlist', { practitioner_id: pid(), service_id: P.services.s60,
      from: fmt(at(d, '00:00', TZ), TZ), to: fmt(at(addDays(d, 1), '00:00', TZ), TZ), patient: patient('wm') });
    assert.equal(w.status, 201, w.text);
    return w.json.id;
  };
  const entry = (id) => sql(`SELECT status, extract(epoch FROM offered_start)::bigint * 1000 AS offered_ms
    FROM waitlist_entries WHERE id = ${lit(id)}`)[0];

  test('a move that frees a time offers it to the waitlist', async () => {
    const d = addDays(D(), 1); // Friday
    const b = await bookOk(pid(), P.services.s60, at(d, '09:00', TZ), TZ);
    const w = await waitFor(d);
    const r = await post(`/api/v1/bookings/${b.id}/reschedule`, { start: fmt(at(d, '11:00', TZ), TZ) },
      { headers: bearer(b.manage_token) });
    assert.equal(r.status, 200, r.text);
    const e = entry(w);
    assert.equal(e.status, 'offered');
    assert.equal(Number(e.offered_ms), at(d, '09:00', TZ));
    const [{ n }] = sql(`SELECT count(*)::int AS n FROM notifications WHERE kind = 'waitlist_offer' AND waitlist_id = ${lit(w)}`);
    assert.equal(n, 1);
  });

  test('a move that frees no bookable time (09:00 -> 09:30 for 60 minutes) offers nothing', async () => {
    const d = addDays(D(), 4); // Monday
    const b = await bookOk(pid(), P.services.s60, at(d, '09:00', TZ), TZ);
    const w = await waitFor(d);
    const r = await post(`/api/v1/bookings/${b.id}/reschedule`, { start: fmt(at(d, '09:30', TZ), TZ) },
      { headers: bearer(b.manage_token) });
    assert.equal(r.status, 200, r.text);
    // 09:00 is not free for a 60-minute session now: the booking runs 09:30-10:30
    const a = await availability(pid(), { from: d, to: d, service: P.services.s60 });
    assert.ok(!starts(a).includes(fmt(at(d, '09:00', TZ), TZ)));
    const e = entry(w);
    assert.equal(e.status, 'waiting', `the waitlist was offered ${e.offered_ms && new Date(Number(e.offered_ms)).toISOString()}, which is not free`);
    const [{ n }] = sql(`SELECT count(*)::int AS n FROM notifications WHERE kind = 'waitlist_offer' AND waitlist_id = ${lit(w)}`);
    assert.equal(n, 0);
  });

  test('bad waitlist requests: to before from 422 naming to, unknown practitioner 422', async () => {
    const from = fmt(at(D(), '12:00', TZ), TZ), to = fmt(at(D(), '09:00', TZ), TZ);
    let r = await post('/api/v1/waitlist', { practitioner_id: pid(), service_id: P.services.s60,
      from, to, patient: patient('w') });
    assertProblem(r, 422, 'to');
    r = await post('/api/v1/waitlist', { practitioner_id: '00000000-0000-4000-8000-000000000000',
      service_id: P.services.s60, from: to, to: from, patient: patient('w') });
    assertProblem(r, 422, 'practitioner_id');
  });
});
