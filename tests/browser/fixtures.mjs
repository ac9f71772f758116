// What the browser suites need in the database, written as the schema owner: weekly
// hours for the demo clinic's practitioners (the demo data may have none) and a second
// practitioner there, so that the staff schedule has two columns side by side.
// Idempotent: running it twice changes nothing more.
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { indexCaughtUp } from '../api/lib.mjs';

export const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:8080';
export const OWNER_DB = process.env.OWNER_DATABASE_URL;

export const ADMIN = { email: 'admin@demo.clinicd.example', password: 'calm-fascia-demo' };
export const PRACTITIONER = { email: 'practitioner@demo.clinicd.example', password: 'calm-fascia-demo' };
export const COLLEAGUE_NAME = 'Ada Lindqvist';
export const NEW_SERVICE = 'Gentle MFR for fibromyalgia'; // the staff suite adds it

export function lit(v) {
  if (v === null || v === undefined) return 'NULL';
  return `'${String(v).replace(/'/g, "''")}'`;
}

/** Runs one SELECT as the schema owner; returns its rows as objects. */
export function sql(query) {
  assert.ok(OWNER_DB, 'OWNER_DATABASE_URL must be set for the browser suites');
  const out = execFileSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', OWNER_DB, '-c',
    `SELECT coalesce(json_agg(t), '[]'::json) FROM (${query}) t`], { encoding: 'utf8' });
  return JSON.parse(out);
}

export function sqlExec(statements) {
  assert.ok(OWNER_DB, 'OWNER_DATABASE_URL must be set for the browser suites');
  execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', OWNER_DB, '-c', statements],
    { encoding: 'utf8' });
  indexCaughtUp(); // searches show the change (tests/api/lib.mjs)
}

/**
 * Prepares the demo clinic and returns what the suites need:
 *   {clinicId, clinicName, locationId, tz, city, practitionerId, practitionerName,
 *    colleagueId, serviceId, serviceName, postcode}
 * practitionerId is the demo practitioner login's own practitioner (it does MFR or is
 * made to), with hours every day 08:00-18:00 in the location's zone.
 */
export function prepareDemoClinic() {
  const [me] = sql(`SELECT u.clinic_id, u.practitioner_id, c.name AS clinic_name
    FROM staff_users u JOIN clinics c ON c.id = u.clinic_id
    WHERE u.email = ${lit(PRACTITIONER.email)}`);
  assert.ok(me, 'the demo practitioner login is missing (setup-db.sh makes it)');
  const [loc] = sql(`SELECT l.id, l.timezone, l.city, l.postcode FROM locations l
    JOIN practitioner_locations pl ON pl.location_id = l.id
    WHERE pl.practitioner_id = ${lit(me.practitioner_id)} AND l.active ORDER BY l.id LIMIT 1`);
  assert.ok(loc, 'the demo practitioner has no location');
  const c = lit(me.clinic_id);
  const p = lit(me.practitioner_id);
  const stmts = [];
  // MFR and fibromyalgia, so that the searches of the suites find this practitioner
  stmts.push(`INSERT INTO practitioner_techniques (clinic_id, practitioner_id, technique_id)
    SELECT ${c}, ${p}, id FROM techniques WHERE slug = 'myofascial-release' ON CONFLICT DO NOTHING;`);
  stmts.push(`UPDATE practitioners SET accepting_new = true, active = true WHERE id = ${p};`);
  // a colleague in the same rooms, offering the same services
  stmts.push(`INSERT INTO practitioners (id, clinic_id, name, profession_id, credentials, bio, languages,
      accepting_new, home_visits)
    SELECT gen_random_uuid(), ${c}, ${lit(COLLEAGUE_NAME)},
      (SELECT id FROM professions WHERE slug = 'massage-therapist'), 'LMT',
      'Ada is a licensed massage therapist who works slowly and gently with people living with fibromyalgia and ME/CFS.',
      ARRAY['en','sv'], true, false
    WHERE NOT EXISTS (SELECT 1 FROM practitioners WHERE clinic_id = ${c} AND name = ${lit(COLLEAGUE_NAME)});`);
  stmts.push(`INSERT INTO practitioner_locations (clinic_id, practitioner_id, location_id)
    SELECT ${c}, id, ${lit(loc.id)} FROM practitioners WHERE clinic_id = ${c} AND name = ${lit(COLLEAGUE_NAME)}
    ON CONFLICT DO NOTHING;`);
  stmts.push(`INSERT INTO practitioner_services (clinic_id, practitioner_id, service_id)
    SELECT ${c}, p.id, ps.service_id FROM practitioners p, practitioner_services ps
    WHERE p.clinic_id = ${c} AND p.name = ${lit(COLLEAGUE_NAME)} AND ps.practitioner_id = ${p}
    ON CONFLICT DO NOTHING;`);
  stmts.push(`INSERT INTO practitioner_techniques (clinic_id, practitioner_id, technique_id)
    SELECT ${c}, p.id, t.id FROM practitioners p, techniques t
    WHERE p.clinic_id = ${c} AND p.name = ${lit(COLLEAGUE_NAME)} AND t.slug IN ('myofascial-release', 'remedial-massage')
    ON CONFLICT DO NOTHING;`);
  stmts.push(`INSERT INTO practitioner_conditions (clinic_id, practitioner_id, condition_id)
    SELECT ${c}, p.id, k.id FROM practitioners p, conditions k
    WHERE p.clinic_id = ${c} AND p.name = ${lit(COLLEAGUE_NAME)} AND k.slug IN ('fibromyalgia', 'chronic-fatigue-syndrome')
    ON CONFLICT DO NOTHING;`);
  // a clean slate for a second run on the same database: no bookings or time off of
  // these two from an earlier run
  stmts.push(`DELETE FROM bookings WHERE practitioner_id IN (SELECT id FROM practitioners WHERE id = ${p} OR (clinic_id = ${c} AND name = ${lit(COLLEAGUE_NAME)}));`);
  stmts.push(`DELETE FROM time_off WHERE practitioner_id IN (SELECT id FROM practitioners WHERE id = ${p} OR (clinic_id = ${c} AND name = ${lit(COLLEAGUE_NAME)}));`);
  stmts.push(`DELETE FROM practitioner_services WHERE service_id IN (SELECT id FROM services WHERE clinic_id = ${c} AND name = ${lit(NEW_SERVICE)});`);
  stmts.push(`DELETE FROM services WHERE clinic_id = ${c} AND name = ${lit(NEW_SERVICE)} AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.service_id = services.id);`);
  // the same weekly hours for both, every day, replacing what was there
  stmts.push(`DELETE FROM weekly_hours WHERE clinic_id = ${c}
    AND practitioner_id IN (SELECT id FROM practitioners WHERE id = ${p} OR (clinic_id = ${c} AND name = ${lit(COLLEAGUE_NAME)}));`);
  stmts.push(`INSERT INTO weekly_hours (clinic_id, practitioner_id, location_id, weekday, start_time, end_time)
    SELECT ${c}, pr.id, ${lit(loc.id)}, d, '08:00', '18:00'
    FROM practitioners pr, generate_series(1, 7) d
    WHERE pr.id = ${p} OR (pr.clinic_id = ${c} AND pr.name = ${lit(COLLEAGUE_NAME)});`);
  stmts.push(`UPDATE practitioners SET search_doc = search_doc WHERE clinic_id = ${c};`);
  sqlExec(`BEGIN; ${stmts.join('\n')} COMMIT;`);
  const [prac] = sql(`SELECT name FROM practitioners WHERE id = ${p}`);
  const [col] = sql(`SELECT id FROM practitioners WHERE clinic_id = ${c} AND name = ${lit(COLLEAGUE_NAME)}`);
  const [svc] = sql(`SELECT s.id, s.name, s.duration_minutes FROM services s
    JOIN practitioner_services ps ON ps.service_id = s.id
    WHERE ps.practitioner_id = ${p} AND s.active ORDER BY s.duration_minutes, s.name LIMIT 1`);
  return {
    clinicId: me.clinic_id, clinicName: me.clinic_name, locationId: loc.id, tz: loc.timezone,
    city: loc.city, postcode: loc.postcode, practitionerId: me.practitioner_id,
    practitionerName: prac.name, colleagueId: col.id, serviceId: svc.id, serviceName: svc.name,
  };
}

// ---------------------------------------------------------------------------------------
// API shortcuts for arranging a situation quickly (the pages are tested, not these)

export async function api(method, path, { body, headers = {} } = {}) {
  const init = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['content-type'] = 'application/json';
  }
  const res = await fetch(BASE + path, init);
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text };
}

/** The open slots of a practitioner's service for the next `days` days. */
export async function slots(practitionerId, serviceId, fromYmd, toYmd) {
  const r = await api('GET', `/api/v1/practitioners/${practitionerId}/availability?service=${serviceId}&from=${fromYmd}&to=${toYmd}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

let seq = 0;
export async function bookDirect(practitionerId, serviceId, start) {
  seq += 1;
  const r = await api('POST', '/api/v1/bookings', {
    body: { practitioner_id: practitionerId, service_id: serviceId, start,
      patient: { name: `Arranged Patient ${seq}`, email: `arranged.${seq}.${Date.now()}@example.org` } },
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

/** The demo colleague's first free time from hhmm local on day today+n (F from
 * prepareDemoClinic). */
export async function colleagueFreeFrom(F, n, hhmm) {
  const day = ymd(F.tz, n);
  const a = await api('GET', `/api/v1/practitioners/${F.colleagueId}/availability?service=${F.serviceId}&from=${day}&to=${day}`);
  assert.equal(a.status, 200, a.text);
  const slot = a.json.slots.find((s) => s.start.slice(11, 16) >= hhmm);
  assert.ok(slot, `no slot on ${day} from ${hhmm}`);
  return slot;
}

/** A weekly plan of count sessions with the demo colleague from day today+n, its first
 * free time from hhmm local: {id, token, occurrences, first (the first booked one),
 * link (its manage link)}. */
export async function bookColleaguePlan(F, n, { count, hhmm, name, mailbox, onConflict = 'nearest' }) {
  const slot = await colleagueFreeFrom(F, n, hhmm);
  const r = await api('POST', '/api/v1/booking-series', {
    body: { practitioner_id: F.colleagueId, service_id: F.serviceId, start: slot.start,
      patient: { name, email: `${mailbox}.${Date.now()}@example.org` },
      rrule: `FREQ=WEEKLY;COUNT=${count}`, on_conflict: onConflict },
  });
  assert.equal(r.status, 201, r.text);
  const first = r.json.occurrences.find((o) => o.booking_id);
  return { id: r.json.id, token: r.json.manage_token, occurrences: r.json.occurrences, first,
    link: `/manage#id=${first.booking_id}&token=${r.json.manage_token}` };
}

/** YYYY-MM-DD of today in tz, plus n days. */
export function ymd(tz, n = 0) {
  const d = new Date(Date.now() + n * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}
