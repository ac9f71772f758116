// Treatment plans: POST /booking-series expands an RRULE from the start's wall-clock
// time, books every date or says why not (on_conflict fail / skip / nearest), and a
// series shares one manage token; cancelling with scope rest_of_series cancels that
// session and all later ones.  Each test has a practitioner of its own.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { post, get, assertProblem, sql, lit, UUID_RE } from './lib.mjs';
import {
  HOUR, DAY, at, fmt, addDays, today, nextWeekday, nextDstChanges, createPractice, addPractitioner,
  addTimeOff, retirePractice, patient, bookOk, bearer,
} from './fixtures.mjs';

const TZ = 'Europe/Berlin';
const WEEKDAYS_9_TO_12 = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '12:00' }));
const TOKEN_RE = /^[A-Za-z0-9_-]{43,}$/;

let P;
let seq = 0;
before(() => {
  P = createPractice({
    label: 'series', tz: TZ,
    policy: { slot_step_minutes: 30, min_notice_minutes: 120, booking_horizon_days: 400,
      cancellation_notice_hours: 24, max_open_bookings_per_contact: 60 },
    services: { s60: { minutes: 60, after: 15 }, s30: { minutes: 30 } },
  });
});
after(() => retirePractice(P));

/** A fresh practitioner (Mon-Fri 09:00-12:00) so that tests never share a calendar. */
const practitioner = () => addPractitioner(P, `p${++seq}`, WEEKDAYS_9_TO_12);

const seriesBody = (pid, startMs, rrule, on_conflict, extra = {}) => ({
  practitioner_id: pid, service_id: P.services.s60, start: fmt(startMs, TZ), patient: patient('series'),
  rrule, ...(on_conflict ? { on_conflict } : {}), ...extra,
});

const counts = (pid) => sql(`SELECT
    (SELECT count(*)::int FROM bookings WHERE practitioner_id = ${lit(pid)}) AS bookings,
    (SELECT count(*)::int FROM bookings WHERE practitioner_id = ${lit(pid)} AND series_id IS NOT NULL) AS in_series,
    (SELECT count(*)::int FROM booking_series WHERE practitioner_id = ${lit(pid)}) AS series`)[0];

const typeEnds = (r, suffix) =>
  assert.ok(String(r.json?.type).endsWith(suffix), `type should end with ${suffix}: ${r.text}`);

// Every other Monday from the first Monday at least 3 days ahead.
const MON = () => nextWeekday(TZ, 1, 3);
const biweekly = (d0, n) => Array.from({ length: n }, (_, i) => addDays(d0, 14 * i));

// The third date is taken by a 30-minute booking at 10:00 (10:00-10:30, no buffer):
// a 60-minute session fits again at 10:30 the same day.
const withThirdTaken = async () => {
  const pid = practitioner();
  const dates = biweekly(MON(), 5);
  const blocker = await bookOk(pid, P.services.s30, at(dates[2], '10:00', TZ), TZ);
  return { pid, dates, blocker };
};

describe('POST /booking-series', () => {
  test('FREQ=WEEKLY;INTERVAL=2;COUNT=5, all free: 5 sessions booked, one shared token', async () => {
    const pid = practitioner();
    const dates = biweekly(MON(), 5);
    const r = await post('/api/v1/booking-series',
      seriesBody(pid, at(dates[0], '09:00', TZ), 'FREQ=WEEKLY;INTERVAL=2;COUNT=5', 'fail'));
    assert.equal(r.status, 201, r.text);
    const s = r.json;
    assert.match(s.id, UUID_RE);
    assert.match(s.manage_token, TOKEN_RE);
    assert.equal(s.occurrences.length, 5);
    s.occurrences.forEach((o, i) => {
      const want = fmt(at(dates[i], '09:00', TZ), TZ);
      assert.equal(o.status, 'booked', JSON.stringify(o));
      assert.equal(o.start, want);
      assert.equal(o.requested_start, want);
      assert.match(o.booking_id, UUID_RE);
    });
    assert.equal(new Set(s.occurrences.map((o) => o.booking_id)).size, 5);

    const rows = sql(`SELECT b.id, b.status, b.series_id, extract(epoch FROM lower(b.during))::bigint * 1000 AS start_ms,
        b.manage_token_hash = s.manage_token_hash AS same_hash, length(b.manage_token_hash) AS len
      FROM bookings b JOIN booking_series s ON s.id = b.series_id
      WHERE b.practitioner_id = ${lit(pid)} ORDER BY lower(b.during)`);
    assert.equal(rows.length, 5);
    rows.forEach((row, i) => {
      assert.equal(row.id, s.occurrences[i].booking_id);
      assert.equal(row.series_id, s.id);
      assert.equal(row.status, 'booked');
      assert.equal(Number(row.start_ms), at(dates[i], '09:00', TZ));
      assert.equal(row.same_hash, true, 'the sessions share the series token hash');
      assert.equal(row.len, 32);
    });
    const [{ n }] = sql(`SELECT count(*)::int AS n FROM booking_series WHERE id = ${lit(s.id)}
      AND strpos(row_to_json(booking_series)::text, ${lit(s.manage_token)}) = 0`);
    assert.equal(n, 1, 'the series row does not hold the token');
    // the one token opens every session
    for (const o of s.occurrences) {
      const g = await get(`/api/v1/bookings/${o.booking_id}`, { headers: bearer(s.manage_token) });
      assert.equal(g.status, 200, g.text);
      assert.equal(g.json.start, o.start);
      assert.equal(g.json.series_id, s.id);
    }
    const [{ c }] = sql(`SELECT count(*)::int AS c FROM notifications WHERE series_id = ${lit(s.id)} AND kind = 'series_confirmed'`);
    assert.equal(c, 1, 'one confirmation for the plan');
  });

  test('one date taken, on_conflict=fail: 409 listing the dates with the nearest alternative; nothing booked', async () => {
    const { pid, dates } = await withThirdTaken();
    const r = await post('/api/v1/booking-series',
      seriesBody(pid, at(dates[0], '10:00', TZ), 'FREQ=WEEKLY;INTERVAL=2;COUNT=5', 'fail'));
    assertProblem(r, 409);
    typeEnds(r, 'slot-unavailable');
    const occ = r.json.occurrences;
    assert.ok(Array.isArray(occ), `occurrences listed: ${r.text}`);
    assert.equal(occ.length, 5);
    occ.forEach((o, i) => assert.equal(o.requested_start, fmt(at(dates[i], '10:00', TZ), TZ)));
    const bad = occ[2];
    assert.notEqual(bad.status, 'booked');
    assert.equal(typeof bad.reason, 'string');
    assert.ok(bad.nearest_alternative, `a nearest alternative for the taken date: ${JSON.stringify(bad)}`);
    assert.equal(bad.nearest_alternative.start, fmt(at(dates[2], '10:30', TZ), TZ));
    for (const o of occ) assert.equal(o.booking_id, undefined, 'nothing was booked, so no booking ids');
    assert.deepEqual(counts(pid), { bookings: 1, in_series: 0, series: 0 });
  });

  test('one date taken, on_conflict=fail: the 409 calls no date booked, since nothing was', async () => {
    const { pid, dates } = await withThirdTaken();
    const r = await post('/api/v1/booking-series',
      seriesBody(pid, at(dates[0], '10:00', TZ), 'FREQ=WEEKLY;INTERVAL=2;COUNT=5', 'fail'));
    assertProblem(r, 409);
    const said = r.json.occurrences.map((o) => o.status);
    assert.ok(!said.includes('booked'),
      `the answer says ${JSON.stringify(said)} but its detail says nothing was booked`);
    assert.deepEqual(counts(pid), { bookings: 1, in_series: 0, series: 0 });
  });

  test('one date taken, on_conflict=skip: that date skipped with a reason, the rest booked', async () => {
    const { pid, dates, blocker } = await withThirdTaken();
    const r = await post('/api/v1/booking-series',
      seriesBody(pid, at(dates[0], '10:00', TZ), 'FREQ=WEEKLY;INTERVAL=2;COUNT=5', 'skip'));
    assert.equal(r.status, 201, r.text);
    const occ = r.json.occurrences;
    assert.equal(occ.length, 5);
    occ.forEach((o, i) => {
      const want = fmt(at(dates[i], '10:00', TZ), TZ);
      assert.equal(o.requested_start, want);
      if (i === 2) {
        assert.equal(o.status, 'skipped');
        assert.equal(o.booking_id, undefined);
        assert.ok(typeof o.reason === 'string' && o.reason.length > 0);
      } else {
        assert.equal(o.status, 'booked');
        assert.equal(o.start, want);
        assert.match(o.booking_id, UUID_RE);
      }
    });
    assert.deepEqual(counts(pid), { bookings: 5, in_series: 4, series: 1 });
    const [{ status }] = sql(`SELECT status FROM bookings WHERE id = ${lit(blocker.id)}`);
    assert.equal(status, 'booked', 'the other booking is untouched');
  });

  test('one date taken, on_conflict=nearest: moved to 10:30 that day, requested_start kept', async () => {
    const { pid, dates } = await withThirdTaken();
    const r = await post('/api/v1/booking-series',
      seriesBody(pid, at(dates[0], '10:00', TZ), 'FREQ=WEEKLY;INTERVAL=2;COUNT=5', 'nearest'));
    assert.equal(r.status, 201, r.text);
    const occ = r.json.occurrences;
    const moved = occ[2];
    assert.equal(moved.status, 'moved');
    assert.equal(moved.requested_start, fmt(at(dates[2], '10:00', TZ), TZ));
    assert.equal(moved.start, fmt(at(dates[2], '10:30', TZ), TZ));
    assert.match(moved.booking_id, UUID_RE);
    for (const i of [0, 1, 3, 4]) assert.equal(occ[i].status, 'booked');
    const [row] = sql(`SELECT extract(epoch FROM lower(during))::bigint * 1000 AS start_ms, series_id
      FROM bookings WHERE id = ${lit(moved.booking_id)}`);
    assert.equal(Number(row.start_ms), at(dates[2], '10:30', TZ));
    assert.equal(row.series_id, r.json.id);
    assert.deepEqual(counts(pid), { bookings: 6, in_series: 5, series: 1 });
  });

  test('nearest: a tie goes to the earlier time (Tuesday 11:00 before Thursday 09:00)', async () => {
    const pid = practitioner();
    const wed = nextWeekday(TZ, 3, 3);
    const dates = biweekly(wed, 3);
    // the whole second Wednesday is off: 23 hours back (Tue 11:00) equals 23 hours on (Thu 09:00)
    addTimeOff(P, pid, at(dates[1], '00:00', TZ), at(addDays(dates[1], 1), '00:00', TZ));
    const r = await post('/api/v1/booking-series',
      seriesBody(pid, at(dates[0], '10:00', TZ), 'FREQ=WEEKLY;INTERVAL=2;COUNT=3', 'nearest'));
    assert.equal(r.status, 201, r.text);
    const o = r.json.occurrences[1];
    assert.equal(o.status, 'moved');
    assert.equal(o.requested_start, fmt(at(dates[1], '10:00', TZ), TZ));
    assert.equal(o.start, fmt(at(addDays(dates[1], -1), '11:00', TZ), TZ));
  });

  test('nearest: nothing free within 3 days either side is skipped with a reason', async () => {
    const pid = practitioner();
    const dates = biweekly(MON(), 3);
    const d = dates[1];
    addTimeOff(P, pid, at(d, '10:00', TZ) - 3 * DAY - HOUR, at(d, '10:00', TZ) + 3 * DAY + HOUR);
    const r = await post('/api/v1/booking-series',
      seriesBody(pid, at(dates[0], '10:00', TZ), 'FREQ=WEEKLY;INTERVAL=2;COUNT=3', 'nearest'));
    assert.equal(r.status, 201, r.text);
    const o = r.json.occurrences[1];
    assert.equal(o.status, 'skipped');
    assert.equal(o.booking_id, undefined);
    assert.ok(o.reason);
    assert.deepEqual(counts(pid), { bookings: 2, in_series: 2, series: 1 });
  });

  test('COUNT=52 is the most a series may have: 52 booked (and COUNT=53 is refused)', async () => {
    const pid = practitioner();
    const d0 = MON();
    const r = await post('/api/v1/booking-series',
      seriesBody(pid, at(d0, '11:00', TZ), 'FREQ=WEEKLY;COUNT=52', 'fail'));
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.occurrences.length, 52);
    assert.ok(r.json.occurrences.every((o) => o.status === 'booked'));
    assert.equal(r.json.occurrences[51].start, fmt(at(addDays(d0, 51 * 7), '11:00', TZ), TZ),
      'the 52nd session is at 11:00 local, across the daylight-saving changes');
    assert.deepEqual(counts(pid), { bookings: 52, in_series: 52, series: 1 });
  });

  const refused = [
    ['COUNT=53', 'FREQ=WEEKLY;COUNT=53'],
    ['neither COUNT nor UNTIL', 'FREQ=WEEKLY;INTERVAL=2'],
    ['UNTIL giving more than 52 dates', 'FREQ=DAILY;UNTIL=20291231T000000Z'],
    ['FREQ=HOURLY', 'FREQ=HOURLY;COUNT=3'],
    ['FREQ=MINUTELY', 'FREQ=MINUTELY;COUNT=3'],
    ['BYHOUR (the time of day is the start\'s)', 'FREQ=WEEKLY;COUNT=3;BYHOUR=10'],
    ['garbage', 'every other week please'],
    ['an empty rule', ''],
  ];
  for (const [why, rrule] of refused) {
    test(`rrule ${why}: 422 naming rrule, nothing booked`, async () => {
      const pid = practitioner();
      const r = await post('/api/v1/booking-series', seriesBody(pid, at(MON(), '09:00', TZ), rrule, 'skip'));
      assertProblem(r, 422, 'rrule');
      assert.deepEqual(counts(pid), { bookings: 0, in_series: 0, series: 0 });
    });
  }

  test('other bad series requests: 422 naming the field', async () => {
    const pid = practitioner();
    const start = at(MON(), '09:00', TZ);
    const cases = [
      [{ ...seriesBody(pid, start, 'FREQ=WEEKLY;COUNT=3', 'maybe') }, 'on_conflict'],
      [(() => { const b = seriesBody(pid, start, 'FREQ=WEEKLY;COUNT=3', 'skip'); delete b.rrule; return b; })(), 'rrule'],
      [{ ...seriesBody(pid, start, 'FREQ=WEEKLY;COUNT=3', 'skip'), rrule: 7 }, 'rrule'],
      [{ ...seriesBody(pid, start, 'FREQ=WEEKLY;COUNT=3', 'skip'), weeks: 3 }, 'weeks'],
      [seriesBody(pid, at(addDays(today(TZ), -7), '09:00', TZ), 'FREQ=WEEKLY;COUNT=3', 'skip'), 'start'],
      [seriesBody('00000000-0000-4000-8000-000000000000', start, 'FREQ=WEEKLY;COUNT=3', 'skip'), 'practitioner_id'],
    ];
    for (const [body, field] of cases) {
      const r = await post('/api/v1/booking-series', body);
      assertProblem(r, 422, field);
    }
    assert.deepEqual(counts(pid), { bookings: 0, in_series: 0, series: 0 });
  });

  test('a weekly series across the spring change keeps its wall-clock time', async () => {
    const pid = practitioner();
    const spring = nextDstChanges(TZ, 10).spring;
    let d0 = nextWeekday(TZ, 1, 3);
    while (addDays(d0, 14) < spring) d0 = addDays(d0, 7); // two sessions before, two after
    const r = await post('/api/v1/booking-series',
      seriesBody(pid, at(d0, '09:00', TZ), 'FREQ=WEEKLY;COUNT=4', 'fail'));
    assert.equal(r.status, 201, r.text);
    const got = r.json.occurrences.map((o) => o.start);
    const want = [0, 7, 14, 21].map((k) => fmt(at(addDays(d0, k), '09:00', TZ), TZ));
    assert.deepEqual(got, want);
    assert.ok(got.every((s) => s.slice(11, 19) === '09:00:00'));
    assert.ok(got[0].endsWith('+01:00') && got[3].endsWith('+02:00'), `offsets: ${got}`);
  });

  test('Idempotency-Key replays the first 201 byte for byte; one series', async () => {
    const pid = practitioner();
    const body = seriesBody(pid, at(addDays(MON(), 1), '09:00', TZ), 'FREQ=WEEKLY;COUNT=3', 'skip');
    const headers = { 'idempotency-key': `series-${Date.now()}-${Math.random()}` };
    const r1 = await post('/api/v1/booking-series', body, { headers });
    assert.equal(r1.status, 201, r1.text);
    const r2 = await post('/api/v1/booking-series', body, { headers });
    assert.equal(r2.status, 201, r2.text);
    assert.equal(r2.text, r1.text);
    assert.equal(r2.headers.get('idempotent-replayed'), 'true');
    const r3 = await post('/api/v1/booking-series', { ...body, rrule: 'FREQ=WEEKLY;COUNT=2' }, { headers });
    assertProblem(r3, 422);
    assert.deepEqual(counts(pid), { bookings: 3, in_series: 3, series: 1 });
  });
});

describe('cancelling a series', () => {
  test('scope rest_of_series on the 3rd session cancels it and every later one, not the earlier', async () => {
    const pid = practitioner();
    const fri = nextWeekday(TZ, 5, 3);
    const r = await post('/api/v1/booking-series',
      seriesBody(pid, at(fri, '09:00', TZ), 'FREQ=WEEKLY;COUNT=5', 'fail'));
    assert.equal(r.status, 201, r.text);
    const ids = r.json.occurrences.map((o) => o.booking_id);
    const token = r.json.manage_token;

    const bad = await post(`/api/v1/bookings/${ids[2]}/cancel`, { scope: 'everything' }, { headers: bearer(token) });
    assertProblem(bad, 422, 'scope');

    const c = await post(`/api/v1/bookings/${ids[2]}/cancel`, { scope: 'rest_of_series' }, { headers: bearer(token) });
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.status, 'cancelled');
    assert.deepEqual([...c.json.cancelled].sort(), ids.slice(2).sort());
    const status = () => sql(`SELECT status FROM bookings WHERE series_id = ${lit(r.json.id)}
      ORDER BY lower(during)`).map((x) => x.status);
    assert.deepEqual(status(), ['booked', 'booked', 'cancelled', 'cancelled', 'cancelled']);
    const [{ n }] = sql(`SELECT count(DISTINCT booking_id)::int AS n FROM notifications
      WHERE kind = 'booking_cancelled' AND booking_id IN (${ids.map(lit).join(',')})`);
    assert.equal(n, 3);

    // without a scope only that session goes
    const one = await post(`/api/v1/bookings/${ids[0]}/cancel`, {}, { headers: bearer(token) });
    assert.equal(one.status, 200, one.text);
    assert.deepEqual(one.json.cancelled, [ids[0]]);
    assert.deepEqual(status(), ['cancelled', 'booked', 'cancelled', 'cancelled', 'cancelled']);
    // the freed times are offered again
    const a = await get(`/api/v1/practitioners/${pid}/availability?from=${addDays(fri, 14)}&to=${addDays(fri, 14)}&service=${P.services.s60}`);
    assert.equal(a.status, 200);
    assert.ok(a.json.slots.some((s) => s.start === fmt(at(addDays(fri, 14), '09:00', TZ), TZ)));
  });
});

// The booking page's preview is the service's own: what booking the plan now would do
// with each date, and the real reason of a date not free, with nothing written.
describe('POST /booking-series?preview=true', () => {
  test('each date: free, moved with why (taken), cannot be had with why (time off); nothing written, nobody mailed', async () => {
    const { pid, dates } = await withThirdTaken();
    addTimeOff(P, pid, at(dates[4], '00:00', TZ) - 4 * DAY, at(dates[4], '00:00', TZ) + 4 * DAY);
    const before = counts(pid);
    const [{ mails }] = sql('SELECT count(*)::int AS mails FROM notifications');
    const body = seriesBody(pid, at(dates[0], '10:00', TZ), 'FREQ=WEEKLY;INTERVAL=2;COUNT=5', 'nearest');
    for (const [how, path, b] of [['?preview=true', '/api/v1/booking-series?preview=true', body],
      ['dry_run', '/api/v1/booking-series', { ...body, dry_run: true }]]) {
      const r = await post(path, b);
      assert.equal(r.status, 200, `${how}: ${r.text}`);
      assert.equal(r.json.preview, true);
      assert.equal(r.json.timezone, TZ);
      const occ = r.json.occurrences;
      assert.deepEqual(occ.map((o) => o.status), ['free', 'free', 'moved', 'free', 'unavailable'], `${how}: ${r.text}`);
      assert.equal(occ[2].start, fmt(at(dates[2], '10:30', TZ), TZ), 'moved to the nearest free time');
      assert.equal(occ[2].reason_code, 'taken');
      assert.equal(occ[2].reason, 'someone else has that time');
      assert.equal(occ[4].reason_code, 'time_off');
      assert.equal(occ[4].reason, 'the practitioner is away (time off)');
      for (const o of occ) assert.equal(o.booking_id, undefined);
      assert.equal(r.json.manage_token, undefined, 'a preview makes no token');
    }
    assert.deepEqual(counts(pid), before, 'a preview books nothing and records no plan');
    const [{ mails: after }] = sql('SELECT count(*)::int AS mails FROM notifications');
    assert.equal(after, mails, 'a preview mails nobody');
  });

  test('the plan answer gives the reason of a moved date too (not only of a skipped one)', async () => {
    const { pid, dates } = await withThirdTaken();
    const r = await post('/api/v1/booking-series',
      seriesBody(pid, at(dates[0], '10:00', TZ), 'FREQ=WEEKLY;INTERVAL=2;COUNT=5', 'nearest'));
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.occurrences[2].status, 'moved');
    assert.equal(r.json.occurrences[2].reason, 'someone else has that time');
  });

  const bad = [
    ['preview=maybe', '?preview=maybe', {}, 'preview'],
    ['dry_run as a string', '', { dry_run: 'yes' }, 'dry_run'],
    ['an unknown parameter', '?preview=true&book=now', {}, 'book'],
    ['a bad rrule', '?preview=true', { rrule: 'FREQ=HOURLY;COUNT=3' }, 'rrule'],
    ['a start in the past', '?preview=true', { start: '2020-01-06T10:00:00+01:00' }, 'start'],
  ];
  for (const [what, qs, change, field] of bad) {
    test(`${what}: a 4xx naming ${field}, nothing written`, async () => {
      const pid = practitioner();
      const d0 = MON();
      const body = { ...seriesBody(pid, at(d0, '10:00', TZ), 'FREQ=WEEKLY;COUNT=3', 'nearest'), ...change };
      const r = await post(`/api/v1/booking-series${qs}`, body);
      assert.ok([400, 422].includes(r.status), `${what}: ${r.status} ${r.text}`);
      assertProblem(r, r.status);
      assert.ok(r.json.errors?.some((e) => e.field === field), `the problem names ${field}: ${r.text}`);
      assert.deepEqual(counts(pid), { bookings: 0, in_series: 0, series: 0 });
    });
  }
});
