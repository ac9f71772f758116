// Every iCalendar file the service emits, read by another project's code: ical.js (the
// parser behind many web calendars).  The booking's calendar.ics and a practitioner's
// subscribable feed must parse; their VTIMEZONE must be one ical.js understands
// (registered with its TimezoneService, then used to convert); and each event's start
// and end, read in that zone, must be the very instants the API answered in RFC 3339,
// on both sides of the spring and the autumn daylight-saving changes of
// America/New_York.  The feed shows the patient's initials only, and a revoked feed
// is a 404.
//
// The practice is a clinic of this suite's own (SQL fixtures) whose booking horizon
// reaches past the next autumn change; a clinic administrator for it is made with
// `clinicd admin create-user` (the demo clinic's policy is shared with the browser
// suite, so it is not changed here).  The demo administrator's feed is checked too.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import ICAL from 'ical.js';
import { BASE, request, get, post, sql, lit, UUID_RE } from './lib.mjs';
import {
  DAY, at, fmt, addDays, nextDstChanges, createPractice, retirePractice,
  availability, bearer,
} from './fixtures.mjs';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const TZ = 'America/New_York';
const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '08:00', end: '12:00' }));
const PATIENT = { first: 'Zelda', last: 'Quinlan-Marsh' };
const INITIALS = 'Z. Q. M.';

let P;            // the practice
let DST;          // {spring, autumn}: local dates of the next changes
let staff;        // {token, clinicId}
const booked = {}; // name -> {json (the 201), token}

/** `clinicd admin ...`; returns stdout (trimmed); asserts exit 0. */
function clinicdAdmin(args, input) {
  assert.ok(process.env.CLINICD_BIN, 'CLINICD_BIN must be set (tests/run.sh sets it)');
  const r = spawnSync(process.env.CLINICD_BIN, ['admin', ...args], {
    input, encoding: 'utf8', cwd: REPO, env: process.env, timeout: 60_000,
  });
  assert.equal(r.status, 0, `clinicd admin ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

async function login(email, password) {
  const r = await post('/api/v1/auth/login', { email, password });
  assert.equal(r.status, 200, r.text);
  return r.json.token;
}

/** Parses iCalendar text with ical.js into its VCALENDAR component. */
function parseIcs(text) {
  const cal = new ICAL.Component(ICAL.parse(text));
  assert.equal(cal.name, 'vcalendar');
  return cal;
}

/**
 * Registers the calendar's VTIMEZONE with ical.js's TimezoneService (after dropping any
 * zone of that name an earlier file registered, so that this file's own definition is
 * the one used) and returns it.
 */
function registerZone(cal, tzid = TZ) {
  const vtzs = cal.getAllSubcomponents('vtimezone');
  assert.equal(vtzs.length, 1, 'one VTIMEZONE');
  assert.equal(vtzs[0].getFirstPropertyValue('tzid'), tzid);
  ICAL.TimezoneService.reset();
  assert.ok(!ICAL.TimezoneService.has(tzid));
  ICAL.TimezoneService.register(vtzs[0]);
  assert.ok(ICAL.TimezoneService.has(tzid));
  return ICAL.TimezoneService.get(tzid);
}

/** "+HH:MM" / "-HH:MM" / "Z" of an RFC 3339 string, in seconds. */
function offsetOf(rfc3339) {
  const m = rfc3339.match(/(Z|[+-]\d\d:\d\d)$/);
  assert.ok(m, `no offset in ${rfc3339}`);
  if (m[1] === 'Z') return 0;
  const [h, mm] = m[1].slice(1).split(':').map(Number);
  return (m[1][0] === '-' ? -1 : 1) * (h * 3600 + mm * 60);
}

/**
 * Checks an ical.js time against an RFC 3339 string the API answered: the same
 * instant, written in the zone's wall-clock time with the same offset, and that
 * converting the instant into the registered zone gives that wall-clock time back.
 */
function assertSameInstant(time, rfc3339, zone, what) {
  assert.ok(!time.isDate, `${what} is a date-time`);
  assert.equal(time.zone?.tzid, zone.tzid, `${what} is in ${zone.tzid} (TZID), not floating or UTC`);
  assert.equal(time.toUnixTime() * 1000, Date.parse(rfc3339), `${what}: ${time} is not ${rfc3339}`);
  assert.equal(time.utcOffset(), offsetOf(rfc3339), `${what}: offset ${time.utcOffset()} s, the API said ${rfc3339}`);
  const wall = rfc3339.slice(11, 16);
  assert.equal(`${String(time.hour).padStart(2, '0')}:${String(time.minute).padStart(2, '0')}`, wall,
    `${what}: wall-clock time in the zone`);
  // the other way: the instant, as UTC, converted into the VTIMEZONE read from the file
  const utc = ICAL.Time.fromJSDate(new Date(Date.parse(rfc3339)), true);
  const local = utc.convertToZone(zone);
  assert.equal(local.toString().slice(11, 16), wall, `${what}: UTC converted into the VTIMEZONE`);
  assert.equal(local.compare(time), 0);
}

/** The events of a calendar, by UID. */
function eventsByUid(cal) {
  return new Map(cal.getAllSubcomponents('vevent').map((v) => {
    const ev = new ICAL.Event(v);
    return [ev.uid, ev];
  }));
}

/** Books start (ms) for the practice's one practitioner as a patient; remembers it. */
async function bookAs(name, startMs) {
  const r = await post('/api/v1/bookings', {
    practitioner_id: P.practitioners.a, service_id: P.services.s60, start: fmt(startMs, TZ),
    patient: { name: `${PATIENT.first} ${PATIENT.last}`, email: `zelda.${randomUUID().slice(0, 8)}@example.org`,
      phone: '+1 212 555 0100' },
  });
  assert.equal(r.status, 201, `booking ${fmt(startMs, TZ)}: ${r.text}`);
  booked[name] = { json: r.json, token: r.json.manage_token };
  return booked[name];
}

/** POST calendar-feeds with a plain fetch (the documented answer is checked in its own
 * test below); returns the 201 body. */
async function newFeed(token, clinicId, practitionerId) {
  const res = await fetch(`${BASE}/api/v1/clinics/${clinicId}/practitioners/${practitionerId}/calendar-feeds`,
    { method: 'POST', headers: bearer(token) });
  const text = await res.text();
  assert.equal(res.status, 201, text);
  return JSON.parse(text);
}

/** The feed's path and query (the URL's host is the configured public one). */
const feedPath = (url) => { const u = new URL(url); return u.pathname + u.search; };

before(async () => {
  DST = nextDstChanges(TZ, 3);
  const last = [DST.spring, DST.autumn].sort().at(-1);
  const horizon = Math.min(730, Math.ceil((Date.parse(`${last}T00:00:00Z`) - Date.now()) / DAY) + 10);
  P = createPractice({
    label: 'interop', tz: TZ,
    policy: { slot_step_minutes: 30, min_notice_minutes: 60, booking_horizon_days: Math.max(horizon, 30),
      cancellation_notice_hours: 24 },
    services: { s60: { minutes: 60 } },
    practitioners: { a: EVERY_DAY },
  });
  const email = `interop.${randomUUID().slice(0, 8)}@staff-test.clinicd.example`;
  const password = `interop-${randomBytes(12).toString('hex')}`;
  clinicdAdmin(['create-user', '--clinic', P.clinicId, '--email', email, '--role', 'clinic_admin',
    '--name', 'Interop admin'], `${password}\n`);
  staff = { token: await login(email, password), clinicId: P.clinicId };
});

after(() => {
  retirePractice(P);
});

// ---------------------------------------------------------------------------------------
describe('the booking\'s calendar.ics, read by ical.js', () => {
  const cases = () => [
    { name: 'day before spring', date: addDays(DST.spring, -1), time: '10:00' },
    { name: 'day of spring', date: DST.spring, time: '10:00' },
    { name: 'day after spring', date: addDays(DST.spring, 1), time: '09:00' },
    { name: 'day before autumn', date: addDays(DST.autumn, -1), time: '10:00' },
    { name: 'day of autumn', date: DST.autumn, time: '10:00' },
  ];

  test('the practice takes bookings on both sides of both changes', async () => {
    for (const c of cases()) {
      const a = await availability(P.practitioners.a, { from: c.date, to: c.date, service: P.services.s60 });
      const want = fmt(at(c.date, c.time, TZ), TZ);
      assert.ok(a.slots.some((s) => s.start === want), `${c.name}: ${want} is offered`);
      await bookAs(c.name, at(c.date, c.time, TZ));
    }
    // the offsets the API wrote really differ across each change
    assert.notEqual(offsetOf(booked['day before spring'].json.start), offsetOf(booked['day of spring'].json.start));
    assert.notEqual(offsetOf(booked['day before autumn'].json.start), offsetOf(booked['day of autumn'].json.start));
  });

  test('each parses; its VTIMEZONE is understood; DTSTART and DTEND are the booking\'s instants in its zone', async () => {
    assert.equal(Object.keys(booked).length, cases().length, 'the bookings of the previous test');
    for (const c of cases()) {
      const b = booked[c.name];
      const r = await get(`/api/v1/bookings/${b.json.id}/calendar.ics`, { headers: bearer(b.token) });
      assert.equal(r.status, 200, r.text);
      assert.match(r.headers.get('content-type'), /^text\/calendar/);
      const cal = parseIcs(r.text);
      assert.equal(cal.getFirstPropertyValue('version'), '2.0');
      assert.ok(cal.getFirstPropertyValue('prodid'));
      const zone = registerZone(cal);
      const vevents = cal.getAllSubcomponents('vevent');
      assert.equal(vevents.length, 1);
      const ev = new ICAL.Event(vevents[0]);
      assert.equal(ev.uid, `${b.json.id}@clinicd`);
      assertSameInstant(ev.startDate, b.json.start, zone, `${c.name} DTSTART`);
      assertSameInstant(ev.endDate, b.json.end, zone, `${c.name} DTEND`);
      assert.equal(ev.endDate.subtractDate(ev.startDate).toSeconds(), 3600, `${c.name}: one hour, whatever the clocks do`);
      assert.match(ev.summary, /s60 .* with Pat a /, `summary names the service and the practitioner: ${ev.summary}`);
      assert.equal(vevents[0].getFirstPropertyValue('status'), 'CONFIRMED');
    }
  });

  test('a cancelled booking\'s calendar.ics parses and says CANCELLED, with the same UID', async () => {
    const b = await bookAs('to cancel', at(addDays(DST.spring, 2), '11:00', TZ));
    const c = await post(`/api/v1/bookings/${b.json.id}/cancel`, {}, { headers: bearer(b.token) });
    assert.equal(c.status, 200, c.text);
    const r = await get(`/api/v1/bookings/${b.json.id}/calendar.ics`, { headers: bearer(b.token) });
    assert.equal(r.status, 200, r.text);
    const cal = parseIcs(r.text);
    const zone = registerZone(cal);
    const v = cal.getFirstSubcomponent('vevent');
    assert.equal(v.getFirstPropertyValue('uid'), `${b.json.id}@clinicd`);
    assert.equal(v.getFirstPropertyValue('status'), 'CANCELLED');
    assertSameInstant(new ICAL.Event(v).startDate, b.json.start, zone, 'DTSTART');
  });

  test('without the manage token the calendar.ics is a 404', async () => {
    const b = booked['day of spring'];
    assert.equal((await get(`/api/v1/bookings/${b.json.id}/calendar.ics`)).status, 404);
    assert.equal((await get(`/api/v1/bookings/${b.json.id}/calendar.ics`, { headers: bearer('x'.repeat(43)) })).status, 404);
  });
});

// ---------------------------------------------------------------------------------------
describe('a practitioner\'s calendar feed, read by ical.js', () => {
  let feed;

  test('POST calendar-feeds answers 201 as documented (id, url, feed_token, created_at as RFC 3339)', async () => {
    const r = await request('POST', `/api/v1/clinics/${staff.clinicId}/practitioners/${P.practitioners.a}/calendar-feeds`,
      { headers: bearer(staff.token) });
    assert.equal(r.status, 201, r.text);
    assert.match(r.json.id, UUID_RE);
    assert.ok(!Number.isNaN(Date.parse(r.json.created_at)));
  });

  test('the feed parses; its VTIMEZONE is understood; every booking is there at its instants', async () => {
    feed = await newFeed(staff.token, staff.clinicId, P.practitioners.a);
    assert.ok(feed.url.includes(`/api/v1/practitioners/${P.practitioners.a}/calendar.ics?feed=`), feed.url);
    const r = await get(feedPath(feed.url));
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type'), /^text\/calendar/);
    const cal = parseIcs(r.text);
    assert.equal(cal.getFirstPropertyValue('method'), 'PUBLISH');
    const zone = registerZone(cal);
    const events = eventsByUid(cal);
    const open = Object.entries(booked).filter(([name]) => name !== 'to cancel');
    assert.ok(open.length >= 5, 'the bookings made above');
    for (const [name, b] of open) {
      const ev = events.get(`${b.json.id}@clinicd`);
      assert.ok(ev, `${name}: the booking is in the feed`);
      assertSameInstant(ev.startDate, b.json.start, zone, `${name} DTSTART`);
      assertSameInstant(ev.endDate, b.json.end, zone, `${name} DTEND`);
    }
    assert.ok(!events.has(`${booked['to cancel'].json.id}@clinicd`), 'a cancelled booking is not in the feed');
    assert.equal(events.size, open.length, 'nothing else is in the feed');
  });

  test('events carry the patient\'s initials, and no name, e-mail address or phone number', async () => {
    const r = await get(feedPath(feed.url));
    const cal = parseIcs(r.text);
    for (const v of cal.getAllSubcomponents('vevent')) {
      const summary = v.getFirstPropertyValue('summary');
      assert.ok(summary.endsWith(`: ${INITIALS}`), `summary with initials: ${summary}`);
      assert.equal(v.getAllProperties('attendee').length, 0, 'no attendee');
      assert.equal(v.getAllProperties('description').length, 0, 'no description');
    }
    const text = r.text.replace(/\r\n[ \t]/g, '');
    for (const word of [PATIENT.first, PATIENT.last, 'Quinlan', 'Marsh', 'zelda.', '@example.org', '555 0100'])
      assert.ok(!text.toLowerCase().includes(word.toLowerCase()), `the feed holds "${word}"`);
  });

  test('a wrong token, another practitioner\'s id or no token is a 404', async () => {
    const u = new URL(feed.url);
    const other = randomUUID();
    assert.equal((await get(`${u.pathname}?feed=${'A'.repeat(43)}`)).status, 404);
    assert.equal((await get(`/api/v1/practitioners/${other}/calendar.ics${u.search}`)).status, 404);
    assert.equal((await get(u.pathname)).status, 404);
  });

  test('a revoked feed is a 404; the list shows it revoked', async () => {
    const r = await request('DELETE',
      `/api/v1/clinics/${staff.clinicId}/practitioners/${P.practitioners.a}/calendar-feeds/${feed.id}`,
      { headers: bearer(staff.token) });
    assert.equal(r.status, 204, r.text);
    const g = await get(feedPath(feed.url));
    assert.equal(g.status, 404, g.text);
    const list = await get(`/api/v1/clinics/${staff.clinicId}/practitioners/${P.practitioners.a}/calendar-feeds`,
      { headers: bearer(staff.token) });
    assert.equal(list.status, 200, list.text);
    const item = list.json.items.find((f) => f.id === feed.id);
    assert.ok(item && item.revoked_at, `revoked in ${list.text}`);
    // revoking again: there is no live feed of that id any more
    const again = await request('DELETE',
      `/api/v1/clinics/${staff.clinicId}/practitioners/${P.practitioners.a}/calendar-feeds/${feed.id}`,
      { headers: bearer(staff.token) });
    assert.equal(again.status, 404);
  });

  test('the demo clinic\'s administrator issues a feed that parses, then revokes it', async () => {
    const token = await login('admin@demo.clinicd.example', 'calm-fascia-demo');
    const me = await get('/api/v1/me', { headers: bearer(token) });
    assert.equal(me.status, 200, me.text);
    const cid = me.json.clinic_id;
    const [pr] = sql(`SELECT p.id, l.timezone FROM practitioners p
      JOIN practitioner_locations pl ON pl.practitioner_id = p.id JOIN locations l ON l.id = pl.location_id
      WHERE p.clinic_id = ${lit(cid)} AND p.active ORDER BY p.name, p.id, l.id LIMIT 1`);
    assert.ok(pr, 'the demo clinic has a practitioner');
    const f = await newFeed(token, cid, pr.id);
    const r = await get(feedPath(f.url));
    assert.equal(r.status, 200, r.text);
    const cal = parseIcs(r.text);
    registerZone(cal, pr.timezone);
    assert.match(cal.getFirstPropertyValue('x-wr-calname') ?? '', /: sessions$/);
    const d = await request('DELETE', `/api/v1/clinics/${cid}/practitioners/${pr.id}/calendar-feeds/${f.id}`,
      { headers: bearer(token) });
    assert.equal(d.status, 204, d.text);
    assert.equal((await get(feedPath(f.url))).status, 404);
  });
});
