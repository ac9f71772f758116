// The audit log: a row for every sign-in (success and failure), every write and every
// read of patient data, with who, role, clinic, action, resource, outcome and the
// request id the answer carried (X-Request-Id); append-only for the service's own
// database role; listed newest first with a cursor, to admins only.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { request, sql, lit, assertProblem } from './lib.mjs';
import { at, fmt, addDays, nextWeekday } from './fixtures.mjs';
import {
  RUN, TZ, PASSWORD, bearer, freshEmail, createUser, signedIn, login, clearThrottle, createStaffClinic,
  retireClinic, expectStatus, slotAllocator, staffBook, moveToPast, locationBody, serviceBody,
  addStaffPractitioner, bookingStatus,
} from './staff-fixtures.mjs';

let C;      // the clinic, its admin
let OTHER;  // another clinic
let PRAC;   // p1's account, signed in
let next;   // free slots of p1

before(async () => {
  clearThrottle();
  C = await createStaffClinic('audit', { practitioners: ['p1'] });
  OTHER = await createStaffClinic('audit-other', { practitioners: [] });
  PRAC = await signedIn(createUser({ clinic: C.clinicId, role: 'practitioner', practitioner: C.practitioners.p1 }));
  next = slotAllocator(7);
});

after(() => {
  retireClinic(C);
  retireClinic(OTHER);
  clearThrottle();
});

/** The audit rows written for a request (by its X-Request-Id). */
function rowsOf(r) {
  const rid = r.headers.get('x-request-id');
  assert.ok(rid, 'the answer has an X-Request-Id');
  return sql(`SELECT id, at, actor_type, actor_id, actor_email::text AS actor_email, role, clinic_id, action,
      resource_type, resource_id, patient_data, request_id, outcome, detail,
      extract(epoch FROM now() - at) AS age_s
    FROM audit_log WHERE request_id = ${lit(rid)} ORDER BY id`);
}

/** Exactly one row for the request, matching want (a subset of its columns). */
function oneRow(r, want, what = '') {
  const rows = rowsOf(r);
  const main = rows.filter((x) => x.action === want.action);
  assert.equal(main.length, 1, `${what}: one ${want.action} row for request ${r.headers.get('x-request-id')}: ${JSON.stringify(rows)}`);
  const row = main[0];
  for (const [k, v] of Object.entries(want)) assert.deepEqual(row[k], v, `${what}: ${k} of ${JSON.stringify(row)}`);
  assert.equal(row.request_id, r.headers.get('x-request-id'));
  assert.ok(row.age_s >= 0 && row.age_s < 120, `${what}: at ${row.at}`);
  assert.match(row.at, /(Z|\+00:00)$/, 'at is written in UTC');
  return row;
}

const byAdmin = () => ({ actor_type: 'staff', actor_id: C.admin.id, actor_email: C.admin.email, role: 'clinic_admin',
  clinic_id: C.clinicId, outcome: 'success' });

describe('sign-ins', () => {
  test('a successful sign-in writes a login row with the user, role and clinic', async () => {
    const u = createUser({ clinic: C.clinicId, role: 'clinic_admin', email: freshEmail('audit-login') });
    const r = await login(u.email, u.password);
    assert.equal(r.status, 200);
    oneRow(r, { action: 'login', actor_type: 'staff', actor_id: u.id, actor_email: u.email, role: 'clinic_admin',
      clinic_id: C.clinicId, outcome: 'success', patient_data: false, resource_id: u.id });
  });

  test('a failed sign-in writes a failure row naming the address, never the password tried', async () => {
    const u = createUser({ clinic: C.clinicId, role: 'clinic_admin', email: freshEmail('audit-fail') });
    const tried = `not-the-password-${RUN}`;
    const r = await login(u.email, tried);
    assert.equal(r.status, 401);
    const row = oneRow(r, { action: 'login', actor_type: 'anonymous', outcome: 'failure', patient_data: false }, 'wrong password');
    assert.equal(row.detail?.email, u.email);
    assert.ok(!JSON.stringify(row).includes(tried), 'the tried password is in the audit log');
    const ghost = freshEmail('audit-ghost');
    const r2 = await login(ghost, tried);
    assert.equal(r2.status, 401);
    assert.equal(oneRow(r2, { action: 'login', outcome: 'failure' }, 'unknown address').detail?.email, ghost);
    clearThrottle();
  });

  test('a throttled sign-in is recorded as denied', async () => {
    clearThrottle();
    const email = freshEmail('audit-throttle');
    for (let i = 0; i < 5; i++) await login(email, `wrong-${i}-password`);
    const r = await login(email, 'wrong-again-password');
    assert.equal(r.status, 429);
    oneRow(r, { action: 'login', outcome: 'denied' }, 'throttled');
    clearThrottle();
  });
});

describe('writes', () => {
  test('every write has a row: who, role, clinic, action, resource, outcome, request id', async () => {
    const h = C.admin.auth;
    const b = C.base;
    const pid = C.practitioners.p1;
    const checks = [];
    const w = async (method, path, body, action, extra = {}, opts = {}) => {
      const r = await request(method, path, { body, headers: { ...h, ...(opts.headers ?? {}) }, raw: opts.raw });
      assert.ok(r.status >= 200 && r.status < 300, `${method} ${path}: ${r.status} ${r.text.slice(0, 300)}`);
      checks.push([r, { ...byAdmin(), action, patient_data: false, ...extra }, `${method} ${path}`]);
      return r;
    };
    await w('PATCH', b, { phone: '+1 503 555 0123' }, 'update_clinic', { resource_id: C.clinicId });
    const loc = (await w('POST', `${b}/locations`, locationBody(`Audit room ${RUN}`), 'create_location')).json.id;
    await w('PATCH', `${b}/locations/${loc}`, { name: `Audit room 2 ${RUN}` }, 'update_location', { resource_id: loc });
    await w('DELETE', `${b}/locations/${loc}`, undefined, 'deactivate_location', { resource_id: loc });
    const svc = (await w('POST', `${b}/services`, serviceBody(`Audit svc ${RUN}`), 'create_service')).json.id;
    await w('PATCH', `${b}/services/${svc}`, { price: 90 }, 'update_service', { resource_id: svc });
    await w('DELETE', `${b}/services/${svc}`, undefined, 'deactivate_service', { resource_id: svc });
    const np = (await w('POST', `${b}/practitioners`, { name: `Audit P ${RUN}`, profession: 'osteopath', location_ids: [C.locationId] },
      'create_practitioner')).json.id;
    await w('PATCH', `${b}/practitioners/${np}`, { bio: 'secretive' }, 'update_practitioner', { resource_id: np });
    await w('DELETE', `${b}/practitioners/${np}`, undefined, 'deactivate_practitioner', { resource_id: np });
    const hrs = await w('POST', `${b}/practitioners/${pid}/hours`, { weekday: 7, start_time: '10:00', end_time: '11:00', location_id: C.locationId }, 'add_hours');
    const rule = hrs.json.items.find((x) => x.weekday === 7).id;
    await w('DELETE', `${b}/practitioners/${pid}/hours/${rule}`, undefined, 'delete_hours', { resource_id: rule });
    await w('PUT', `${b}/practitioners/${pid}/hours`, { rules: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start_time: '09:00', end_time: '17:00', location_id: C.locationId })) },
      'replace_hours', { resource_id: pid });
    const day = addDays(nextWeekday(TZ, 1, 7), 35);
    const off = (await w('POST', `${b}/practitioners/${pid}/time-off`, { start: fmt(at(day, '09:00', TZ), TZ), end: fmt(at(day, '10:00', TZ), TZ) }, 'add_time_off')).json.id;
    await w('DELETE', `${b}/practitioners/${pid}/time-off/${off}`, undefined, 'delete_time_off', { resource_id: off });
    const bk = (await w('POST', `${b}/bookings`, { practitioner_id: pid, service_id: C.serviceId, start: next().start,
      patient: { name: 'Audit Patient', email: `audit.${RUN}@example.org` } }, 'create_booking', { patient_data: true })).json.id;
    await w('POST', `${b}/bookings/${bk}/cancel`, { reason: 'audit' }, 'cancel_booking', { patient_data: true, resource_id: bk });
    const past = (await staffBook(C, h, pid, next())).id;
    moveToPast(past);
    await w('POST', `${b}/bookings/${past}/status`, { status: 'no_show' }, 'mark_booking', { patient_data: true, resource_id: past });
    const key = (await w('POST', `${b}/api-keys`, { name: `audit ${RUN}`, scopes: ['read'] }, 'create_api_key')).json.id;
    await w('DELETE', `${b}/api-keys/${key}`, undefined, 'revoke_api_key', { resource_id: key });
    await w('POST', `${b}/imports`, undefined, 'import_practitioners', {},
      { raw: `name,profession,location_ids\nAudit Import ${RUN},osteopath,${C.locationId}\n`, headers: { 'content-type': 'text/csv' } });
    const verify = () => {
      const wrong = [];
      for (const [r, want, what] of checks.splice(0)) {
        try { oneRow(r, want, what); } catch (e) { wrong.push(e.message.split('\n')[0]); }
      }
      assert.deepEqual(wrong, []);
    };
    verify();
    // last, checked on their own: a calendar feed
    const feed = (await w('POST', `${b}/practitioners/${pid}/calendar-feeds`, {}, 'create_calendar_feed')).json.id;
    await w('DELETE', `${b}/practitioners/${pid}/calendar-feeds/${feed}`, undefined, 'revoke_calendar_feed', { resource_id: feed });
    verify();
  });

  test('a practitioner\'s and an API key\'s writes name them', async () => {
    const day = addDays(nextWeekday(TZ, 1, 7), 42);
    const t = await request('POST', `${C.base}/practitioners/${C.practitioners.p1}/time-off`, { headers: PRAC.auth,
      body: { start: fmt(at(day, '09:00', TZ), TZ), end: fmt(at(day, '10:00', TZ), TZ) } });
    assert.equal(t.status, 201, t.text);
    oneRow(t, { action: 'add_time_off', actor_type: 'staff', actor_id: PRAC.id, role: 'practitioner', clinic_id: C.clinicId });
    const k = expectStatus(await request('POST', `${C.base}/api-keys`, { headers: C.admin.auth, body: { name: 'audit writer', scopes: ['read', 'write'] } }), 201).json;
    const r = await request('PATCH', C.base, { headers: bearer(k.key), body: { phone: '+1 503 555 0124' } });
    assert.equal(r.status, 200, r.text);
    oneRow(r, { action: 'update_clinic', actor_type: 'api_key', actor_id: k.id, role: 'api_key', clinic_id: C.clinicId, outcome: 'success' });
  });

  test('signing out and changing a password are recorded', async () => {
    const u = await signedIn(createUser({ clinic: C.clinicId, role: 'clinic_admin', email: freshEmail('audit-pw') }));
    const pw = await request('POST', '/api/v1/auth/password', { headers: u.auth, body: { current_password: u.password, new_password: `${PASSWORD}-2` } });
    assert.equal(pw.status, 204, pw.text);
    oneRow(pw, { action: 'password_change', actor_id: u.id, clinic_id: C.clinicId, outcome: 'success' });
    // and the admins see it in their log
    assert.ok((await logOf(C, C.admin.auth)).some((x) => x.request_id === pw.headers.get('x-request-id') && x.action === 'password_change'));
    const u2 = await signedIn({ ...u, password: `${PASSWORD}-2` });
    const out = await request('POST', '/api/v1/auth/logout', { headers: u2.auth, body: {} });
    assert.equal(out.status, 204);
    oneRow(out, { action: 'logout', actor_id: u.id, outcome: 'success' });
  });

  test('refused access is recorded as denied (ASVS 7.2.2: failed access control decisions are logged)', async () => {
    const bk = await staffBook(C, C.admin.auth, C.practitioners.p1, next());
    const refused = [
      await request('PATCH', C.base, { headers: PRAC.auth, body: { name: 'taken over' } }),                 // 403
      await request('GET', `${C.base}/bookings/${bk.id}`, { headers: OTHER.admin.auth }),                   // 404
      await request('POST', `${C.base}/bookings/${bk.id}/cancel`, { headers: OTHER.admin.auth, body: {} }), // 404
    ];
    const wrong = [];
    for (const r of refused) {
      assert.ok([403, 404].includes(r.status), r.text);
      const rows = rowsOf(r);
      if (!rows.some((x) => x.outcome === 'denied')) wrong.push(`${r.status} ${r.headers.get('x-request-id')}: no denied row`);
    }
    assert.deepEqual(wrong, []);
  });

  test('a write that fails its checks writes no success row', async () => {
    const r = await request('POST', `${C.base}/locations`, { headers: C.admin.auth, body: { name: 'no address' } });
    assert.equal(r.status, 422);
    assert.equal(rowsOf(r).filter((x) => x.outcome === 'success').length, 0);
  });
});

/** The clinic's audit log as its admin reads it (GET audit-log), newest first. */
async function logOf(clinic, auth, limit = 200) {
  const r = await request('GET', `${clinic.base}/audit-log?limit=${limit}`, { headers: auth });
  assert.equal(r.status, 200, r.text);
  return r.json.items;
}

describe('refusals and failed sign-ins reach the clinic they concern', () => {
  test('another clinic\'s admin refused on this clinic\'s resources: a row in this clinic\'s log, without their e-mail; none for a clinic that does not exist', async () => {
    const bk = await staffBook(C, C.admin.auth, C.practitioners.p1, next());
    const r = await request('GET', `${C.base}/bookings/${bk.id}`, { headers: OTHER.admin.auth });
    assert.equal(r.status, 404);
    const rid = r.headers.get('x-request-id');
    const mine = (await logOf(C, C.admin.auth)).filter((x) => x.request_id === rid);
    assert.equal(mine.length, 1, `one row in the target clinic's log: ${JSON.stringify(mine)}`);
    assert.equal(mine[0].action, 'access_denied');
    assert.equal(mine[0].outcome, 'denied');
    assert.equal(mine[0].actor_type, 'staff');
    assert.equal(mine[0].role, 'clinic_admin');
    assert.equal(mine[0].actor_id, null, 'the other clinic\'s staff id stays with that clinic');
    assert.equal(mine[0].actor_email, null, 'the other clinic\'s staff e-mail stays with that clinic');
    assert.equal(mine[0].detail.actor_clinic_id, OTHER.clinicId);
    assert.equal(mine[0].detail.method, 'GET');
    assert.ok(!JSON.stringify(mine[0]).includes(OTHER.admin.email));
    // the actor's own clinic keeps the full row, naming the clinic they tried
    const theirs = (await logOf(OTHER, OTHER.admin.auth)).filter((x) => x.request_id === rid);
    assert.equal(theirs.length, 1, JSON.stringify(theirs));
    assert.equal(theirs[0].actor_email, OTHER.admin.email);
    assert.equal(theirs[0].actor_id, OTHER.admin.id);
    assert.equal(theirs[0].detail.target_clinic_id, C.clinicId);
    // a clinic id that names no clinic gets no row (no chain starts for made-up ids)
    const ghost = '00000000-0000-4000-8000-0000000000aa';
    const g = await request('GET', `/api/v1/clinics/${ghost}/schedule`, { headers: OTHER.admin.auth });
    assert.equal(g.status, 404);
    assert.deepEqual(rowsOf(g).map((x) => x.clinic_id), [OTHER.clinicId]);
    assert.equal(sql(`SELECT count(*)::int AS n FROM audit_log WHERE clinic_id = ${lit(ghost)}`)[0].n, 0);
  });

  test('another clinic\'s API key refused here: a row in this clinic\'s log', async () => {
    const key = expectStatus(await request('POST', `${OTHER.base}/api-keys`, { headers: OTHER.admin.auth,
      body: { name: `prober ${RUN}`, scopes: ['read', 'patient_data'] } }), 201).json;
    const r = await request('GET', `${C.base}/schedule`, { headers: bearer(key.key) });
    assert.equal(r.status, 404);
    const rows = (await logOf(C, C.admin.auth)).filter((x) => x.request_id === r.headers.get('x-request-id'));
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.deepEqual([rows[0].actor_type, rows[0].role, rows[0].actor_id, rows[0].outcome], ['api_key', 'api_key', null, 'denied']);
    assert.equal(rows[0].detail.actor_clinic_id, OTHER.clinicId);
  });

  test('another clinic\'s practitioner named in one\'s own clinic\'s route: a row in the practitioner\'s clinic\'s log', async () => {
    const r = await request('GET', `${OTHER.base}/practitioners/${C.practitioners.p1}/hours`, { headers: OTHER.admin.auth });
    assert.equal(r.status, 404);
    const rows = (await logOf(C, C.admin.auth)).filter((x) => x.request_id === r.headers.get('x-request-id'));
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.equal(rows[0].detail.reason, 'another clinic\'s practitioner');
    assert.equal(rows[0].actor_email, null);
  });

  test('another clinic\'s booking asked for under one\'s own clinic: refused in both logs; another practitioner\'s, in one', async () => {
    const bk = await staffBook(C, C.admin.auth, C.practitioners.p1, next());
    for (const [method, suffix, body] of [['GET', '', undefined], ['POST', '/cancel', {}], ['POST', '/status', { status: 'completed' }]]) {
      const r = await request(method, `${OTHER.base}/bookings/${bk.id}${suffix}`, { headers: OTHER.admin.auth, body });
      assert.equal(r.status, 404, r.text);
      const rows = rowsOf(r);
      const here = rows.find((x) => x.clinic_id === C.clinicId);
      assert.ok(here, `${method} ${suffix}: no row in the booking's clinic's log: ${JSON.stringify(rows)}`);
      assert.deepEqual([here.action, here.outcome, here.actor_id, here.actor_email, here.detail.reason, here.detail.actor_clinic_id],
        ['access_denied', 'denied', null, null, 'another clinic\'s booking', OTHER.clinicId]);
      const there = rows.find((x) => x.clinic_id === OTHER.clinicId);
      assert.equal(there?.actor_email, OTHER.admin.email);
    }
    assert.equal(bookingStatus(bk.id), 'booked');
    // the same through FHIR, with another clinic's key
    const key = expectStatus(await request('POST', `${OTHER.base}/api-keys`, { headers: OTHER.admin.auth,
      body: { name: `fhir prober ${RUN}`, scopes: ['read', 'patient_data'] } }), 201).json;
    const f = await request('GET', `/fhir/r4/Appointment/${bk.id}`, { headers: bearer(key.key) });
    assert.equal(f.status, 404);
    assert.deepEqual(rowsOf(f).map((x) => [x.clinic_id, x.actor_type, x.actor_id, x.detail.reason]).sort(),
      [[C.clinicId, 'api_key', null, 'another clinic\'s booking'], [OTHER.clinicId, 'api_key', key.id, 'another clinic\'s booking']].sort());
    // a practitioner asking for a colleague's booking: refused, in their own clinic's log only
    const p2 = await addStaffPractitioner(C, `p2-${RUN}`);
    const other = await staffBook(C, C.admin.auth, p2, slotAllocator(14)());
    const r = await request('GET', `${C.base}/bookings/${other.id}`, { headers: PRAC.auth });
    assert.equal(r.status, 404);
    assert.deepEqual(rowsOf(r).map((x) => [x.clinic_id, x.actor_id, x.detail.reason]),
      [[C.clinicId, PRAC.id, 'another practitioner\'s booking']]);
  });

  test('failed and throttled sign-ins to an account are in its clinic\'s log; unknown addresses in no clinic\'s', async () => {
    clearThrottle();
    const u = createUser({ clinic: C.clinicId, role: 'clinic_admin', email: freshEmail('audit-knock') });
    const fails = [];
    for (let i = 0; i < 5; i++) fails.push(await login(u.email, `wrong-${i}-${RUN}`));
    assert.ok(fails.every((x) => x.status === 401));
    const throttled = await login(u.email, `wrong-again-${RUN}`);
    assert.equal(throttled.status, 429);
    const log = await logOf(C, C.admin.auth);
    for (const f of fails) {
      const row = log.find((x) => x.request_id === f.headers.get('x-request-id'));
      assert.ok(row, `the failed sign-in ${f.headers.get('x-request-id')} is not in the clinic's log`);
      assert.deepEqual([row.action, row.outcome, row.actor_type, row.resource_id, row.detail.email],
        ['login', 'failure', 'anonymous', u.id, u.email]);
    }
    const t = log.find((x) => x.request_id === throttled.headers.get('x-request-id'));
    assert.ok(t, 'the throttled sign-in is not in the clinic\'s log');
    assert.deepEqual([t.action, t.outcome, t.detail.reason], ['login', 'denied', 'throttled']);
    const ghost = await login(freshEmail('audit-nobody'), `wrong-${RUN}`);
    assert.equal(ghost.status, 401);
    assert.deepEqual(rowsOf(ghost).map((x) => [x.action, x.clinic_id]), [['login', null]]);
    clearThrottle();
  });
});

describe('the audit scope of API keys', () => {
  const keyWith = async (scopes) => bearer(expectStatus(await request('POST', `${C.base}/api-keys`, { headers: C.admin.auth,
    body: { name: `audit scope ${scopes.join('+')} ${RUN}`, scopes } }), 201, `key ${scopes}`).json.key);

  test('a read key does not read the audit log (it names staff by e-mail); an audit key does', async () => {
    const read = await keyWith(['read']);
    const r = await request('GET', `${C.base}/audit-log?limit=5`, { headers: read });
    assertProblem(r, 403);
    assert.ok(!r.text.includes(C.admin.email));
    oneRow(r, { action: 'access_denied', actor_type: 'api_key', outcome: 'denied', clinic_id: C.clinicId });
    assert.equal(rowsOf(r)[0].detail.reason, 'API key scope');
    const both = await keyWith(['read', 'audit']);
    const ok = await request('GET', `${C.base}/audit-log?limit=5`, { headers: both });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.items.length, 5);
    // audit alone reads the log and nothing else
    const only = await keyWith(['audit']);
    assert.equal((await request('GET', `${C.base}/audit-log?limit=1`, { headers: only })).status, 200);
    assertProblem(await request('GET', `${C.base}/practitioners`, { headers: only }), 403);
    // write and patient_data do not stand in for it
    assertProblem(await request('GET', `${C.base}/audit-log`, { headers: await keyWith(['read', 'write', 'patient_data']) }), 403);
  });

  test('the scope is listed with the key, and only known scopes are taken', async () => {
    await keyWith(['audit', 'read']);
    const list = await request('GET', `${C.base}/api-keys`, { headers: C.admin.auth });
    assert.equal(list.status, 200);
    assert.ok(list.json.items.some((k) => k.scopes.includes('audit')));
    for (const bad of [['audits'], ['read', 'Audit'], []])
      assertProblem(await request('POST', `${C.base}/api-keys`, { headers: C.admin.auth, body: { name: 'bad', scopes: bad } }), 422, 'scopes');
  });
});

describe('reads of patient data', () => {
  test('the schedule and a booking: rows with patient_data true', async () => {
    const bk = await staffBook(C, C.admin.auth, C.practitioners.p1, next());
    const s = await request('GET', `${C.base}/schedule?from=${bk.start.slice(0, 10)}&to=${bk.start.slice(0, 10)}`, { headers: C.admin.auth });
    assert.equal(s.status, 200);
    oneRow(s, { ...byAdmin(), action: 'read_schedule', patient_data: true });
    const g = await request('GET', `${C.base}/bookings/${bk.id}`, { headers: C.admin.auth });
    assert.equal(g.status, 200);
    oneRow(g, { ...byAdmin(), action: 'read_booking', patient_data: true, resource_id: bk.id });
    const p = await request('GET', `${C.base}/schedule`, { headers: PRAC.auth });
    assert.equal(p.status, 200);
    oneRow(p, { action: 'read_schedule', actor_id: PRAC.id, role: 'practitioner', patient_data: true, resource_id: C.practitioners.p1 });
  });

  test('a patient reading their booking is recorded', async () => {
    const bk = await staffBook(C, C.admin.auth, C.practitioners.p1, next());
    const g = await request('GET', `/api/v1/bookings/${bk.id}`, { headers: bearer(bk.manage_token) });
    assert.equal(g.status, 200, g.text);
    oneRow(g, { action: 'read_booking', actor_type: 'patient', clinic_id: C.clinicId, patient_data: true });
  });

  test('a calendar feed being read is recorded', async () => {
    await staffBook(C, C.admin.auth, C.practitioners.p1, next());
    const feed = expectStatus(await request('POST', `${C.base}/practitioners/${C.practitioners.p1}/calendar-feeds`, { headers: C.admin.auth, body: {} }), 201).json;
    const u = new URL(feed.url);
    const ics = await request('GET', u.pathname + u.search);
    assert.equal(ics.status, 200);
    oneRow(ics, { action: 'read_calendar_feed', clinic_id: C.clinicId, patient_data: true });
  });
});

describe('append-only', () => {
  const asService = (statement) => spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', process.env.DATABASE_URL, '-c', statement], { encoding: 'utf8' });

  test('the service\'s role cannot update, delete or truncate audit_log', () => {
    const id = sql(`SELECT max(id) AS id FROM audit_log WHERE clinic_id = ${lit(C.clinicId)}`)[0].id;
    const before = sql(`SELECT * FROM audit_log WHERE id = ${id}`);
    const n0 = sql('SELECT count(*)::int AS n FROM audit_log')[0].n;
    for (const stmt of [
      `UPDATE audit_log SET outcome = 'failure' WHERE id = ${id}`,
      `UPDATE audit_log SET detail = NULL WHERE clinic_id = ${lit(C.clinicId)}`,
      `DELETE FROM audit_log WHERE id = ${id}`,
      'DELETE FROM audit_log',
      'TRUNCATE audit_log',
    ]) {
      const r = asService(stmt);
      assert.notEqual(r.status, 0, `${stmt} succeeded as the service role`);
      assert.match(r.stderr, /permission denied|append-only/i, r.stderr);
    }
    assert.deepEqual(sql(`SELECT * FROM audit_log WHERE id = ${id}`), before);
    assert.ok(sql('SELECT count(*)::int AS n FROM audit_log')[0].n >= n0);
  });

  test('the service\'s role may read and append (what the service itself does)', () => {
    const r = asService(`INSERT INTO audit_log (actor_type, action, outcome, clinic_id) VALUES ('operator', 'audit_test_${RUN}', 'success', ${lit(OTHER.clinicId)})`);
    assert.equal(r.status, 0, r.stderr);
    const s = spawnSync('psql', ['-X', '-At', process.env.DATABASE_URL, '-c', `SELECT count(*) FROM audit_log WHERE action = 'audit_test_${RUN}'`], { encoding: 'utf8' });
    assert.equal(s.stdout.trim(), '1');
  });
});

describe('GET audit-log', () => {
  test('newest first, paged with a cursor, this clinic\'s rows only', async () => {
    const seen = [];
    let cursor = null;
    for (let page = 0; page < 100; page++) {
      const r = await request('GET', `${C.base}/audit-log?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers: C.admin.auth });
      assert.equal(r.status, 200, r.text);
      assert.ok(r.json.items.length <= 7);
      seen.push(...r.json.items);
      cursor = r.json.next_cursor;
      if (!cursor) break;
      assert.equal(r.json.items.length, 7, 'a page before the last is full');
    }
    const ids = seen.map((x) => x.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');
    assert.equal(new Set(ids).size, ids.length, 'no row twice');
    for (let i = 1; i < seen.length; i++) assert.ok(Date.parse(seen[i - 1].at) >= Date.parse(seen[i].at), 'at never increases');
    const truth = sql(`SELECT id FROM audit_log WHERE clinic_id = ${lit(C.clinicId)} ORDER BY id DESC`).map((x) => Number(x.id));
    assert.deepEqual(ids.map(Number), truth, 'every row of the clinic, and only those');
    assert.ok(ids.length > 20, `only ${ids.length} rows`);
    const first = seen.find((x) => x.action === 'read_schedule');
    for (const k of ['at', 'actor_type', 'actor_id', 'actor_email', 'role', 'action', 'resource_type', 'resource_id', 'patient_data', 'request_id', 'outcome'])
      assert.ok(k in first, `${k} missing in ${JSON.stringify(first)}`);
  });

  test('patient_data=true lists only reads and writes of patient data', async () => {
    const r = await request('GET', `${C.base}/audit-log?patient_data=true&limit=200`, { headers: C.admin.auth });
    assert.equal(r.status, 200);
    assert.ok(r.json.items.length > 0);
    assert.ok(r.json.items.every((x) => x.patient_data === true));
  });

  test('admins only: a practitioner gets 403, another clinic\'s admin 404', async () => {
    assertProblem(await request('GET', `${C.base}/audit-log`, { headers: PRAC.auth }), 403);
    assertProblem(await request('GET', `${C.base}/audit-log`, { headers: OTHER.admin.auth }), 404);
    assertProblem(await request('GET', `${C.base}/audit-log`), 401);
  });

  test('bad parameters', async () => {
    const get = (q) => request('GET', `${C.base}/audit-log?${q}`, { headers: C.admin.auth });
    assertProblem(await get('limit=0'), 422, 'limit');
    assertProblem(await get('limit=201'), 422, 'limit');
    assertProblem(await get('limit=ten'), 400, 'limit');
    assertProblem(await get('cursor=abc'), 422, 'cursor');
    assertProblem(await get('patient_data=maybe'), 400, 'patient_data');
  });
});
