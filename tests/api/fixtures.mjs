// Fixtures for the booking suites: a clinic of their own (with its policy), locations,
// practitioners, services and weekly hours, written as the schema owner with fresh
// uuids, plus wall-clock helpers that compute dates and RFC 3339 strings in a time zone
// the way the API is expected to write them.  Each suite deactivates what it made when
// it ends, so that the directory suites (which expect no published hours) do not see it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql, sqlExec, lit, request } from './lib.mjs';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

// ---------------------------------------------------------------------------------------
// time zones and wall-clock time

const dtf = new Map();
function formatter(tz) {
  if (!dtf.has(tz)) {
    dtf.set(tz, new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    }));
  }
  return dtf.get(tz);
}

/** Wall-clock parts of instant ms in tz: {y, m, d, hh, mm, ss} (numbers). */
export function wallParts(ms, tz) {
  const p = Object.fromEntries(formatter(tz).formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { y: +p.year, m: +p.month, d: +p.day, hh: +p.hour, mm: +p.minute, ss: +p.second };
}

/** The UTC offset of tz at instant ms, in minutes (east positive). */
export function offsetMin(ms, tz) {
  const w = wallParts(ms, tz);
  const asUtc = Date.UTC(w.y, w.m - 1, w.d, w.hh, w.mm, w.ss);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / MIN);
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** RFC 3339 with the zone's offset at that instant ("Z" for offset 0), as the API writes. */
export function fmt(ms, tz) {
  const w = wallParts(ms, tz);
  const off = offsetMin(ms, tz);
  const a = Math.abs(off);
  const o = off === 0 ? 'Z' : `${off < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
  return `${pad(w.y, 4)}-${pad(w.m)}-${pad(w.d)}T${pad(w.hh)}:${pad(w.mm)}:${pad(w.ss)}${o}`;
}

/** The local date (YYYY-MM-DD) of instant ms in tz. */
export function localDate(ms, tz) {
  const w = wallParts(ms, tz);
  return `${pad(w.y, 4)}-${pad(w.m)}-${pad(w.d)}`;
}

const ymdUtc = (ymd) => { const [y, m, d] = ymd.split('-').map(Number); return Date.UTC(y, m - 1, d); };

/** ymd plus n days. */
export function addDays(ymd, n) {
  return new Date(ymdUtc(ymd) + n * DAY).toISOString().slice(0, 10);
}

/** ISO weekday of a date: 1 = Monday .. 7 = Sunday. */
export function isoWeekday(ymd) {
  const w = new Date(ymdUtc(ymd)).getUTCDay();
  return w === 0 ? 7 : w;
}

/** The instant of wall-clock time hhmm ("09:30") on date ymd in tz; for a repeated time
 * the first occurrence; throws for a time that does not exist. */
export function at(ymd, hhmm, tz) {
  const [hh, mm] = hhmm.split(':').map(Number);
  const wall = ymdUtc(ymd) + hh * HOUR + mm * MIN;
  const found = new Set();
  for (const probe of [wall - DAY, wall + DAY]) {
    const t = wall - offsetMin(probe, tz) * MIN;
    if (wall - offsetMin(t, tz) * MIN === t) found.add(t);
  }
  assert.ok(found.size > 0, `${ymd} ${hhmm} does not exist in ${tz}`);
  return Math.min(...found);
}

/** Today's date in tz plus n days. */
export function today(tz, n = 0) {
  return addDays(localDate(Date.now(), tz), n);
}

/** The first date at least minDays ahead (in tz) that falls on ISO weekday wd. */
export function nextWeekday(tz, wd, minDays = 3) {
  let d = today(tz, minDays);
  while (isoWeekday(d) !== wd) d = addDays(d, 1);
  return d;
}

/** The next dates (after minDays from today) on which tz changes its offset:
 * {spring: YYYY-MM-DD, autumn: YYYY-MM-DD} (the local date of the change). */
export function nextDstChanges(tz, minDays = 3) {
  const out = {};
  let d = today(tz, minDays);
  for (let i = 0; i < 800 && !(out.spring && out.autumn); i++, d = addDays(d, 1)) {
    // offsets at local noon the day before and on the day: every real change is at night
    const before = offsetMin(at(addDays(d, -1), '12:00', tz), tz);
    const after = offsetMin(at(d, '12:00', tz), tz);
    if (after > before && !out.spring) out.spring = d;
    if (after < before && !out.autumn) out.autumn = d;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// the practice: clinic, location, practitioners, services, hours

const CITY = {
  'America/Los_Angeles': { city: 'Los Angeles', region: 'CA', country: 'US', lat: 34.05, lon: -118.25 },
  'America/New_York': { city: 'New York', region: 'NY', country: 'US', lat: 40.71, lon: -74.0 },
  'Europe/Berlin': { city: 'Berlin', region: 'BE', country: 'DE', lat: 52.52, lon: 13.4 },
  'America/Chicago': { city: 'Chicago', region: 'IL', country: 'US', lat: 41.88, lon: -87.63 },
};

/**
 * Creates a clinic of its own with one location in tz, its services and practitioners.
 *   policy:        clinic columns (min_notice_minutes, booking_horizon_days, ...)
 *   services:      {key: {minutes, before, after, price}}; each is offered by every
 *                  practitioner (addUnofferedService makes one nobody offers)
 *   practitioners: {key: hours} where hours is a list of
 *                  {weekday, start: 'HH:MM', end: 'HH:MM', valid_from?, valid_to?}
 * Returns {clinicId, locationId, tz, services: {key: id}, practitioners: {key: id}}.
 */
export function createPractice({ label, tz = 'America/Los_Angeles', policy = {}, services = {},
  practitioners = {} }) {
  const place = CITY[tz];
  assert.ok(place, `no test place for ${tz}`);
  const tag = randomUUID().slice(0, 8);
  const p = {
    clinicId: randomUUID(), locationId: randomUUID(), tz, services: {}, practitioners: {},
    label: `${label} ${tag}`,
  };
  const stmts = [];
  const cols = Object.keys(policy);
  stmts.push(`INSERT INTO clinics (id, name${cols.map((c) => `, ${c}`).join('')})
    VALUES (${lit(p.clinicId)}, ${lit(`Test clinic ${p.label}`)}${cols.map((c) => `, ${lit(policy[c])}`).join('')});`);
  stmts.push(`INSERT INTO locations (id, clinic_id, name, address, city, region, postcode, country, geog, timezone)
    VALUES (${lit(p.locationId)}, ${lit(p.clinicId)}, ${lit(`Rooms ${p.label}`)}, '1 Test Street',
      ${lit(place.city)}, ${lit(place.region)}, '00000', ${lit(place.country)},
      ST_SetSRID(ST_MakePoint(${place.lon}, ${place.lat}), 4326)::geography, ${lit(tz)});`);
  for (const [key, s] of Object.entries(services)) {
    const id = randomUUID();
    p.services[key] = id;
    stmts.push(`INSERT INTO services (id, clinic_id, name, duration_minutes, price_cents, currency,
        buffer_before_minutes, buffer_after_minutes)
      VALUES (${lit(id)}, ${lit(p.clinicId)}, ${lit(`${key} ${p.label}`)}, ${s.minutes}, ${s.price ?? 8000},
        'USD', ${s.before ?? 0}, ${s.after ?? 0});`);
  }
  for (const [key, hours] of Object.entries(practitioners)) {
    const id = randomUUID();
    p.practitioners[key] = id;
    stmts.push(practitionerSql(p, id, key, hours));
  }
  sqlExec(`BEGIN; ${stmts.join('\n')} COMMIT;`);
  return p;
}

function practitionerSql(p, id, key, hours) {
  const s = [];
  s.push(`INSERT INTO practitioners (id, clinic_id, name, profession_id)
    VALUES (${lit(id)}, ${lit(p.clinicId)}, ${lit(`Pat ${key} ${p.label}`)},
      (SELECT id FROM professions ORDER BY id LIMIT 1));`);
  s.push(`INSERT INTO practitioner_locations (clinic_id, practitioner_id, location_id)
    VALUES (${lit(p.clinicId)}, ${lit(id)}, ${lit(p.locationId)});`);
  for (const sid of Object.values(p.services))
    s.push(`INSERT INTO practitioner_services (clinic_id, practitioner_id, service_id)
        VALUES (${lit(p.clinicId)}, ${lit(id)}, ${lit(sid)});`);
  for (const h of hours)
    s.push(`INSERT INTO weekly_hours (clinic_id, practitioner_id, location_id, weekday, start_time,
        end_time, valid_from, valid_to)
      VALUES (${lit(p.clinicId)}, ${lit(id)}, ${lit(p.locationId)}, ${h.weekday}, ${lit(h.start)},
        ${lit(h.end)}, ${lit(h.valid_from ?? null)}, ${lit(h.valid_to ?? null)});`);
  return s.join('\n');
}

/** Adds a practitioner (offering every service of the practice) with these hours. */
export function addPractitioner(p, key, hours) {
  const id = randomUUID();
  p.practitioners[key] = id;
  sqlExec(`BEGIN; ${practitionerSql(p, id, key, hours)} COMMIT;`);
  return id;
}

/** Adds a service of the practice that nobody offers; returns its id. */
export function addUnofferedService(p, key, minutes = 60) {
  const id = randomUUID();
  sqlExec(`INSERT INTO services (id, clinic_id, name, duration_minutes, price_cents, currency)
    VALUES (${lit(id)}, ${lit(p.clinicId)}, ${lit(`${key} ${p.label}`)}, ${minutes}, 5000, 'USD')`);
  return id;
}

/** Time off [startMs, endMs) for a practitioner. */
export function addTimeOff(p, practitionerId, startMs, endMs) {
  sqlExec(`INSERT INTO time_off (clinic_id, practitioner_id, during)
    VALUES (${lit(p.clinicId)}, ${lit(practitionerId)},
      tstzrange(${lit(new Date(startMs).toISOString())}::timestamptz, ${lit(new Date(endMs).toISOString())}::timestamptz))`);
}

/** Hides what a suite made from the directory (and from next_available). */
export function retirePractice(p) {
  if (!p) return;
  sqlExec(`UPDATE practitioners SET active = false WHERE clinic_id = ${lit(p.clinicId)};
           UPDATE locations SET active = false WHERE clinic_id = ${lit(p.clinicId)};`);
}

// ---------------------------------------------------------------------------------------
// API shortcuts

let emailSeq = 0;
/** A patient with a fresh e-mail address (so the per-contact limit is never shared). */
export function patient(tag = 'p') {
  emailSeq += 1;
  return { name: `Test Patient ${tag}`, email: `${tag}.${emailSeq}.${randomUUID().slice(0, 8)}@example.org`,
    phone: '+1 503 555 0100' };
}

/** GET availability; asserts 200 and returns the body. */
export async function availability(practitionerId, params) {
  const q = new URLSearchParams(params).toString();
  const r = await request('GET', `/api/v1/practitioners/${practitionerId}/availability?${q}`);
  assert.equal(r.status, 200, `availability ${q}: ${r.status} ${r.text.slice(0, 400)}`);
  assert.ok(Array.isArray(r.json.slots), r.text.slice(0, 200));
  return r.json;
}

/** The slot starts of an availability answer. */
export const starts = (a) => a.slots.map((s) => s.start);

/** POST /bookings with a body built from the defaults; returns the raw answer. */
export function book(practitionerId, serviceId, startMs, tz, extra = {}) {
  return request('POST', '/api/v1/bookings', {
    body: { practitioner_id: practitionerId, service_id: serviceId, start: fmt(startMs, tz),
      patient: patient('b'), ...extra },
  });
}

/** POST /bookings that must succeed; returns the 201 body. */
export async function bookOk(practitionerId, serviceId, startMs, tz, extra = {}) {
  const r = await book(practitionerId, serviceId, startMs, tz, extra);
  assert.equal(r.status, 201, `booking ${fmt(startMs, tz)}: ${r.status} ${r.text}`);
  return r.json;
}

export const bearer = (token) => ({ authorization: `Bearer ${token}` });

/** Rows of one booking (as the owner). */
export function bookingRow(id) {
  const rows = sql(`SELECT id, status, series_id, extract(epoch FROM lower(during))::bigint * 1000 AS start_ms,
      extract(epoch FROM upper(during))::bigint * 1000 AS end_ms,
      extract(epoch FROM lower(blocked))::bigint * 1000 AS blocked_start_ms,
      extract(epoch FROM upper(blocked))::bigint * 1000 AS blocked_end_ms,
      encode(manage_token_hash, 'hex') AS hash_hex, length(manage_token_hash) AS hash_len,
      reschedule_count FROM bookings WHERE id = ${lit(id)}`);
  return rows[0];
}
