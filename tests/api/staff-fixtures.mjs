// Fixtures for the staff suites (staff-*.test.mjs): operator commands (`clinicd admin`,
// `clinicd import`), logins, a clinic of the suite's own built through the management
// API, sessions aged with SQL, and BLAKE2b-256 (how the service stores token hashes) to
// find a session's row.  Each suite makes its own clinic with fresh e-mail addresses and
// retires it when it ends, so that the directory and browser suites do not see it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request, sql, sqlExec, lit } from './lib.mjs';
import { at, fmt, addDays, isoWeekday, nextWeekday, patient } from './fixtures.mjs';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const TZ = 'America/Los_Angeles';
export const RUN = randomUUID().slice(0, 8);
export const PASSWORD = 'lantern-orchard-tide-42';
export const DEMO = {
  admin: { email: 'admin@demo.clinicd.example', password: 'calm-fascia-demo' },
  practitioner: { email: 'practitioner@demo.clinicd.example', password: 'calm-fascia-demo' },
};
export const UUID_ZERO = '00000000-0000-4000-8000-000000000000';

let seq = 0;
/** A fresh e-mail address (unique per run and call). */
export function freshEmail(tag = 'staff') {
  seq += 1;
  return `${tag}.${RUN}.${seq}@staff-test.clinicd.example`;
}

export const bearer = (token) => ({ authorization: `Bearer ${token}` });

// ---------------------------------------------------------------------------------------
// the operator's command line

/** Runs `clinicd ARGS` with DATABASE_URL (the service role) set; stdin from input. */
export function clinicd(args, { input = '', env = {}, timeout = 300_000 } = {}) {
  assert.ok(process.env.CLINICD_BIN, 'CLINICD_BIN must be set');
  assert.ok(process.env.DATABASE_URL, 'DATABASE_URL must be set');
  const r = spawnSync(process.env.CLINICD_BIN, args, {
    input, encoding: 'utf8', cwd: REPO, timeout, maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, ...env },
  });
  // EPIPE: clinicd refused its arguments and exited before reading the input we wrote
  assert.ok(r.error === undefined || r.error.code === 'EPIPE', `clinicd ${args.join(' ')}: ${r.error}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `clinicd admin ...` that must succeed; returns its standard output, trimmed. */
export function adminOk(args, input = '') {
  const r = clinicd(['admin', ...args], { input });
  assert.equal(r.status, 0, `clinicd admin ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A new clinic (create-clinic); returns its id. */
export function createClinic(name) {
  const id = adminOk(['create-clinic', '--name', name]);
  assert.match(id, /^[0-9a-f-]{36}$/, `create-clinic printed ${id}`);
  return id;
}

/** A new staff account (create-user); returns {id, email, password}. */
export function createUser({ clinic, role, practitioner, email = freshEmail(role), password = PASSWORD,
  name }) {
  const args = ['create-user', '--clinic', clinic, '--email', email, '--role', role];
  if (practitioner) args.push('--practitioner', practitioner);
  if (name) args.push('--name', name);
  const id = adminOk(args, `${password}\n`);
  assert.match(id, /^[0-9a-f-]{36}$/, `create-user printed ${id}`);
  return { id, email, password };
}

/** A new platform admin; returns {id, email, password}. */
export function createPlatformAdmin({ email = freshEmail('platform'), password = PASSWORD } = {}) {
  const id = adminOk(['create-platform-admin', '--email', email], `${password}\n`);
  return { id, email, password };
}

// ---------------------------------------------------------------------------------------
// signing in

export function login(email, password, headers = {}) {
  return request('POST', '/api/v1/auth/login', { body: { email, password }, headers });
}

/** Signs in; asserts 200; returns the token. */
export async function loginOk(email, password) {
  const r = await login(email, password);
  assert.equal(r.status, 200, `login ${email}: ${r.status} ${r.text}`);
  assert.equal(typeof r.json.token, 'string');
  return r.json.token;
}

/** A user signed in: {id, email, password, token, auth (headers)}. */
export async function signedIn(user) {
  const token = await loginOk(user.email, user.password);
  return { ...user, token, auth: bearer(token) };
}

/** Ages the sessions of a user (SQL, as the owner). */
export function ageSessions(userId, { idleMinutes, createdHoursAgo } = {}) {
  const sets = [];
  if (idleMinutes !== undefined) sets.push(`last_seen_at = now() - interval '${idleMinutes} minutes'`);
  if (createdHoursAgo !== undefined)
    sets.push(`created_at = now() - interval '${createdHoursAgo} hours'`,
      `expires_at = now() - interval '${createdHoursAgo} hours' + interval '12 hours'`);
  sqlExec(`UPDATE staff_sessions SET ${sets.join(', ')} WHERE user_id = ${lit(userId)}`);
}

/** Forgets the failed sign-ins and wrong current passwords (password changes) of this
 * address and of the suites' accounts (as the owner), so that one suite's failures never
 * throttle another's. */
export function clearThrottle() {
  sqlExec(`DELETE FROM login_throttle WHERE key LIKE 'ip:%' OR key LIKE 'email:%staff-test.clinicd.example'
    OR key LIKE 'pw-ip:%' OR key LIKE 'pw-account:%'`);
}

// ---------------------------------------------------------------------------------------
// a clinic of the suite's own, built as its admin through the API

/** Asserts a status, showing the answer when it differs. */
export function expectStatus(r, status, what = '') {
  assert.equal(r.status, status, `${what} expected ${status}, got ${r.status}: ${r.text.slice(0, 800)}`);
  return r;
}

export const api = (auth) => ({
  get: (path, opts = {}) => request('GET', path, { ...opts, headers: { ...auth, ...(opts.headers ?? {}) } }),
  post: (path, body, opts = {}) => request('POST', path, { ...opts, body, headers: { ...auth, ...(opts.headers ?? {}) } }),
  put: (path, body, opts = {}) => request('PUT', path, { ...opts, body, headers: { ...auth, ...(opts.headers ?? {}) } }),
  patch: (path, body, opts = {}) => request('PATCH', path, { ...opts, body, headers: { ...auth, ...(opts.headers ?? {}) } }),
  del: (path, opts = {}) => request('DELETE', path, { ...opts, headers: { ...auth, ...(opts.headers ?? {}) } }),
});

export const WEEKDAYS_9_TO_17 = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start_time: '09:00', end_time: '17:00' }));

export function locationBody(name) {
  return { name, address: '1 Test Street', city: 'Los Angeles', region: 'CA', postcode: '90012',
    country: 'US', lat: 34.05, lon: -118.25, timezone: TZ, wheelchair_accessible: true };
}

export function serviceBody(name, minutes = 30) {
  return { name, duration_minutes: minutes, price: 80, currency: 'USD' };
}

/**
 * A clinic made with `clinicd admin create-clinic`, its admin (signed in) and, through the
 * management API: one location, one 30-minute service and the practitioners named in
 * `practitioners` (each with weekly hours Monday to Friday 09:00-17:00 unless `hours`).
 * Returns {clinicId, base, admin, locationId, serviceId, practitioners: {key: id}, api}.
 */
export async function createStaffClinic(label, { practitioners = ['p1'], hours = WEEKDAYS_9_TO_17,
  policy } = {}) {
  const clinicId = createClinic(`Staff test ${label} ${RUN}`);
  const admin = await signedIn(createUser({ clinic: clinicId, role: 'clinic_admin', email: freshEmail(`${label}-admin`) }));
  const c = { clinicId, base: `/api/v1/clinics/${clinicId}`, admin, practitioners: {}, label };
  c.api = api(admin.auth);
  if (policy) expectStatus(await c.api.patch(c.base, { policy }), 200, 'policy');
  const loc = expectStatus(await c.api.post(`${c.base}/locations`, locationBody(`Rooms ${label} ${RUN}`)), 201, 'location');
  c.locationId = loc.json.id;
  const svc = expectStatus(await c.api.post(`${c.base}/services`, serviceBody(`Session ${label} ${RUN}`)), 201, 'service');
  c.serviceId = svc.json.id;
  for (const key of practitioners) await addStaffPractitioner(c, key, hours);
  return c;
}

/** Adds a practitioner (at the clinic's location, offering its service) with weekly hours. */
export async function addStaffPractitioner(c, key, hours = WEEKDAYS_9_TO_17) {
  const r = expectStatus(await c.api.post(`${c.base}/practitioners`, {
    name: `Pat ${key} ${c.label} ${RUN}`, profession: 'massage-therapist', techniques: ['MFR'],
    location_ids: [c.locationId], service_ids: [c.serviceId],
  }), 201, `practitioner ${key}`);
  const id = r.json.id;
  c.practitioners[key] = id;
  if (hours.length)
    expectStatus(await c.api.put(`${c.base}/practitioners/${id}/hours`, {
      rules: hours.map((h) => ({ ...h, location_id: c.locationId })),
    }), 200, `hours of ${key}`);
  return id;
}

/** Hides what a suite made from the directory. */
export function retireClinic(c) {
  if (!c?.clinicId) return;
  sqlExec(`UPDATE practitioners SET active = false WHERE clinic_id = ${lit(c.clinicId)};
           UPDATE locations SET active = false WHERE clinic_id = ${lit(c.clinicId)};`);
}

// ---------------------------------------------------------------------------------------
// slots and bookings

/** Successive free 30-minute slots (Monday to Friday 09:00-16:30, LA time) from the
 * Monday at least `minDays` ahead; one allocator per practitioner. */
export function slotAllocator(minDays = 7) {
  let day = nextWeekday(TZ, 1, minDays);
  let minute = 9 * 60;
  return () => {
    if (minute > 16 * 60 + 30) {
      do day = addDays(day, 1); while (isoWeekday(day) > 5);
      minute = 9 * 60;
    }
    const hhmm = `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
    minute += 30;
    return { day, hhmm, ms: at(day, hhmm, TZ), start: fmt(at(day, hhmm, TZ), TZ) };
  };
}

/** A staff booking that must succeed; returns the 201 body (with the patient used). */
export async function staffBook(c, auth, practitionerId, slot, extra = {}) {
  const p = patient('staff');
  const r = await request('POST', `${c.base}/bookings`, { headers: auth, body: {
    practitioner_id: practitionerId, service_id: c.serviceId, start: slot.start, patient: p, ...extra } });
  expectStatus(r, 201, `staff booking at ${slot.start}`);
  return { ...r.json, patient: p };
}

let pastSeq = 0;
/** Moves a booking into the past (it started `hoursAgo` hours ago plus a unique offset). */
export function moveToPast(bookingId, hoursAgo = 24) {
  pastSeq += 1;
  const mins = hoursAgo * 60 + pastSeq * 37;
  sqlExec(`UPDATE bookings SET
      during = tstzrange(now() - interval '${mins} minutes', now() - interval '${mins - 30} minutes'),
      blocked = tstzrange(now() - interval '${mins} minutes', now() - interval '${mins - 30} minutes')
    WHERE id = ${lit(bookingId)}`);
}

export const bookingStatus = (id) => sql(`SELECT status FROM bookings WHERE id = ${lit(id)}`)[0]?.status;

// ---------------------------------------------------------------------------------------
// BLAKE2b-256 (RFC 7693), unkeyed: how tokens are stored (crypto_generichash)

const MASK = (1n << 64n) - 1n;
const IV = [
  0x6a09e667f3bcc908n, 0xbb67ae8584caa73bn, 0x3c6ef372fe94f82bn, 0xa54ff53a5f1d36f1n,
  0x510e527fade682d1n, 0x9b05688c2b3e6c1fn, 0x1f83d9abfb41bd6bn, 0x5be0cd19137e2179n,
];
const SIGMA = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4], [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13], [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11], [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5], [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];
const rotr = (x, n) => ((x >> BigInt(n)) | (x << BigInt(64 - n))) & MASK;

function compress(h, block, t, last) {
  const m = [];
  for (let i = 0; i < 16; i++) m.push(block.readBigUInt64LE(i * 8));
  const v = [...h, ...IV];
  v[12] ^= t & MASK;
  v[13] ^= t >> 64n;
  if (last) v[14] ^= MASK;
  const g = (a, b, c, d, x, y) => {
    v[a] = (v[a] + v[b] + x) & MASK; v[d] = rotr(v[d] ^ v[a], 32);
    v[c] = (v[c] + v[d]) & MASK; v[b] = rotr(v[b] ^ v[c], 24);
    v[a] = (v[a] + v[b] + y) & MASK; v[d] = rotr(v[d] ^ v[a], 16);
    v[c] = (v[c] + v[d]) & MASK; v[b] = rotr(v[b] ^ v[c], 63);
  };
  for (let r = 0; r < 12; r++) {
    const s = SIGMA[r % 10];
    g(0, 4, 8, 12, m[s[0]], m[s[1]]); g(1, 5, 9, 13, m[s[2]], m[s[3]]);
    g(2, 6, 10, 14, m[s[4]], m[s[5]]); g(3, 7, 11, 15, m[s[6]], m[s[7]]);
    g(0, 5, 10, 15, m[s[8]], m[s[9]]); g(1, 6, 11, 12, m[s[10]], m[s[11]]);
    g(2, 7, 8, 13, m[s[12]], m[s[13]]); g(3, 4, 9, 14, m[s[14]], m[s[15]]);
  }
  for (let i = 0; i < 8; i++) h[i] ^= v[i] ^ v[i + 8];
}

/** BLAKE2b with a 32-byte digest of the UTF-8 text; lower-case hex. */
export function blake2b256(text) {
  const data = Buffer.from(text, 'utf8');
  const h = [...IV];
  h[0] ^= 0x01010000n ^ 32n;
  let t = 0n;
  let off = 0;
  while (data.length - off > 128) {
    t += 128n;
    compress(h, data.subarray(off, off + 128), t, false);
    off += 128;
  }
  const last = Buffer.alloc(128);
  data.copy(last, 0, off);
  t += BigInt(data.length - off);
  compress(h, last, t, true);
  const out = Buffer.alloc(64);
  h.forEach((x, i) => out.writeBigUInt64LE(x, i * 8));
  return out.subarray(0, 32).toString('hex');
}

/** The session row of a token (as the owner), or undefined. */
export function sessionRow(token) {
  return sql(`SELECT user_id, created_at, last_seen_at, expires_at, revoked_at,
      extract(epoch FROM expires_at - created_at)::int AS lifetime_s
    FROM staff_sessions WHERE token_hash = decode(${lit(blake2b256(token))}, 'hex')`)[0];
}
