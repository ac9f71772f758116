// The access matrix of the staff API: every route under /api/v1/clinics/{clinic_id} (and
// /api/v1/me, /api/v1/auth/logout, /api/v1/auth/password) against every kind of caller,
// asserting the exact status.  The table is checked against backend/src/routes.c:
// a staff route added there without an entry here fails this suite.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { request, sql, sqlExec, lit } from './lib.mjs';
import {
  REPO, RUN, PASSWORD, bearer, createUser, createPlatformAdmin, signedIn, loginOk, ageSessions,
  clearThrottle, createStaffClinic, retireClinic, expectStatus, slotAllocator, staffBook, moveToPast,
  locationBody, serviceBody, freshEmail, sessionRow, WEEKDAYS_9_TO_17,
} from './staff-fixtures.mjs';

// ---------------------------------------------------------------------------------------
// the callers

// Every kind of caller, in the order they are tried (refusals first).
const ACTORS = ['none', 'expired', 'revoked', 'otherAdmin', 'readKey', 'pracOther', 'prac', 'admin',
  'platform'];

let C;          // the clinic under test: its admin, a location, a service, p1 and p2
let OTHER;      // another clinic (with data of its own) and its admin
let PRAC;       // the practitioner account of p1, signed in
let PLATFORM;   // a platform admin, signed in
let EXPIRED;    // an admin of C whose session has been idle 31 minutes
let REVOKED;    // an admin of C who signed out
let READ_KEY;   // an API key of C with the read scope only
const slots = {}; // free slots per practitioner

function headersOf(actor) {
  switch (actor) {
    case 'none': return {};
    case 'expired': return EXPIRED.auth;
    case 'revoked': return REVOKED.auth;
    case 'otherAdmin': return OTHER.admin.auth;
    case 'readKey': return bearer(READ_KEY);
    case 'prac': case 'pracOther': return PRAC.auth;
    case 'admin': return C.admin.auth;
    case 'platform': return PLATFORM.auth;
    default: throw new Error(actor);
  }
}

// ---------------------------------------------------------------------------------------
// fresh resources of C, made as its admin (so that a call that succeeds never changes what
// another caller's call sees)

const adminApi = () => ({ headers: C.admin.auth });
let sundaySeq = 0;
let offSeq = 0;
const hhmm = (m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** A Sunday window of 10 minutes no other rule uses. */
function sundayWindow() {
  sundaySeq += 1;
  const start = sundaySeq * 15;
  return { weekday: 7, start_time: hhmm(start), end_time: hhmm(start + 10) };
}

async function freshLocation() {
  const r = await request('POST', `${C.base}/locations`, { ...adminApi(), body: locationBody(`Matrix room ${RUN} ${Math.random()}`) });
  return expectStatus(r, 201, 'fresh location').json.id;
}
async function freshService() {
  const r = await request('POST', `${C.base}/services`, { ...adminApi(), body: serviceBody(`Matrix svc ${RUN} ${Math.random()}`) });
  return expectStatus(r, 201, 'fresh service').json.id;
}
async function freshPractitioner() {
  const r = await request('POST', `${C.base}/practitioners`, { ...adminApi(), body: {
    name: `Matrix pract ${RUN} ${Math.random()}`, profession: 'massage-therapist', location_ids: [C.locationId] } });
  return expectStatus(r, 201, 'fresh practitioner').json.id;
}
function freshHours(pid) {
  const w = sundayWindow();
  const id = randomUUID();
  sqlExec(`INSERT INTO weekly_hours (id, clinic_id, practitioner_id, location_id, weekday, start_time, end_time)
    VALUES (${lit(id)}, ${lit(C.clinicId)}, ${lit(pid)}, ${lit(C.locationId)}, 7, ${lit(w.start_time)}, ${lit(w.end_time)})`);
  return id;
}
const wholeMinute = (ms) => new Date(Math.floor(ms / 60_000) * 60_000).toISOString().replace('.000Z', 'Z');
function offRange(daysAhead) {
  offSeq += 1;
  const start = Date.now() + daysAhead * 86_400_000 + offSeq * 3_600_000;
  return { start: wholeMinute(start), end: wholeMinute(start + 1_800_000) };
}
function freshTimeOff(pid) {
  const o = offRange(200);
  const id = randomUUID();
  sqlExec(`INSERT INTO time_off (id, clinic_id, practitioner_id, during)
    VALUES (${lit(id)}, ${lit(C.clinicId)}, ${lit(pid)}, tstzrange(${lit(o.start)}::timestamptz, ${lit(o.end)}::timestamptz))`);
  return id;
}
async function freshFeed(pid) {
  const r = await request('POST', `${C.base}/practitioners/${pid}/calendar-feeds`, { ...adminApi(), body: {} });
  return expectStatus(r, 201, 'fresh feed').json.id;
}
async function freshBooking(pid) {
  return (await staffBook(C, C.admin.auth, pid, slots[pid]())).id;
}
async function pastBooking(pid) {
  const id = await freshBooking(pid);
  moveToPast(id);
  return id;
}
/** A notification of a fresh booking of pid that failed for good (as the worker leaves it). */
async function failedNotification(pid) {
  const booking = await freshBooking(pid);
  const id = randomUUID();
  sqlExec(`INSERT INTO notifications (id, clinic_id, kind, booking_id, recipient, dedupe_key, status, attempts,
      failed_at, last_error)
    VALUES (${lit(id)}, ${lit(C.clinicId)}, 'reminder', ${lit(booking)}, 'nobody@example.org', ${lit(`matrix:${id}`)},
      'failed', 1, now(), 'the mail server refused it: 550 5.1.1 matrix')`);
  return id;
}
async function freshKey() {
  const r = await request('POST', `${C.base}/api-keys`, { ...adminApi(), body: { name: `matrix ${Math.random()}`, scopes: ['read'] } });
  return expectStatus(r, 201, 'fresh key').json.id;
}
/** A throwaway account of the actor's kind, signed in (for calls that end sessions). */
async function throwawayOf(actor) {
  switch (actor) {
    case 'prac': return signedIn(createUser({ clinic: C.clinicId, role: 'practitioner', practitioner: C.practitioners.p1 }));
    case 'admin': return signedIn(createUser({ clinic: C.clinicId, role: 'clinic_admin' }));
    case 'otherAdmin': return signedIn(createUser({ clinic: OTHER.clinicId, role: 'clinic_admin' }));
    case 'platform': return signedIn(createPlatformAdmin());
    default: return null;
  }
}

// ---------------------------------------------------------------------------------------
// the table

const STAFF = { none: 401, expired: 401, revoked: 401, otherAdmin: 404 };
// any staff of the clinic may read; a read-only key may too
const READ = { ...STAFF, readKey: 200, prac: 200, admin: 200, platform: 200 };
// reads of patient data need the patient_data scope
const READ_PATIENT = { ...READ, readKey: 403 };
// admins only
const ADMIN_READ = { ...READ, prac: 403 };
const adminWrite = (ok) => ({ ...STAFF, readKey: 403, prac: 403, admin: ok, platform: ok });
// a practitioner's own schedule: practitioners too, another practitioner's is a 404
const selfRead = { ...READ, pracOther: 404 };
const selfWrite = (ok) => ({ ...STAFF, readKey: 403, prac: ok, pracOther: 404, admin: ok, platform: ok });
// API keys are managed by signed-in admins, never with a key
const KEYS_READ = { ...ADMIN_READ, readKey: 403 };
// the audit log names staff by e-mail: admins, and keys with the audit scope (not read)
const AUDIT_READ = { ...ADMIN_READ, readKey: 403 };

// The practitioner a call is about: p1 (the practitioner account's own) unless the caller
// is pracOther (p2, someone else's).
const pidFor = (actor) => (actor === 'pracOther' ? C.practitioners.p2 : C.practitioners.p1);
const P = (actor) => `${C.base}/practitioners/${pidFor(actor)}`;

const csvOne = () => `name,profession,location_ids\r\nImported ${RUN} ${Math.random()},massage-therapist,${C.locationId}\r\n`;

/** method path -> {expect: {actor: status}, req: async (actor) => {path, body, raw, headers}} */
const MATRIX = {
  'GET /api/v1/me': {
    expect: { none: 401, expired: 401, revoked: 401, otherAdmin: 200, readKey: 200, prac: 200, admin: 200, platform: 200 },
    req: async () => ({ path: '/api/v1/me' }),
  },
  'POST /api/v1/auth/logout': {
    // an API key is revoked by an admin, not signed out: 400 not-a-session
    expect: { none: 401, expired: 401, revoked: 401, otherAdmin: 204, readKey: 400, prac: 204, admin: 204, platform: 204 },
    req: async (actor) => {
      const u = await throwawayOf(actor);
      return { path: '/api/v1/auth/logout', body: {}, auth: u?.auth };
    },
  },
  'POST /api/v1/auth/password': {
    // an API key has no password: 403
    expect: { none: 401, expired: 401, revoked: 401, otherAdmin: 204, readKey: 403, prac: 204, admin: 204, platform: 204 },
    req: async (actor) => {
      const u = await throwawayOf(actor);
      return { path: '/api/v1/auth/password', body: { current_password: PASSWORD, new_password: `${PASSWORD}-changed` },
        auth: u?.auth };
    },
  },
  'GET /api/v1/clinics/{clinic_id}': { expect: READ, req: async () => ({ path: C.base }) },
  'PATCH /api/v1/clinics/{clinic_id}': {
    expect: adminWrite(200), req: async () => ({ path: C.base, body: { phone: '+1 503 555 0199' } }),
  },
  'GET /api/v1/clinics/{clinic_id}/audit-log': { expect: AUDIT_READ, req: async () => ({ path: `${C.base}/audit-log?limit=5` }) },
  'GET /api/v1/clinics/{clinic_id}/schedule': {
    expect: { ...READ_PATIENT, pracOther: 404 },
    req: async (actor) => ({ path: `${C.base}/schedule${actor === 'pracOther' ? `?practitioner=${C.practitioners.p2}` : ''}` }),
  },
  'GET /api/v1/clinics/{clinic_id}/practitioners/{id}/hours': {
    expect: selfRead, req: async (actor) => ({ path: `${P(actor)}/hours` }),
  },
  'POST /api/v1/clinics/{clinic_id}/practitioners/{id}/hours': {
    expect: selfWrite(201),
    req: async (actor) => ({ path: `${P(actor)}/hours`, body: { ...sundayWindow(), location_id: C.locationId } }),
  },
  'PUT /api/v1/clinics/{clinic_id}/practitioners/{id}/hours': {
    expect: selfWrite(200),
    req: async (actor) => ({ path: `${P(actor)}/hours`,
      body: { rules: WEEKDAYS_9_TO_17.map((h) => ({ ...h, location_id: C.locationId })) } }),
  },
  'DELETE /api/v1/clinics/{clinic_id}/practitioners/{id}/hours/{hours_id}': {
    expect: selfWrite(204), req: async (actor) => ({ path: `${P(actor)}/hours/${freshHours(pidFor(actor))}` }),
  },
  'GET /api/v1/clinics/{clinic_id}/practitioners/{id}/calendar-feeds': {
    expect: selfRead, req: async (actor) => ({ path: `${P(actor)}/calendar-feeds` }),
  },
  'POST /api/v1/clinics/{clinic_id}/practitioners/{id}/calendar-feeds': {
    expect: selfWrite(201), req: async (actor) => ({ path: `${P(actor)}/calendar-feeds`, body: {} }),
  },
  'DELETE /api/v1/clinics/{clinic_id}/practitioners/{id}/calendar-feeds/{feed_id}': {
    expect: selfWrite(204),
    req: async (actor) => ({ path: `${P(actor)}/calendar-feeds/${await freshFeed(pidFor(actor))}` }),
  },
  'GET /api/v1/clinics/{clinic_id}/practitioners/{id}/time-off': {
    expect: selfRead, req: async (actor) => ({ path: `${P(actor)}/time-off` }),
  },
  'POST /api/v1/clinics/{clinic_id}/practitioners/{id}/time-off': {
    expect: selfWrite(201),
    req: async (actor) => ({ path: `${P(actor)}/time-off`, body: { ...offRange(300), reason: 'matrix' } }),
  },
  'DELETE /api/v1/clinics/{clinic_id}/practitioners/{id}/time-off/{time_off_id}': {
    expect: selfWrite(204),
    req: async (actor) => ({ path: `${P(actor)}/time-off/${freshTimeOff(pidFor(actor))}` }),
  },
  'POST /api/v1/clinics/{clinic_id}/bookings': {
    // another practitioner's id is in the body: a 422 naming practitioner_id
    expect: { ...selfWrite(201), pracOther: 422 },
    req: async (actor) => {
      const pid = pidFor(actor);
      return { path: `${C.base}/bookings`, body: { practitioner_id: pid, service_id: C.serviceId,
        start: slots[pid]().start, patient: { name: 'Matrix Patient', email: `matrix.${RUN}@example.org` } } };
    },
  },
  'GET /api/v1/clinics/{clinic_id}/bookings/{id}': {
    expect: { ...READ_PATIENT, pracOther: 404 },
    req: async (actor) => ({ path: `${C.base}/bookings/${actor === 'pracOther' ? C.bookings.p2 : C.bookings.p1}` }),
  },
  'POST /api/v1/clinics/{clinic_id}/bookings/{id}/cancel': {
    expect: selfWrite(200),
    req: async (actor) => ({ path: `${C.base}/bookings/${await freshBooking(pidFor(actor))}/cancel`, body: { reason: 'matrix' } }),
  },
  'POST /api/v1/clinics/{clinic_id}/bookings/{id}/status': {
    expect: selfWrite(200),
    req: async (actor) => ({ path: `${C.base}/bookings/${await pastBooking(pidFor(actor))}/status`, body: { status: 'completed' } }),
  },
  'GET /api/v1/clinics/{clinic_id}/locations': { expect: READ, req: async () => ({ path: `${C.base}/locations` }) },
  'POST /api/v1/clinics/{clinic_id}/locations': {
    expect: adminWrite(201), req: async () => ({ path: `${C.base}/locations`, body: locationBody(`Matrix new ${RUN} ${Math.random()}`) }),
  },
  'GET /api/v1/clinics/{clinic_id}/locations/{id}': { expect: READ, req: async () => ({ path: `${C.base}/locations/${C.locationId}` }) },
  'PATCH /api/v1/clinics/{clinic_id}/locations/{id}': {
    expect: adminWrite(200), req: async () => ({ path: `${C.base}/locations/${C.locationId}`, body: { wheelchair_accessible: true } }),
  },
  'DELETE /api/v1/clinics/{clinic_id}/locations/{id}': {
    expect: adminWrite(204), req: async () => ({ path: `${C.base}/locations/${await freshLocation()}` }),
  },
  'GET /api/v1/clinics/{clinic_id}/services': { expect: READ, req: async () => ({ path: `${C.base}/services` }) },
  'POST /api/v1/clinics/{clinic_id}/services': {
    expect: adminWrite(201), req: async () => ({ path: `${C.base}/services`, body: serviceBody(`Matrix new ${RUN} ${Math.random()}`) }),
  },
  'GET /api/v1/clinics/{clinic_id}/services/{id}': { expect: READ, req: async () => ({ path: `${C.base}/services/${C.serviceId}` }) },
  'PATCH /api/v1/clinics/{clinic_id}/services/{id}': {
    expect: adminWrite(200), req: async () => ({ path: `${C.base}/services/${C.serviceId}`, body: { price: 80 } }),
  },
  'DELETE /api/v1/clinics/{clinic_id}/services/{id}': {
    expect: adminWrite(204), req: async () => ({ path: `${C.base}/services/${await freshService()}` }),
  },
  'GET /api/v1/clinics/{clinic_id}/practitioners': { expect: READ, req: async () => ({ path: `${C.base}/practitioners` }) },
  'POST /api/v1/clinics/{clinic_id}/practitioners': {
    expect: adminWrite(201), req: async () => ({ path: `${C.base}/practitioners`, body: {
      name: `Matrix new ${RUN} ${Math.random()}`, profession: 'osteopath', location_ids: [C.locationId] } }),
  },
  'GET /api/v1/clinics/{clinic_id}/practitioners/{id}': {
    expect: READ, req: async () => ({ path: `${C.base}/practitioners/${C.practitioners.p2}` }),
  },
  'PATCH /api/v1/clinics/{clinic_id}/practitioners/{id}': {
    // even their own profile is the admin's to change
    expect: adminWrite(200), req: async () => ({ path: `${C.base}/practitioners/${C.practitioners.p1}`, body: { bio: 'Updated by the matrix.' } }),
  },
  'DELETE /api/v1/clinics/{clinic_id}/practitioners/{id}': {
    expect: adminWrite(204), req: async () => ({ path: `${C.base}/practitioners/${await freshPractitioner()}` }),
  },
  'GET /api/v1/clinics/{clinic_id}/api-keys': { expect: KEYS_READ, req: async () => ({ path: `${C.base}/api-keys` }) },
  'POST /api/v1/clinics/{clinic_id}/api-keys': {
    expect: adminWrite(201), req: async () => ({ path: `${C.base}/api-keys`, body: { name: `matrix ${Math.random()}`, scopes: ['read'] } }),
  },
  'DELETE /api/v1/clinics/{clinic_id}/api-keys/{id}': {
    expect: adminWrite(204), req: async () => ({ path: `${C.base}/api-keys/${await freshKey()}` }),
  },
  'GET /api/v1/clinics/{clinic_id}/notifications': {
    // a practitioner gets their own patients' only (a filtered 200)
    expect: READ_PATIENT, req: async () => ({ path: `${C.base}/notifications?status=failed&limit=5` }),
  },
  'POST /api/v1/clinics/{clinic_id}/notifications/{id}/resend': {
    expect: selfWrite(202),
    req: async (actor) => ({ path: `${C.base}/notifications/${await failedNotification(pidFor(actor))}/resend` }),
  },
  'POST /api/v1/clinics/{clinic_id}/imports': {
    expect: adminWrite(201),
    req: async () => ({ path: `${C.base}/imports`, raw: csvOne(), headers: { 'content-type': 'text/csv' } }),
  },
};

// POST /api/v1/auth/login is public by design (staff-auth.test.mjs covers it).
const PUBLIC = new Set(['POST /api/v1/auth/login']);

/** The staff routes of routes.c: "METHOD /path" for /api/v1/clinics/..., /api/v1/me and
 * /api/v1/auth/..., each with its access rule (a Set of ACCESS_* words). */
function staffRouteRules() {
  const text = readFileSync(resolve(REPO, 'backend/src/routes.c'), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
  const out = new Map();
  for (const m of text.matchAll(/\{\s*M_([A-Z]+)\s*,\s*"([^"]+)"\s*,\s*\w+\s*,\s*[^,}]*,\s*([^}]*)\}/g)) {
    const [, method, path, access] = m;
    if (path.startsWith('/api/v1/clinics/') || path === '/api/v1/me' || path.startsWith('/api/v1/auth/')
      || path.startsWith('/api/v1/clinics{') || path === '/api/v1/clinics')
      out.set(`${method} ${path}`, new Set(access.split('|').map((w) => w.trim()).filter(Boolean)));
  }
  return out;
}
const staffRoutes = () => [...staffRouteRules().keys()];

/** The refusals a route's access rule makes, actor -> status, as api/gate.c applies it:
 * what the gate refuses before any handler runs.  Callers it lets through may still be
 * refused by the handler for what they ask (another practitioner's booking, say). */
function refusalsOf(rule) {
  const has = (w) => rule.has(w);
  const out = { none: 401, expired: 401, revoked: 401 };
  if (has('ACCESS_PUBLIC')) return {};
  if (!has('ACCESS_SIGNED_IN')) out.otherAdmin = 404;
  if (has('ACCESS_STAFF_ADMIN_READ') || has('ACCESS_STAFF_AUDIT')) out.prac = 403;
  if (has('ACCESS_STAFF_ADMIN_WRITE')) Object.assign(out, { readKey: 403, prac: 403 });
  if (has('ACCESS_STAFF_SELF_WRITE') || has('ACCESS_STAFF_AUDIT') || has('ACCESS_PATIENT_DATA')
    || has('ACCESS_PEOPLE')) out.readKey = 403;
  if (has('ACCESS_PRACTITIONER')) out.pracOther = 404;
  if (out.prac === 403 && !('pracOther' in out)) out.pracOther = 403;
  return out;
}

// ---------------------------------------------------------------------------------------

before(async () => {
  clearThrottle();
  C = await createStaffClinic('matrix', { practitioners: ['p1', 'p2'] });
  OTHER = await createStaffClinic('matrix-other', { practitioners: ['x'] });
  for (const pid of Object.values(C.practitioners)) slots[pid] = slotAllocator(7);
  C.bookings = {
    p1: await freshBooking(C.practitioners.p1),
    p2: await freshBooking(C.practitioners.p2),
  };
  PRAC = await signedIn(createUser({ clinic: C.clinicId, role: 'practitioner', practitioner: C.practitioners.p1 }));
  PLATFORM = await signedIn(createPlatformAdmin());
  EXPIRED = await signedIn(createUser({ clinic: C.clinicId, role: 'clinic_admin', email: freshEmail('expired') }));
  expectStatus(await request('GET', '/api/v1/me', { headers: EXPIRED.auth }), 200, 'before the idle timeout');
  ageSessions(EXPIRED.id, { idleMinutes: 31 });
  REVOKED = await signedIn(createUser({ clinic: C.clinicId, role: 'clinic_admin', email: freshEmail('revoked') }));
  expectStatus(await request('POST', '/api/v1/auth/logout', { headers: REVOKED.auth, body: {} }), 204, 'logout');
  const key = await request('POST', `${C.base}/api-keys`, { headers: C.admin.auth, body: { name: 'matrix read', scopes: ['read'] } });
  READ_KEY = expectStatus(key, 201, 'read key').json.key;
});

after(() => {
  retireClinic(C);
  retireClinic(OTHER);
  clearThrottle();
});

describe('the access matrix covers every staff route', () => {
  test('routes.c is parsed (the table cannot pass by reading nothing)', () => {
    const routes = staffRoutes();
    assert.ok(routes.length >= 35, `only ${routes.length} staff routes found in routes.c`);
    assert.ok(routes.includes('GET /api/v1/clinics/{clinic_id}/schedule'));
    assert.ok(routes.includes('POST /api/v1/auth/login'));
  });

  test('every staff route of routes.c has an entry, and every entry is a route', () => {
    const routes = new Set(staffRoutes());
    const missing = [...routes].filter((k) => !(k in MATRIX) && !PUBLIC.has(k));
    const stale = [...Object.keys(MATRIX), ...PUBLIC].filter((k) => !routes.has(k));
    assert.deepEqual(missing, [], `routes without an access-matrix entry: ${missing.join(', ')}`);
    assert.deepEqual(stale, [], `entries for routes routes.c does not have: ${stale.join(', ')}`);
  });

  test('each entry refuses exactly as the route\'s access rule in routes.c says (the table is the rule)', () => {
    const rules = staffRouteRules();
    const wrong = [];
    for (const [key, row] of Object.entries(MATRIX)) {
      const rule = rules.get(key);
      if (!rule) continue; // reported above
      const refusals = refusalsOf(rule);
      for (const [actor, status] of Object.entries(refusals)) {
        if (row.expect[actor] === undefined) continue;
        if (row.expect[actor] !== status)
          wrong.push(`${key}: the rule ${[...rule].join(' | ')} refuses ${actor} with ${status}; the matrix expects ${row.expect[actor]}`);
      }
      for (const [actor, status] of Object.entries(row.expect))
        if ([401, 403].includes(status) && refusals[actor] !== status)
          wrong.push(`${key}: the matrix expects ${actor} refused with ${status}, which the rule ${[...rule].join(' | ')} does not say`);
    }
    assert.deepEqual(wrong, []);
  });

  test('every entry says what each caller gets', () => {
    for (const [key, row] of Object.entries(MATRIX))
      for (const actor of ACTORS.filter((a) => a !== 'pracOther'))
        assert.ok(Number.isInteger(row.expect[actor]), `${key}: no expected status for ${actor}`);
  });
});

describe('access matrix: exact statuses', () => {
  for (const [key, row] of Object.entries(MATRIX)) {
    test(key, async () => {
      const method = key.split(' ')[0];
      const wrong = [];
      for (const actor of ACTORS) {
        const want = row.expect[actor];
        if (want === undefined) continue; // pracOther: only where a practitioner's own data is at stake
        const spec = await row.req(actor);
        const headers = { ...(spec.auth ?? headersOf(actor)), ...(spec.headers ?? {}) };
        if (spec.raw === undefined && spec.body === undefined && ['POST', 'PUT', 'PATCH'].includes(method)) spec.body = {};
        const r = await request(method, spec.path, { body: spec.body, raw: spec.raw, headers });
        if (r.status !== want) {
          wrong.push(`${actor}: expected ${want}, got ${r.status} ${r.text.slice(0, 200)}`);
          continue;
        }
        if (actor === 'otherAdmin' && want === 404) {
          // a 404 like any other: no data of the clinic, not even that it exists
          const keys = Object.keys(r.json ?? {}).sort();
          if (!String(r.json?.type).endsWith('/not-found') || keys.some((k) => !['detail', 'request_id', 'status', 'title', 'type'].includes(k)))
            wrong.push(`otherAdmin: the 404 says more than not-found: ${r.text.slice(0, 300)}`);
        }
        if (want === 401 && !/^Bearer/.test(r.headers.get('www-authenticate') ?? ''))
          wrong.push(`${actor}: a 401 without WWW-Authenticate: Bearer`);
      }
      assert.deepEqual(wrong, [], `${key}\n  ${wrong.join('\n  ')}`);
    });
  }
});

describe('around the matrix', () => {
  test('another clinic\'s admin gets the same 404 as for a clinic that does not exist', async () => {
    const missing = await request('GET', '/api/v1/clinics/00000000-0000-4000-8000-000000000000/practitioners',
      { headers: OTHER.admin.auth });
    const other = await request('GET', `${C.base}/practitioners`, { headers: OTHER.admin.auth });
    assert.equal(missing.status, 404);
    assert.equal(other.status, 404);
    const shape = (r) => ({ ...r.json, request_id: undefined });
    assert.deepEqual(shape(other), shape(missing));
  });

  test('the expired session stays expired (a refused request does not refresh it)', async () => {
    const r = await request('GET', '/api/v1/me', { headers: EXPIRED.auth });
    assert.equal(r.status, 401);
    const row = sessionRow(EXPIRED.token);
    assert.ok(row, 'the session row is found by the BLAKE2b hash of the token');
    assert.ok(Date.now() - Date.parse(row.last_seen_at) > 30 * 60_000, `last_seen_at moved: ${row.last_seen_at}`);
  });

  test('a key with read, write and patient_data may write and read patient data, never manage keys', async () => {
    const k = expectStatus(await request('POST', `${C.base}/api-keys`, { headers: C.admin.auth,
      body: { name: 'matrix full', scopes: ['read', 'write', 'patient_data'] } }), 201).json;
    const h = bearer(k.key);
    assert.equal((await request('GET', `${C.base}/schedule`, { headers: h })).status, 200);
    assert.equal((await request('GET', `${C.base}/bookings/${C.bookings.p1}`, { headers: h })).status, 200);
    assert.equal((await request('PATCH', C.base, { headers: h, body: { phone: '+1 503 555 0198' } })).status, 200);
    assert.equal((await request('GET', `${C.base}/api-keys`, { headers: h })).status, 403);
    assert.equal((await request('POST', `${C.base}/api-keys`, { headers: h, body: { name: 'x', scopes: ['read'] } })).status, 403);
    // a key is its clinic's only
    assert.equal((await request('GET', `${OTHER.base}/practitioners`, { headers: h })).status, 404);
    // revoked: 401 from then on
    expectStatus(await request('DELETE', `${C.base}/api-keys/${k.id}`, { headers: C.admin.auth }), 204);
    assert.equal((await request('GET', `${C.base}/schedule`, { headers: h })).status, 401);
  });

  test('a key with write but not patient_data may not book for a patient or read one', async () => {
    const k = expectStatus(await request('POST', `${C.base}/api-keys`, { headers: C.admin.auth,
      body: { name: 'matrix write', scopes: ['read', 'write'] } }), 201).json;
    const h = bearer(k.key);
    assert.equal((await request('PATCH', C.base, { headers: h, body: { phone: '+1 503 555 0197' } })).status, 200);
    assert.equal((await request('GET', `${C.base}/bookings/${C.bookings.p1}`, { headers: h })).status, 403);
    const r = await request('POST', `${C.base}/bookings`, { headers: h, body: { practitioner_id: C.practitioners.p1,
      service_id: C.serviceId, start: slots[C.practitioners.p1]().start, patient: { name: 'K', email: `k.${RUN}@example.org` } } });
    assert.equal(r.status, 403, r.text);
    // closing a booking must not hand the key the patient's details either
    const past = await freshBooking(C.practitioners.p1);
    moveToPast(past);
    const email = sql(`SELECT patient_email::text AS e FROM bookings WHERE id = ${lit(past)}`)[0].e;
    const st = await request('POST', `${C.base}/bookings/${past}/status`, { headers: h, body: { status: 'completed' } });
    assert.ok([200, 403].includes(st.status), st.text);
    assert.ok(!st.text.includes(email) && !('patient' in (st.json ?? {})),
      `a key without patient_data got the patient from POST .../status: ${st.text.slice(0, 400)}`);
  });

  test('a deactivated account\'s sessions end at once', async () => {
    const u = await signedIn(createUser({ clinic: C.clinicId, role: 'clinic_admin' }));
    expectStatus(await request('GET', `${C.base}/practitioners`, { headers: u.auth }), 200);
    sqlExec(`UPDATE staff_users SET active = false WHERE id = ${lit(u.id)}`);
    assert.equal((await request('GET', `${C.base}/practitioners`, { headers: u.auth })).status, 401);
  });

  test('a practitioner account sees only its own column of the schedule', async () => {
    const r = expectStatus(await request('GET', `${C.base}/schedule?from=${new Date().toISOString().slice(0, 10)}&to=${new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10)}`,
      { headers: PRAC.auth }), 200);
    assert.ok(r.json.items.length >= 1, 'p1 has bookings');
    for (const b of r.json.items) assert.equal(b.practitioner.id, C.practitioners.p1);
    const own = await request('GET', `${C.base}/schedule?practitioner=${C.practitioners.p1}`, { headers: PRAC.auth });
    assert.equal(own.status, 200);
  });
});
