// The availability answer as clinicd writes it straight into the reply: compact JSON
// with the keys in the documented order, every instant written in the practitioner's
// zone with the offset in effect at that instant (whole, half and three-quarter hours,
// east and west, "Z" for UTC), across daylight-saving changes, over the longest range
// (62 days, thousands of slots), with a second location in another zone, and without
// slots.  Each zone gets a practice of its own: open every day 00:00-23:45, a 50-minute
// service every 15 minutes, no notice, a horizon past the next clock changes.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { get, lit, sqlExec } from './lib.mjs';
import {
  MIN, DAY, at, fmt, addDays, today, nextDstChanges, createPractice, retirePractice,
  addPractitioner, availability,
} from './fixtures.mjs';

const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '23:45' }));
const POLICY = { slot_step_minutes: 15, min_notice_minutes: 0, booking_horizon_days: 500 };
// wall-clock starts on an ordinary day: 00:00, 00:15, ... while start + 50 min <= 23:45
const PER_DAY = Math.floor((23 * 60 + 45 - 50) / 15) + 1;

// the zones, and whether they change their clocks
const ZONES = [
  ['America/New_York', true], ['Europe/Berlin', true], ['Asia/Kolkata', false],
  ['America/St_Johns', true], ['Australia/Lord_Howe', true], ['Asia/Kathmandu', false],
  ['America/Phoenix', false], ['UTC', false], ['Pacific/Chatham', true],
];

const practices = [];
after(() => { for (const p of practices) retirePractice(p); });

/** A practice whose one location is in tz (createPractice knows a few cities only: the
 * location is made in New York and moved). */
function practiceIn(tz, label) {
  const p = createPractice({ label, tz: 'America/New_York', policy: POLICY,
    services: { s50: { minutes: 50 } }, practitioners: { all: EVERY_DAY } });
  sqlExec(`UPDATE locations SET timezone = ${lit(tz)} WHERE id = ${lit(p.locationId)}`);
  p.tz = tz;
  practices.push(p);
  return p;
}

/** GET availability and the raw text; checks what every answer must be byte for byte. */
async function answer(pid, params) {
  const r = await get(`/api/v1/practitioners/${pid}/availability?${new URLSearchParams(params)}`);
  assert.equal(r.status, 200, r.text.slice(0, 400));
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(r.text, JSON.stringify(r.json), 'compact JSON, nothing more');
  assert.deepEqual(Object.keys(r.json), ['practitioner_id', 'service_id', 'timezone', 'slots']);
  for (const s of r.json.slots) assert.deepEqual(Object.keys(s), ['start', 'end', 'location_id']);
  return r.json;
}

/** Each instant of each slot is written in tz with the offset in effect at it. */
function assertWrittenIn(a, tz) {
  for (const s of a.slots) {
    for (const t of [s.start, s.end])
      assert.equal(fmt(Date.parse(t), tz), t, `${t} is not how ${tz} shows that instant`);
  }
}

/** Start and end of the 62 days to ask for: around the next clock change if any. */
function range(tz, changes) {
  const first = today(tz, 3);
  const change = changes ? [changes.spring, changes.autumn].filter(Boolean).sort()[0] : undefined;
  const from = change && addDays(change, -30) > first ? addDays(change, -30) : first;
  return { from, to: addDays(from, 61) };
}

describe('availability written straight into the reply', () => {
  for (const [tz, changesClocks] of ZONES) {
    test(`62 days in ${tz}: every instant with its offset, ${PER_DAY} slots on ordinary days`, async () => {
      const p = practiceIn(tz, `fast ${tz}`);
      const changes = changesClocks ? nextDstChanges(tz, 3) : undefined;
      const { from, to } = range(tz, changes);
      const a = await answer(p.practitioners.all, { from, to, service: p.services.s50 });
      assert.equal(a.practitioner_id, p.practitioners.all);
      assert.equal(a.service_id, p.services.s50);
      assert.equal(a.timezone, tz);
      assertWrittenIn(a, tz);
      let prev = -Infinity;
      const perDay = new Map();
      for (const s of a.slots) {
        const start = Date.parse(s.start);
        assert.ok(start > prev, `${s.start} after the slot before it`);
        prev = start;
        assert.equal(Date.parse(s.end) - start, 50 * MIN, `${s.start} lasts 50 minutes`);
        assert.equal(s.location_id, p.locationId);
        const day = s.start.slice(0, 10);
        perDay.set(day, (perDay.get(day) ?? 0) + 1);
      }
      // every local day of the range has slots; a day without a clock change has all
      let ordinary = 0;
      for (let d = from; d <= to; d = addDays(d, 1)) {
        const offsetsDiffer = fmt(at(d, '00:00', tz), tz).slice(19) !== fmt(at(d, '23:45', tz), tz).slice(19);
        if (offsetsDiffer) {
          assert.ok((perDay.get(d) ?? 0) > 0, `${d}: no slots on the day of the change`);
        } else {
          assert.equal(perDay.get(d), PER_DAY, `${d} in ${tz}`);
          ordinary++;
        }
      }
      assert.ok(ordinary >= 60, `${ordinary} ordinary days`);
      if (changes) {
        const offsets = new Set(a.slots.map((s) => s.start.slice(19)));
        assert.ok(offsets.size === 2, `both offsets of ${tz} appear: ${[...offsets]}`);
      }
    });
  }

  test('a second location in another zone: its slots are written in the answer\'s zone', async () => {
    const p = practiceIn('Asia/Kolkata', 'fast two places');
    // a location whose id sorts after the first, in Berlin, with Sunday hours there
    let second = randomUUID();
    while (second < p.locationId) second = randomUUID();
    const pid = addPractitioner(p, 'two', [{ weekday: 1, start: '09:00', end: '12:00' }]);
    sqlExec(`BEGIN;
      INSERT INTO locations (id, clinic_id, name, address, city, region, postcode, country, geog, timezone)
        VALUES (${lit(second)}, ${lit(p.clinicId)}, 'Second rooms', '2 Test Street', 'Berlin', 'BE',
          '10115', 'DE', ST_SetSRID(ST_MakePoint(13.4, 52.52), 4326)::geography, 'Europe/Berlin');
      INSERT INTO practitioner_locations (clinic_id, practitioner_id, location_id)
        VALUES (${lit(p.clinicId)}, ${lit(pid)}, ${lit(second)});
      INSERT INTO weekly_hours (clinic_id, practitioner_id, location_id, weekday, start_time, end_time)
        VALUES (${lit(p.clinicId)}, ${lit(pid)}, ${lit(second)}, 7, '10:00', '12:00');
      COMMIT;`);
    const from = today('Asia/Kolkata', 3);
    const a = await answer(pid, { from, to: addDays(from, 13), service: p.services.s50 });
    assert.equal(a.timezone, 'Asia/Kolkata', 'the zone of the location that sorts first');
    assertWrittenIn(a, 'Asia/Kolkata');
    const byLocation = new Map();
    for (const s of a.slots) byLocation.set(s.location_id, [...(byLocation.get(s.location_id) ?? []), s]);
    assert.deepEqual([...byLocation.keys()].sort(), [p.locationId, second].sort());
    // Berlin's Sundays 10:00-12:00 (five starts each), written as Kolkata shows them
    for (const s of byLocation.get(second)) {
      const berlin = fmt(Date.parse(s.start), 'Europe/Berlin').slice(11, 16);
      assert.ok(berlin >= '10:00' && berlin <= '11:00', `${s.start} is ${berlin} in Berlin`);
    }
    assert.equal(byLocation.get(second).length, 2 * 5, 'two Sundays in Berlin');
    assert.equal(byLocation.get(p.locationId).length, 2 * 9, 'Mondays 09:00-12:00: 9 starts each');
  });

  test('no slots: the answer is the head and an empty list', async () => {
    const p = practiceIn('Pacific/Chatham', 'fast empty');
    const pid = addPractitioner(p, 'none', []);
    const from = today('Pacific/Chatham', 3);
    const r = await get(`/api/v1/practitioners/${pid}/availability?from=${from}&to=${from}&service=${p.services.s50}`);
    assert.equal(r.status, 200);
    assert.equal(r.text, `{"practitioner_id":"${pid}","service_id":"${p.services.s50}",`
      + '"timezone":"Pacific/Chatham","slots":[]}');
  });

  test('the same answer twice, and a short range is the start of a long one', async () => {
    const p = practiceIn('America/St_Johns', 'fast again');
    const pid = p.practitioners.all;
    const from = today('America/St_Johns', 3);
    const long = await answer(pid, { from, to: addDays(from, 20), service: p.services.s50 });
    const again = await answer(pid, { from, to: addDays(from, 20), service: p.services.s50 });
    assert.deepEqual(again, long);
    const short = await availability(pid, { from, to: from, service: p.services.s50 });
    assert.deepEqual(short.slots, long.slots.slice(0, short.slots.length));
    assert.equal(short.slots.length, PER_DAY);
    assert.ok(Date.parse(long.slots.at(-1).start) - Date.parse(long.slots[0].start) > 19 * DAY);
  });
});
