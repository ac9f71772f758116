// The management API's behaviour and its answers to bad input, endpoint by endpoint:
// wrong types, unknown ids (404), another clinic's ids (404 in the path, 422 in the body),
// times that do not parse, end before start, overlapping hours; changes that would strand
// bookings (409 listing them, or cancelled with the patients told); what staff may do
// that patients may not; and patient data kept out of every public answer.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, request, sql, sqlExec, lit, assertProblem } from './lib.mjs';
import { at, fmt, addDays, nextWeekday, patient } from './fixtures.mjs';
import {
  RUN, TZ, UUID_ZERO, bearer, createUser, createPlatformAdmin, signedIn, createStaffClinic, addStaffPractitioner,
  retireClinic, expectStatus, slotAllocator, staffBook, moveToPast, bookingStatus, locationBody,
  serviceBody, clearThrottle, WEEKDAYS_9_TO_17,
} from './staff-fixtures.mjs';

let M;      // the clinic under test (p1, p2, p3)
let O;      // another clinic, whose ids must not work here
let oBooking;
let MON;    // a Monday at least 7 days ahead (local date)

before(async () => {
  clearThrottle();
  M = await createStaffClinic('manage', { practitioners: ['p1', 'p2', 'p3'] });
  O = await createStaffClinic('manage-other', { practitioners: ['x'] });
  MON = nextWeekday(TZ, 1, 7);
  oBooking = (await staffBook(O, O.admin.auth, O.practitioners.x, slotAllocator(7)())).id;
});

after(() => {
  retireClinic(M);
  retireClinic(O);
});

const A = () => M.admin.auth;
const call = (method, path, body, headers = {}) =>
  request(method, path, { body, headers: { ...A(), ...headers } });
const raw = (method, path, text, type = 'application/json') =>
  request(method, path, { raw: text, headers: { ...A(), 'content-type': type } });

/** A problem with this status whose errors name a field matching re (or equal to it). */
function problemNaming(r, status, field) {
  assertProblem(r, status);
  assert.ok(Array.isArray(r.json.errors), `no errors list in ${r.text}`);
  const ok = r.json.errors.some((e) => (field instanceof RegExp ? field.test(e.field) : e.field === field));
  assert.ok(ok, `no error names ${field}: ${JSON.stringify(r.json.errors)}`);
}

const count = (q) => sql(`SELECT count(*)::int AS n FROM (${q}) x`)[0].n;
/** The booking_cancelled notifications written for a booking (the outbox). */
const notifications = (bookingId) =>
  sql(`SELECT kind, recipient::text AS recipient FROM notifications WHERE booking_id = ${lit(bookingId)}
    AND kind = 'booking_cancelled' ORDER BY created_at`);

// ---------------------------------------------------------------------------------------

describe('bodies that are not JSON objects', () => {
  test('every JSON route answers 400 to malformed JSON and to a non-object', async () => {
    const targets = [
      ['PATCH', M.base], ['POST', `${M.base}/locations`], ['PATCH', `${M.base}/locations/${M.locationId}`],
      ['POST', `${M.base}/services`], ['PATCH', `${M.base}/services/${M.serviceId}`],
      ['POST', `${M.base}/practitioners`], ['PATCH', `${M.base}/practitioners/${M.practitioners.p1}`],
      ['POST', `${M.base}/practitioners/${M.practitioners.p1}/hours`], ['PUT', `${M.base}/practitioners/${M.practitioners.p1}/hours`],
      ['POST', `${M.base}/practitioners/${M.practitioners.p1}/time-off`], ['POST', `${M.base}/bookings`],
      ['POST', `${M.base}/api-keys`],
    ];
    const wrong = [];
    for (const [method, path] of targets) {
      for (const text of ['{"name":', '[1, 2]', '"text"']) {
        const r = await raw(method, path, text);
        if (r.status !== 400) wrong.push(`${method} ${path} ${text}: ${r.status} ${r.text.slice(0, 120)}`);
      }
      const t = await raw(method, path, '<xml/>', 'application/xml');
      if (t.status !== 415) wrong.push(`${method} ${path} as XML: ${t.status}`);
    }
    assert.deepEqual(wrong, []);
  });
});

describe('the clinic and its policy', () => {
  test('a policy change is kept and shown', async () => {
    const r = await call('PATCH', M.base, { policy: { cancellation_notice_hours: 48, slot_step_minutes: 30 } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.policy.cancellation_notice_hours, 48);
    assert.equal(r.json.policy.slot_step_minutes, 30);
    const g = await call('GET', M.base);
    assert.deepEqual(g.json.policy, r.json.policy);
    expectStatus(await call('PATCH', M.base, { policy: { cancellation_notice_hours: 24, slot_step_minutes: 15 } }), 200);
  });

  test('bad values: 422 naming each field, nothing changed', async () => {
    const before = (await call('GET', M.base)).json;
    problemNaming(await call('PATCH', M.base, { name: 42 }), 422, 'name');
    problemNaming(await call('PATCH', M.base, { website: 'ftp://example.org' }), 422, 'website');
    problemNaming(await call('PATCH', M.base, { policy: 5 }), 422, 'policy');
    problemNaming(await call('PATCH', M.base, { policy: { min_notice_minutes: '120' } }), 422, /(^|\.)min_notice_minutes$/);
    problemNaming(await call('PATCH', M.base, { policy: { min_notice_minutes: -1 } }), 422, /(^|\.)min_notice_minutes$/);
    problemNaming(await call('PATCH', M.base, { policy: { booking_horizon_days: 0 } }), 422, /(^|\.)booking_horizon_days$/);
    problemNaming(await call('PATCH', M.base, { policy: { slot_step_minutes: 7 } }), 422, /(^|\.)slot_step_minutes$/);
    problemNaming(await call('PATCH', M.base, { policy: { cancellation_notice_hours: 1.5 } }), 422, /(^|\.)cancellation_notice_hours$/);
    problemNaming(await call('PATCH', M.base, { policy: { overbook: true } }), 422, 'policy.overbook');
    problemNaming(await call('PATCH', M.base, { owner: 'me' }), 422, 'owner');
    // several problems at once: every one is listed
    const r = await call('PATCH', M.base, { name: 1, website: 'x', policy: { slot_step_minutes: 7 } });
    assert.equal(r.status, 422);
    assert.ok(r.json.errors.length >= 3, JSON.stringify(r.json.errors));
    assert.deepEqual((await call('GET', M.base)).json, before);
  });

  test('policy fields are named with their path, like every other nested field', async () => {
    // rules[0].start_time, patient.email, policy.slot_step_minutes (for a bad step) ... and
    // policy.min_notice_minutes for a value of the wrong type
    const r = await call('PATCH', M.base, { policy: { min_notice_minutes: 'soon' } });
    problemNaming(r, 422, 'policy.min_notice_minutes');
  });

  test('an unknown clinic and a malformed clinic id are 404s', async () => {
    assertProblem(await call('GET', `/api/v1/clinics/${UUID_ZERO}`), 404);
    assertProblem(await call('GET', '/api/v1/clinics/not-a-uuid'), 404);
    assertProblem(await call('PATCH', `/api/v1/clinics/${UUID_ZERO}`, { name: 'x' }), 404);
  });
});

describe('a platform admin and a clinic that does not exist', () => {
  let PA;
  const ghost = `/api/v1/clinics/${UUID_ZERO}`;
  before(async () => { PA = await signedIn(createPlatformAdmin()); });

  test('PATCH answers 404 and leaves no success row in the audit log', async () => {
    const r = await request('PATCH', ghost, { headers: PA.auth, body: { phone: '+1 503 555 0100' } });
    assertProblem(r, 404);
    const rows = sql(`SELECT action, outcome FROM audit_log WHERE request_id = ${lit(r.headers.get('x-request-id'))}`);
    assert.deepEqual(rows.filter((x) => x.outcome === 'success'), [], `the audit log says the update succeeded: ${JSON.stringify(rows)}`);
  });

  test('everything under it is a 404, not an empty list or a constraint name', async () => {
    const calls = [
      ['GET', `${ghost}/locations`], ['GET', `${ghost}/services`], ['GET', `${ghost}/practitioners`],
      ['GET', `${ghost}/schedule`], ['GET', `${ghost}/audit-log`], ['GET', `${ghost}/api-keys`],
      ['POST', `${ghost}/locations`, locationBody(`Ghost ${RUN}`)], ['POST', `${ghost}/services`, serviceBody(`Ghost ${RUN}`)],
      ['POST', `${ghost}/api-keys`, { name: 'ghost', scopes: ['read'] }],
    ];
    const wrong = [];
    for (const [method, path, body] of calls) {
      const r = await request(method, path, { headers: PA.auth, body });
      if (r.status !== 404) wrong.push(`${method} ${path.replace(ghost, '')}: ${r.status} ${r.text.slice(0, 120)}`);
    }
    assert.deepEqual(wrong, []);
  });

  test('another clinic\'s practitioner under this clinic\'s path is a 404 for every practitioner route', async () => {
    const x = O.practitioners.x;
    for (const sub of ['hours', 'time-off', 'calendar-feeds']) {
      const r = await request('GET', `${M.base}/practitioners/${x}/${sub}`, { headers: PA.auth });
      assert.equal(r.status, 404, `${sub}: ${r.status} ${r.text.slice(0, 120)}`);
    }
  });
});

describe('locations', () => {
  test('create: every missing or bad field is named', async () => {
    const r = await call('POST', `${M.base}/locations`, {});
    assert.equal(r.status, 422);
    const fields = r.json.errors.map((e) => e.field).sort();
    for (const f of ['address', 'city', 'country', 'lat', 'lon', 'name', 'timezone']) assert.ok(fields.includes(f), `${f} not named: ${fields}`);
    const good = locationBody(`Loc ${RUN}`);
    const cases = [
      [{ lat: '34.05' }, 'lat'], [{ lat: 91 }, 'lat'], [{ lon: -181 }, 'lon'], [{ country: 'USA' }, 'country'],
      [{ country: 'ZZ' }, 'country'], [{ timezone: 'Mars/Olympus_Mons' }, 'timezone'], [{ timezone: 'america/los_angeles' }, 'timezone'],
      [{ wheelchair_accessible: 'yes' }, 'wheelchair_accessible'], [{ name: '' }, 'name'], [{ name: 'x'.repeat(201) }, 'name'],
      [{ floor: 2 }, 'floor'],
    ];
    const n0 = count(`SELECT 1 FROM locations WHERE clinic_id = ${lit(M.clinicId)}`);
    for (const [patch, field] of cases) problemNaming(await call('POST', `${M.base}/locations`, { ...good, ...patch }), 422, field);
    assert.equal(count(`SELECT 1 FROM locations WHERE clinic_id = ${lit(M.clinicId)}`), n0, 'nothing created');
  });

  test('update: unknown, malformed and other clinics\' ids are 404s; bad values 422', async () => {
    const o = O.locationId;
    assertProblem(await call('PATCH', `${M.base}/locations/${UUID_ZERO}`, { name: 'x' }), 404);
    assertProblem(await call('PATCH', `${M.base}/locations/nope`, { name: 'x' }), 404);
    assertProblem(await call('PATCH', `${M.base}/locations/${o}`, { name: 'taken over' }), 404);
    assertProblem(await call('GET', `${M.base}/locations/${o}`), 404);
    assertProblem(await call('DELETE', `${M.base}/locations/${o}`), 404);
    assert.equal(sql(`SELECT active FROM locations WHERE id = ${lit(o)}`)[0].active, true);
    assert.notEqual(sql(`SELECT name FROM locations WHERE id = ${lit(o)}`)[0].name, 'taken over');
    problemNaming(await call('PATCH', `${M.base}/locations/${M.locationId}`, { name: null }), 422, 'name');
    problemNaming(await call('PATCH', `${M.base}/locations/${M.locationId}`, { active: false }), 422, 'active');
    problemNaming(await call('PATCH', `${M.base}/locations/${M.locationId}`, { lat: 'north' }), 422, 'lat');
    const ok = await call('PATCH', `${M.base}/locations/${M.locationId}`, { postcode: '90013' });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.postcode, '90013');
  });

  test('list filters: a bad or unknown parameter is a 422', async () => {
    problemNaming(await call('GET', `${M.base}/locations?active=maybe`), 400, 'active');
    problemNaming(await call('GET', `${M.base}/locations?city=x`), 422, 'city');
    const r = await call('GET', `${M.base}/locations?active=true`);
    assert.equal(r.status, 200);
    assert.ok(r.json.items.every((l) => l.active));
  });

  test('deactivating a location with open bookings: 409 listing them, then cancel_bookings=true', async () => {
    const loc = expectStatus(await call('POST', `${M.base}/locations`, locationBody(`Closing ${RUN}`)), 201).json.id;
    const c2 = { ...M, locationId: loc, label: 'closing' };
    const pid = await addStaffPractitioner(c2, 'closing');
    const b = await staffBook(M, A(), pid, slotAllocator(8)());
    const r = await call('DELETE', `${M.base}/locations/${loc}`);
    assertProblem(r, 409, 'cancel_bookings');
    assert.deepEqual(r.json.bookings.map((x) => x.id), [b.id]);
    assert.equal(bookingStatus(b.id), 'booked');
    assert.equal(sql(`SELECT active FROM locations WHERE id = ${lit(loc)}`)[0].active, true);
    expectStatus(await call('DELETE', `${M.base}/locations/${loc}?cancel_bookings=true`), 204);
    assert.equal(bookingStatus(b.id), 'cancelled');
    assert.deepEqual(notifications(b.id).map((n) => [n.kind, n.recipient]), [['booking_cancelled', b.patient.email]]);
    assert.equal(sql(`SELECT active FROM locations WHERE id = ${lit(loc)}`)[0].active, false);
    problemNaming(await call('DELETE', `${M.base}/locations/${loc}?cancel_bookings=perhaps`), 400, 'cancel_bookings');
  });
});

describe('services', () => {
  test('create: bad values named, nothing created', async () => {
    const good = serviceBody(`Svc ${RUN}`);
    const n0 = count(`SELECT 1 FROM services WHERE clinic_id = ${lit(M.clinicId)}`);
    const cases = [
      [{ duration_minutes: '30' }, 'duration_minutes'], [{ duration_minutes: 4 }, 'duration_minutes'],
      [{ duration_minutes: 481 }, 'duration_minutes'], [{ duration_minutes: 30.5 }, 'duration_minutes'],
      [{ price: -1 }, 'price'], [{ price: '80' }, 'price'], [{ price: 10.001 }, 'price'], [{ price: 100001 }, 'price'],
      [{ currency: 'usd' }, 'currency'], [{ currency: 'US' }, 'currency'], [{ buffer_before_minutes: -5 }, 'buffer_before_minutes'],
      [{ buffer_after_minutes: 241 }, 'buffer_after_minutes'], [{ name: null }, 'name'], [{ colour: 'red' }, 'colour'],
    ];
    for (const [patch, field] of cases) problemNaming(await call('POST', `${M.base}/services`, { ...good, ...patch }), 422, field);
    const r = await call('POST', `${M.base}/services`, {});
    for (const f of ['name', 'duration_minutes', 'price', 'currency']) assert.ok(r.json.errors.some((e) => e.field === f), `${f}: ${r.text}`);
    assert.equal(count(`SELECT 1 FROM services WHERE clinic_id = ${lit(M.clinicId)}`), n0);
  });

  test('update and deactivate: unknown and other clinics\' ids are 404s', async () => {
    assertProblem(await call('PATCH', `${M.base}/services/${UUID_ZERO}`, { price: 1 }), 404);
    assertProblem(await call('PATCH', `${M.base}/services/${O.serviceId}`, { price: 1 }), 404);
    assertProblem(await call('GET', `${M.base}/services/${O.serviceId}`), 404);
    assertProblem(await call('DELETE', `${M.base}/services/${O.serviceId}`), 404);
    assertProblem(await call('DELETE', `${M.base}/services/xyz`), 404);
    assert.equal(sql(`SELECT active FROM services WHERE id = ${lit(O.serviceId)}`)[0].active, true);
    problemNaming(await call('PATCH', `${M.base}/services/${M.serviceId}`, { duration_minutes: null }), 422, 'duration_minutes');
    problemNaming(await call('PATCH', `${M.base}/services/${M.serviceId}`, { active: false }), 422, 'active');
    const r = await call('PATCH', `${M.base}/services/${M.serviceId}`, { price: 82.5 });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.price, 82.5);
  });
});

describe('practitioners', () => {
  const body = (extra = {}) => ({ name: `Pract ${RUN} ${Math.random()}`, profession: 'osteopath', location_ids: [M.locationId], ...extra });

  test('create: bad values named; another clinic\'s location or service is a 422', async () => {
    const n0 = count(`SELECT 1 FROM practitioners WHERE clinic_id = ${lit(M.clinicId)}`);
    const cases = [
      [{ name: undefined }, 'name'], [{ name: '   ' }, 'name'], [{ name: 7 }, 'name'], [{ profession: 'wizard' }, 'profession'],
      [{ profession: 3 }, 'profession'], [{ techniques: ['levitation'] }, 'techniques'], [{ techniques: 'MFR' }, 'techniques'],
      [{ conditions: ['boredom'] }, 'conditions'], [{ languages: ['english'] }, 'languages'], [{ languages: [] }, 'languages'],
      [{ accepting_new: 'yes' }, 'accepting_new'], [{ location_ids: [] }, 'location_ids'], [{ location_ids: undefined }, 'location_ids'],
      [{ location_ids: [O.locationId] }, 'location_ids'], [{ location_ids: ['Rooms'] }, 'location_ids'],
      [{ service_ids: [O.serviceId] }, 'service_ids'], [{ service_ids: [UUID_ZERO] }, 'service_ids'],
      [{ active: true }, 'active'], [{ salary: 1 }, 'salary'], [{ bio: 'x'.repeat(5001) }, 'bio'],
    ];
    for (const [patch, field] of cases) {
      const b = body(patch);
      for (const k of Object.keys(patch)) if (patch[k] === undefined) delete b[k];
      problemNaming(await call('POST', `${M.base}/practitioners`, b), 422, field);
    }
    assert.equal(count(`SELECT 1 FROM practitioners WHERE clinic_id = ${lit(M.clinicId)}`), n0);
  });

  test('a change through the API is in the very next search (the search index follows at once)', async () => {
    // Zulu: a language no demo practitioner speaks, so it also enters the index's list
    const near = `near=34.05,-118.25&radius_km=2&language=zu&limit=100`;
    const found = async (extra) => {
      const r = await request('GET', `/api/v1/practitioners?${near}${extra}`);
      assert.equal(r.status, 200, r.text);
      return r.json.items.map((i) => i.id);
    };
    const c = await call('POST', `${M.base}/practitioners`, body({ techniques: ['MFR'], languages: ['zu'] }));
    assert.equal(c.status, 201, c.text);
    assert.deepEqual(await found('&technique=MFR'), [c.json.id]);
    assert.deepEqual(await found('&technique=cupping'), []);
    expectStatus(await call('PATCH', `${M.base}/practitioners/${c.json.id}`, { techniques: ['cupping'] }), 200);
    assert.deepEqual(await found('&technique=MFR'), []);
    assert.deepEqual(await found('&technique=cupping'), [c.json.id]);
    expectStatus(await call('PATCH', `${M.base}/practitioners/${c.json.id}`, { accepting_new: false }), 200);
    assert.deepEqual(await found('&accepting_new=true'), []);
    assert.deepEqual(await found('&accepting_new=false'), [c.json.id]);
  });

  test('create resolves techniques and conditions by alias; the answer is the stored practitioner', async () => {
    const r = await call('POST', `${M.base}/practitioners`, body({ techniques: ['MFR'], conditions: ['fibro'], languages: ['EN', 'es'] }));
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.json.techniques, ['myofascial-release']);
    assert.deepEqual(r.json.languages, ['en', 'es']);
    assert.equal(r.json.clinic_id, M.clinicId);
    const g = await call('GET', `${M.base}/practitioners/${r.json.id}`);
    assert.deepEqual(g.json, r.json);
  });

  test('update: unknown and other clinics\' ids are 404s; bad values 422', async () => {
    assertProblem(await call('PATCH', `${M.base}/practitioners/${UUID_ZERO}`, { bio: 'x' }), 404);
    assertProblem(await call('PATCH', `${M.base}/practitioners/${O.practitioners.x}`, { bio: 'hijacked' }), 404);
    assertProblem(await call('GET', `${M.base}/practitioners/${O.practitioners.x}`), 404);
    assertProblem(await call('DELETE', `${M.base}/practitioners/${O.practitioners.x}`), 404);
    assert.equal(sql(`SELECT active, bio FROM practitioners WHERE id = ${lit(O.practitioners.x)}`)[0].active, true);
    problemNaming(await call('PATCH', `${M.base}/practitioners/${M.practitioners.p3}`, { name: null }), 422, 'name');
    problemNaming(await call('PATCH', `${M.base}/practitioners/${M.practitioners.p3}`, { location_ids: [O.locationId] }), 422, 'location_ids');
    problemNaming(await call('PATCH', `${M.base}/practitioners/${M.practitioners.p3}`, { active: false }), 422, 'active');
    const r = await call('PATCH', `${M.base}/practitioners/${M.practitioners.p3}`, { accepting_new: false });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.accepting_new, false);
  });

  test('list: pages with a cursor; bad parameters are 422s', async () => {
    problemNaming(await call('GET', `${M.base}/practitioners?limit=0`), 422, 'limit');
    problemNaming(await call('GET', `${M.base}/practitioners?limit=many`), 400, 'limit');
    problemNaming(await call('GET', `${M.base}/practitioners?cursor=garbage`), 422, 'cursor');
    problemNaming(await call('GET', `${M.base}/practitioners?sort=name`), 422, 'sort');
    const all = [];
    let cursor = null;
    for (let i = 0; i < 20; i++) {
      const r = await call('GET', `${M.base}/practitioners?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(r.status, 200, r.text);
      all.push(...r.json.items.map((p) => p.id));
      cursor = r.json.next_cursor;
      if (!cursor) break;
    }
    const truth = sql(`SELECT id FROM practitioners WHERE clinic_id = ${lit(M.clinicId)} ORDER BY name, id`).map((x) => x.id);
    assert.deepEqual(all, truth);
  });
});

describe('weekly hours', () => {
  const hours = (pid) => `${M.base}/practitioners/${pid}/hours`;
  const rule = (extra = {}) => ({ weekday: 6, start_time: '10:00', end_time: '12:00', location_id: M.locationId, ...extra });

  test('bad rules: 422 naming the field; times that do not parse', async () => {
    const p = M.practitioners.p1;
    const cases = [
      [{ weekday: 0 }, 'weekday'], [{ weekday: 8 }, 'weekday'], [{ weekday: '6' }, 'weekday'],
      [{ start_time: '10am' }, 'start_time'], [{ start_time: '25:00' }, 'start_time'], [{ start_time: '10:60' }, 'start_time'],
      [{ start_time: 1000 }, 'start_time'], [{ end_time: '1:00' }, 'end_time'], [{ end_time: '10:00' }, 'end_time'],
      [{ location_id: 'somewhere' }, 'location_id'], [{ location_id: O.locationId }, 'location_id'],
      [{ location_id: UUID_ZERO }, 'location_id'], [{ valid_from: '2026-13-01' }, 'valid_from'],
      [{ valid_from: 'tomorrow' }, 'valid_from'], [{ valid_from: '2027-02-01', valid_to: '2027-01-01' }, 'valid_to'],
      [{ cancel_stranded: 'yes' }, 'cancel_stranded'], [{ room: 4 }, 'room'],
    ];
    const n0 = count(`SELECT 1 FROM weekly_hours WHERE practitioner_id = ${lit(p)}`);
    for (const [patch, field] of cases) problemNaming(await call('POST', hours(p), rule(patch)), 422, field);
    const unknown = await call('POST', hours(p), rule({ room: 4 }));
    assert.deepEqual(unknown.json.errors.map((e) => e.field), ['room'], 'an unknown member is named once');
    const missing = await call('POST', hours(p), {});
    for (const f of ['weekday', 'start_time', 'end_time', 'location_id']) assert.ok(missing.json.errors?.some((e) => e.field === f), `${f}: ${missing.text}`);
    assert.equal(count(`SELECT 1 FROM weekly_hours WHERE practitioner_id = ${lit(p)}`), n0, 'nothing stored');
  });

  test('overlapping hours are a 422, in a POST and within a PUT', async () => {
    const p = M.practitioners.p1;
    // p1 works Monday to Friday 09:00-17:00
    assert.equal((await call('POST', hours(p), rule({ weekday: 1, start_time: '16:00', end_time: '18:00' }))).status, 422);
    assert.equal((await call('POST', hours(p), rule({ weekday: 3, start_time: '08:00', end_time: '09:30' }))).status, 422);
    // an evening running past midnight into Tuesday morning
    assert.equal((await call('POST', hours(p), rule({ weekday: 1, start_time: '22:00', end_time: '09:30' }))).status, 422);
    const ok = await call('POST', hours(p), rule({ weekday: 6, start_time: '10:00', end_time: '12:00' }));
    assert.equal(ok.status, 201, ok.text);
    assert.ok(ok.json.items.some((h) => h.weekday === 6 && h.start_time === '10:00' && h.end_time === '12:00'));
    problemNaming(await call('POST', hours(p), rule({ weekday: 6, start_time: '11:59', end_time: '13:00' })), 422, 'start_time');
    // next to each other is not overlapping
    assert.equal((await call('POST', hours(p), rule({ weekday: 6, start_time: '12:00', end_time: '13:00' }))).status, 201);
    // in one PUT
    const put = await call('PUT', hours(M.practitioners.p3), { rules: [rule({ weekday: 2 }), rule({ weekday: 2, start_time: '11:00', end_time: '14:00' })] });
    problemNaming(put, 422, 'rules[1]');
    // different validity periods do not overlap
    const seasons = await call('PUT', hours(M.practitioners.p3), { rules: [
      ...WEEKDAYS_9_TO_17.map((h) => ({ ...h, location_id: M.locationId })),
      rule({ weekday: 6, valid_from: '2030-01-01', valid_to: '2030-06-30' }),
      rule({ weekday: 6, valid_from: '2030-07-01' }),
    ] });
    assert.equal(seasons.status, 200, seasons.text);
  });

  test('PUT: rules must be a list of good rules; fields are named with their index', async () => {
    const p = M.practitioners.p3;
    const before = (await call('GET', hours(p))).json;
    problemNaming(await call('PUT', hours(p), { rules: 'all week' }), 422, 'rules');
    problemNaming(await call('PUT', hours(p), {}), 422, 'rules');
    problemNaming(await call('PUT', hours(p), { rules: [rule({ start_time: 'noon' })] }), 422, 'rules[0].start_time');
    problemNaming(await call('PUT', hours(p), { rules: [rule(), rule({ weekday: 9 })] }), 422, 'rules[1].weekday');
    problemNaming(await call('PUT', hours(p), { rules: [rule({ location_id: O.locationId })] }), 422, 'rules[0].location_id');
    problemNaming(await call('PUT', hours(p), { rules: [5] }), 422, 'rules[0]');
    problemNaming(await call('PUT', hours(p), { rules: Array.from({ length: 51 }, () => rule()) }), 422, 'rules');
    assert.deepEqual((await call('GET', hours(p))).json, before, 'refused PUTs change nothing');
  });

  test('unknown, malformed and other clinics\' practitioners and rules are 404s', async () => {
    assertProblem(await call('GET', hours(UUID_ZERO)), 404);
    assertProblem(await call('GET', hours('p1')), 404);
    assertProblem(await call('GET', hours(O.practitioners.x)), 404);
    assertProblem(await call('POST', hours(O.practitioners.x), rule({ location_id: O.locationId })), 404);
    assertProblem(await call('PUT', hours(O.practitioners.x), { rules: [] }), 404);
    const oRule = sql(`SELECT id FROM weekly_hours WHERE practitioner_id = ${lit(O.practitioners.x)} LIMIT 1`)[0].id;
    assertProblem(await call('DELETE', `${hours(O.practitioners.x)}/${oRule}`), 404);
    assertProblem(await call('DELETE', `${hours(M.practitioners.p1)}/${oRule}`), 404);
    assertProblem(await call('DELETE', `${hours(M.practitioners.p1)}/${UUID_ZERO}`), 404);
    assertProblem(await call('DELETE', `${hours(M.practitioners.p1)}/rule-1`), 404);
    assert.equal(count(`SELECT 1 FROM weekly_hours WHERE id = ${lit(oRule)}`), 1);
  });

  test('a change that strands a booking is a 409 listing it; with cancel_stranded the booking is cancelled and the patient told', async () => {
    const p = M.practitioners.p2;
    const slot = { day: MON, start: fmt(at(MON, '10:00', TZ), TZ) };
    const b = await staffBook(M, A(), p, slot);
    const before = (await call('GET', hours(p))).json;
    const afternoons = { rules: [
      { weekday: 1, start_time: '13:00', end_time: '17:00', location_id: M.locationId },
      ...WEEKDAYS_9_TO_17.slice(1).map((h) => ({ ...h, location_id: M.locationId })),
    ] };
    const r = await call('PUT', hours(p), afternoons);
    assertProblem(r, 409);
    assert.ok(String(r.json.type).endsWith('/strands-bookings'), r.text);
    assert.deepEqual(r.json.bookings, [{ id: b.id, start: b.start, end: b.end }]);
    assert.deepEqual((await call('GET', hours(p))).json, before, 'the hours are unchanged');
    assert.equal(bookingStatus(b.id), 'booked');
    assert.equal(notifications(b.id).length, 0);

    const ok = await call('PUT', hours(p), { ...afternoons, cancel_stranded: true });
    assert.equal(ok.status, 200, ok.text);
    assert.ok(ok.json.items.some((h) => h.weekday === 1 && h.start_time === '13:00'));
    const row = sql(`SELECT status, cancelled_by, cancel_reason FROM bookings WHERE id = ${lit(b.id)}`)[0];
    assert.equal(row.status, 'cancelled');
    assert.equal(row.cancelled_by, 'staff');
    assert.deepEqual(notifications(b.id).map((n) => [n.kind, n.recipient]), [['booking_cancelled', b.patient.email]]);
  });

  test('deleting the rule a booking needs: 409, then ?cancel_stranded=true', async () => {
    const p = M.practitioners.p2;
    const tue = addDays(MON, 1);
    const b = await staffBook(M, A(), p, { start: fmt(at(tue, '11:00', TZ), TZ) });
    const tuesday = (await call('GET', hours(p))).json.items.find((h) => h.weekday === 2);
    const r = await call('DELETE', `${hours(p)}/${tuesday.id}`);
    assertProblem(r, 409);
    assert.deepEqual(r.json.bookings.map((x) => x.id), [b.id]);
    assert.equal(count(`SELECT 1 FROM weekly_hours WHERE id = ${lit(tuesday.id)}`), 1);
    problemNaming(await call('DELETE', `${hours(p)}/${tuesday.id}?cancel_stranded=sure`), 400, 'cancel_stranded');
    expectStatus(await call('DELETE', `${hours(p)}/${tuesday.id}?cancel_stranded=true`), 204);
    assert.equal(bookingStatus(b.id), 'cancelled');
    assert.deepEqual(notifications(b.id).map((n) => n.kind), ['booking_cancelled']);
  });

  test('bookings the new hours still cover are left alone', async () => {
    const p = M.practitioners.p2;
    const thu = addDays(MON, 3);
    const b = await staffBook(M, A(), p, { start: fmt(at(thu, '15:00', TZ), TZ) });
    const r = await call('PUT', hours(p), { rules: [{ weekday: 4, start_time: '14:00', end_time: '18:00', location_id: M.locationId }], cancel_stranded: true });
    assert.equal(r.status, 200, r.text);
    assert.equal(bookingStatus(b.id), 'booked');
    expectStatus(await call('PUT', hours(p), { rules: WEEKDAYS_9_TO_17.map((h) => ({ ...h, location_id: M.locationId })) }), 200);
  });

  test('a booking outside the hours already (moved there by hand) neither blocks an unrelated change nor is cancelled by one', async () => {
    const p = M.practitioners.p2;
    const fri = addDays(MON, 4);
    const b = await staffBook(M, A(), p, { start: fmt(at(fri, '10:00', TZ), TZ) });
    // 10:00 -> 20:00, past Friday's 17:00 close, as an operator's SQL might leave it
    sqlExec(`UPDATE bookings SET during = tstzrange(lower(during) + interval '10 hours', upper(during) + interval '10 hours'),
      blocked = tstzrange(lower(blocked) + interval '10 hours', upper(blocked) + interval '10 hours')
      WHERE id = ${lit(b.id)}`);
    try {
      const thursdays = WEEKDAYS_9_TO_17.map((h) => ({ ...h, location_id: M.locationId,
        ...(h.weekday === 4 ? { start_time: '10:00' } : {}) }));
      const r = await call('PUT', hours(p), { rules: thursdays });
      assert.equal(r.status, 200, `a change elsewhere in the week: ${r.status} ${r.text}`);
      const t = await call('POST', `${M.base}/practitioners/${p}/time-off`, {
        start: fmt(at(addDays(MON, 2), '09:00', TZ), TZ), end: fmt(at(addDays(MON, 2), '10:00', TZ), TZ),
        reason: 'errand', cancel_stranded: true });
      assert.equal(t.status, 201, t.text);
      assert.equal(bookingStatus(b.id), 'booked', 'not this change\'s doing: not cancelled');
      assert.equal(notifications(b.id).length, 0);
      // a change that does reach it (Friday closes at 12:00) still lists only what it strands
      const fri2 = addDays(fri, 7);
      const c = await staffBook(M, A(), p, { start: fmt(at(fri2, '14:00', TZ), TZ) });
      const mornings = WEEKDAYS_9_TO_17.map((h) => ({ ...h, location_id: M.locationId,
        ...(h.weekday === 5 ? { end_time: '12:00' } : {}) }));
      const s = await call('PUT', hours(p), { rules: mornings });
      assertProblem(s, 409);
      assert.deepEqual(s.json.bookings.map((x) => x.id), [c.id]);
      sqlExec(`UPDATE bookings SET status = 'cancelled', cancelled_at = now() WHERE id = ${lit(c.id)}`);
    } finally {
      sqlExec(`UPDATE bookings SET status = 'cancelled', cancelled_at = now() WHERE id = ${lit(b.id)}`);
      expectStatus(await call('PUT', hours(p), { rules: WEEKDAYS_9_TO_17.map((h) => ({ ...h, location_id: M.locationId })) }), 200);
    }
  });
});

describe('time off', () => {
  const off = (pid) => `${M.base}/practitioners/${pid}/time-off`;
  const day = () => addDays(MON, 14);

  test('times that do not parse, end before start, too long: 422 naming the field', async () => {
    const p = M.practitioners.p1;
    const s = fmt(at(day(), '09:00', TZ), TZ);
    const e = fmt(at(day(), '12:00', TZ), TZ);
    const cases = [
      [{ start: 'tomorrow', end: e }, 'start'], [{ start: `${day()}T09:00:00`, end: e }, 'start'],
      [{ start: day(), end: e }, 'start'], [{ start: 1700000000, end: e }, 'start'], [{ start: s, end: '12:00' }, 'end'],
      [{ start: e, end: s }, 'end'], [{ start: s, end: s }, 'end'],
      [{ start: s, end: fmt(at(addDays(day(), 400), '09:00', TZ), TZ) }, 'end'],
      [{ start: s, end: e, reason: 'r'.repeat(501) }, 'reason'], [{ start: s, end: e, reason: 5 }, 'reason'],
      [{ start: s, end: e, cancel_stranded: 1 }, 'cancel_stranded'], [{ start: s, end: e, kind: 'holiday' }, 'kind'],
      [{ end: e }, 'start'], [{ start: s }, 'end'],
    ];
    const n0 = count(`SELECT 1 FROM time_off WHERE practitioner_id = ${lit(p)}`);
    for (const [b, field] of cases) problemNaming(await call('POST', off(p), b), 422, field);
    assert.equal(count(`SELECT 1 FROM time_off WHERE practitioner_id = ${lit(p)}`), n0, 'nothing stored');
    const ok = await call('POST', off(p), { start: s, end: e, reason: 'course' });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(Date.parse(ok.json.start), Date.parse(s));
    assert.equal(Date.parse(ok.json.end), Date.parse(e));
    const list = await call('GET', off(p));
    assert.ok(list.json.items.some((t) => t.id === ok.json.id && t.reason === 'course'));
  });

  test('time off over a booking: 409 listing it, then cancel_stranded', async () => {
    const p = M.practitioners.p2;
    const wed = addDays(MON, 2);
    const b = await staffBook(M, A(), p, { start: fmt(at(wed, '10:00', TZ), TZ) });
    const body = { start: fmt(at(wed, '09:00', TZ), TZ), end: fmt(at(wed, '12:00', TZ), TZ), reason: 'ill' };
    const n0 = count(`SELECT 1 FROM time_off WHERE practitioner_id = ${lit(p)}`);
    const r = await call('POST', off(p), body);
    assertProblem(r, 409);
    assert.deepEqual(r.json.bookings, [{ id: b.id, start: b.start, end: b.end }]);
    assert.equal(count(`SELECT 1 FROM time_off WHERE practitioner_id = ${lit(p)}`), n0, 'no time off stored');
    assert.equal(bookingStatus(b.id), 'booked');
    const ok = await call('POST', off(p), { ...body, cancel_stranded: true });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(bookingStatus(b.id), 'cancelled');
    assert.deepEqual(notifications(b.id).map((n) => [n.kind, n.recipient]), [['booking_cancelled', b.patient.email]]);
  });

  test('unknown and other clinics\' ids are 404s', async () => {
    const o = O.practitioners.x;
    assertProblem(await call('GET', off(o)), 404);
    assertProblem(await call('POST', off(o), { start: fmt(at(day(), '09:00', TZ), TZ), end: fmt(at(day(), '10:00', TZ), TZ) }), 404);
    assertProblem(await call('DELETE', `${off(M.practitioners.p1)}/${UUID_ZERO}`), 404);
    assertProblem(await call('DELETE', `${off(M.practitioners.p1)}/holiday`), 404);
    // p1's time off is not p3's to delete
    const t = (await call('GET', off(M.practitioners.p1))).json.items[0];
    assert.ok(t, 'p1 has time off');
    assertProblem(await call('DELETE', `${off(M.practitioners.p3)}/${t.id}`), 404);
    expectStatus(await call('DELETE', `${off(M.practitioners.p1)}/${t.id}`), 204);
    assertProblem(await call('DELETE', `${off(M.practitioners.p1)}/${t.id}`), 404);
  });
});

describe('the schedule', () => {
  let b;
  let PRAC;
  before(async () => {
    b = await staffBook(M, A(), M.practitioners.p3, { start: fmt(at(addDays(MON, 4), '09:30', TZ), TZ) }, { notes: 'left shoulder' });
    PRAC = await signedIn(createUser({ clinic: M.clinicId, role: 'practitioner', practitioner: M.practitioners.p1 }));
  });

  test('staff see the patient\'s details', async () => {
    const fri = addDays(MON, 4);
    const r = await call('GET', `${M.base}/schedule?from=${fri}&to=${fri}&practitioner=${M.practitioners.p3}`);
    assert.equal(r.status, 200, r.text);
    const item = r.json.items.find((x) => x.id === b.id);
    assert.ok(item, r.text.slice(0, 500));
    assert.deepEqual(item.patient, { name: b.patient.name, email: b.patient.email, phone: b.patient.phone });
    assert.equal(item.notes, 'left shoulder');
    assert.equal(Date.parse(item.start), Date.parse(b.start));
    const one = await call('GET', `${M.base}/bookings/${b.id}`);
    assert.equal(one.status, 200, one.text);
    assert.equal(one.json.patient.email, b.patient.email);
  });

  test('bad ranges and parameters', async () => {
    problemNaming(await call('GET', `${M.base}/schedule?from=yesterday`), 400, 'from');
    problemNaming(await call('GET', `${M.base}/schedule?to=2026-02-30`), 400, 'to');
    problemNaming(await call('GET', `${M.base}/schedule?from=${MON}&to=${addDays(MON, -5)}`), 422, 'to');
    problemNaming(await call('GET', `${M.base}/schedule?from=${MON}T12:00:00Z&to=${MON}T11:00:00Z`), 422, 'to');
    problemNaming(await call('GET', `${M.base}/schedule?from=${MON}&to=${addDays(MON, 90)}`), 422, 'to');
    problemNaming(await call('GET', `${M.base}/schedule?practitioner=p3`), 422, 'practitioner');
    problemNaming(await call('GET', `${M.base}/schedule?include_cancelled=perhaps`), 400, 'include_cancelled');
    assert.equal((await call('GET', `${M.base}/schedule?from=${MON}T00:00:00-08:00&to=${MON}T23:59:59-08:00`)).status, 200);
  });

  test('to a day or two before from (as dates) is a 422 too, not an empty schedule', async () => {
    for (const back of [1, 2]) {
      const r = await call('GET', `${M.base}/schedule?from=${MON}&to=${addDays(MON, -back)}`);
      problemNaming(r, 422, 'to');
    }
  });

  test('another clinic\'s practitioner in the schedule\'s filter shows nothing of theirs', async () => {
    const r = await call('GET', `${M.base}/schedule?practitioner=${O.practitioners.x}&from=${MON}&to=${addDays(MON, 6)}`);
    assert.ok([200, 404, 422].includes(r.status), r.text);
    assert.ok(!r.text.includes(oBooking), 'a booking of the other clinic is listed');
  });

  test('a practitioner asking for another practitioner\'s schedule: 404', async () => {
    assertProblem(await request('GET', `${M.base}/schedule?practitioner=${M.practitioners.p3}`, { headers: PRAC.auth }), 404);
    assertProblem(await request('GET', `${M.base}/bookings/${b.id}`, { headers: PRAC.auth }), 404);
    const own = await request('GET', `${M.base}/schedule?from=${MON}&to=${addDays(MON, 6)}`, { headers: PRAC.auth });
    assert.equal(own.status, 200);
    assert.ok(!own.text.includes(b.patient.email));
  });

  test('no public answer carries patient data', async () => {
    const pid = M.practitioners.p3;
    const secrets = [b.patient.email, b.patient.name, b.patient.phone, 'left shoulder'];
    const prof = await request('GET', `/api/v1/practitioners/${pid}`);
    assert.equal(prof.status, 200, prof.text);
    const name = prof.json.name;
    const fri = addDays(MON, 4);
    const answers = [
      prof,
      await request('GET', `/api/v1/practitioners?q=${encodeURIComponent(name)}`),
      await request('GET', `/api/v1/practitioners?near=34.05,-118.25&radius_km=5&limit=100`),
      await request('GET', `/api/v1/practitioners/${pid}/availability?from=${fri}&to=${fri}&service=${M.serviceId}`),
    ];
    for (const r of answers) {
      assert.equal(r.status, 200, r.text.slice(0, 300));
      for (const s of secrets) assert.ok(!r.text.includes(s), `public answer holds ${s}: ${r.text.slice(0, 300)}`);
    }
    assert.ok(answers[1].json.items.some((x) => x.id === pid), 'the search finds the practitioner');
  });

  test('the calendar feed shows initials only, and a revoked feed is gone', async () => {
    const pid = M.practitioners.p3;
    const secrets = [b.patient.email, b.patient.name, b.patient.phone, 'left shoulder'];
    const feed = expectStatus(await call('POST', `${M.base}/practitioners/${pid}/calendar-feeds`, {}), 201).json;
    const ics = await request('GET', new URL(feed.url).pathname + new URL(feed.url).search);
    assert.equal(ics.status, 200, ics.text);
    assert.match(ics.text, /BEGIN:VEVENT/);
    for (const s of secrets) assert.ok(!ics.text.includes(s), `the feed holds ${s}`);
    assert.match(ics.text, /SUMMARY:[^\r\n]*T\. P\. S\./, 'the feed shows the initials');
    expectStatus(await call('DELETE', `${M.base}/practitioners/${pid}/calendar-feeds/${feed.id}`), 204);
    assert.equal((await request('GET', new URL(feed.url).pathname + new URL(feed.url).search)).status, 404, 'a revoked feed is gone');
  });
});

describe('bookings by staff', () => {
  let S;       // a strict clinic: 14 days' notice, 30 days to cancel
  let next;
  before(async () => {
    S = await createStaffClinic('strict', { practitioners: ['s1'],
      policy: { min_notice_minutes: 20160, cancellation_notice_hours: 720, booking_horizon_days: 60 } });
    next = slotAllocator(3);
  });
  after(() => retireClinic(S));

  const bookBody = (start, extra = {}) => ({ practitioner_id: S.practitioners.s1, service_id: S.serviceId, start,
    patient: patient('strict'), ...extra });

  test('staff may book inside the notice window; a patient may not', async () => {
    const slot = next();
    const pub = await request('POST', '/api/v1/bookings', { body: bookBody(slot.start) });
    assertProblem(pub, 409);
    assert.ok(String(pub.json.type).endsWith('/outside-policy'), pub.text);
    const r = await request('POST', `${S.base}/bookings`, { headers: S.admin.auth, body: bookBody(slot.start, { notes: 'by phone' }) });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.status, 'booked');
    assert.equal(r.json.start, slot.start);
    assert.match(r.json.manage_token, /^[A-Za-z0-9_-]{43}$/);
    const row = sql(`SELECT created_by, created_by_user IS NOT NULL AS by_user FROM bookings WHERE id = ${lit(r.json.id)}`)[0];
    assert.equal(row.created_by, 'staff');
  });

  test('staff may cancel inside the cancellation window; the patient may not', async () => {
    const b = await staffBook(S, S.admin.auth, S.practitioners.s1, next());
    const pub = await request('POST', `/api/v1/bookings/${b.id}/cancel`, { headers: bearer(b.manage_token), body: {} });
    assertProblem(pub, 409);
    assert.ok(String(pub.json.type).endsWith('/cancellation-policy'), pub.text);
    const r = await request('POST', `${S.base}/bookings/${b.id}/cancel`, { headers: S.admin.auth, body: { reason: 'practitioner ill' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'cancelled');
    const row = sql(`SELECT status, cancelled_by, cancel_reason FROM bookings WHERE id = ${lit(b.id)}`)[0];
    assert.deepEqual(row, { status: 'cancelled', cancelled_by: 'staff', cancel_reason: 'practitioner ill' });
    assert.deepEqual(notifications(b.id).map((n) => n.recipient), [b.patient.email]);
    // twice: 409
    assertProblem(await request('POST', `${S.base}/bookings/${b.id}/cancel`, { headers: S.admin.auth, body: {} }), 409);
    // with no body at all
    const b2 = await staffBook(S, S.admin.auth, S.practitioners.s1, next());
    assert.equal((await request('POST', `${S.base}/bookings/${b2.id}/cancel`, { headers: S.admin.auth })).status, 200);
    problemNaming(await request('POST', `${S.base}/bookings/${b2.id}/cancel`, { headers: S.admin.auth, body: { scope: 'everything' } }), 422, 'scope');
  });

  test('completed and no_show: only once the session has started', async () => {
    const b = await staffBook(S, S.admin.auth, S.practitioners.s1, next());
    const mark = (id, status) => request('POST', `${S.base}/bookings/${id}/status`, { headers: S.admin.auth, body: { status } });
    const early = await mark(b.id, 'completed');
    assertProblem(early, 409);
    assert.equal(bookingStatus(b.id), 'booked');
    moveToPast(b.id);
    const done = await mark(b.id, 'completed');
    assert.equal(done.status, 200, done.text);
    assert.equal(done.json.status, 'completed');
    assert.equal(bookingStatus(b.id), 'completed');
    const b2 = await staffBook(S, S.admin.auth, S.practitioners.s1, next());
    moveToPast(b2.id);
    const ns = await mark(b2.id, 'no_show');
    assert.equal(ns.status, 200, ns.text);
    assert.equal(bookingStatus(b2.id), 'no_show');
    problemNaming(await mark(b2.id, 'done'), 422, 'status');
    problemNaming(await mark(b2.id, 'cancelled'), 422, 'status');
    problemNaming(await mark(b2.id, 3), 422, 'status');
    problemNaming(await request('POST', `${S.base}/bookings/${b2.id}/status`, { headers: S.admin.auth, body: {} }), 422, 'status');
    // a cancelled booking cannot be closed
    const b3 = await staffBook(S, S.admin.auth, S.practitioners.s1, next());
    expectStatus(await request('POST', `${S.base}/bookings/${b3.id}/cancel`, { headers: S.admin.auth, body: {} }), 200);
    moveToPast(b3.id);
    assertProblem(await mark(b3.id, 'completed'), 409);
    assert.equal(bookingStatus(b3.id), 'cancelled');
  });

  test('bad booking requests: 422 naming the field, 409 for a slot that is not offered', async () => {
    const slot = next();
    const h = S.admin.auth;
    const post = (b) => request('POST', `${S.base}/bookings`, { headers: h, body: b });
    problemNaming(await post(bookBody(slot.start, { practitioner_id: O.practitioners.x })), 422, 'practitioner_id');
    problemNaming(await post(bookBody(slot.start, { practitioner_id: UUID_ZERO })), 422, 'practitioner_id');
    problemNaming(await post(bookBody(slot.start, { practitioner_id: 'someone' })), 422, 'practitioner_id');
    problemNaming(await post(bookBody(slot.start, { service_id: O.serviceId })), 422, 'service_id');
    problemNaming(await post(bookBody(slot.start, { service_id: M.serviceId })), 422, 'service_id');
    problemNaming(await post(bookBody('next tuesday')), 422, 'start');
    problemNaming(await post(bookBody(slot.start.slice(0, 19))), 422, 'start');
    problemNaming(await post(bookBody(fmt(Date.now() - 86_400_000, TZ))), 422, 'start');
    problemNaming(await post(bookBody(slot.start, { patient: undefined })), 422, 'patient');
    problemNaming(await post(bookBody(slot.start, { patient: { name: 'No Mail' } })), 422, 'patient.email');
    problemNaming(await post(bookBody(slot.start, { patient: { name: 'Bad', email: 'not-an-address' } })), 422, 'patient.email');
    problemNaming(await post(bookBody(slot.start, { patient: { name: 'Bad', email: 'a@b.example', phone: 'call me' } })), 422, 'patient.phone');
    problemNaming(await post(bookBody(slot.start, { notes: 'n'.repeat(2001) })), 422, 'notes');
    problemNaming(await post(bookBody(slot.start, { paid: true })), 422, 'paid');
    const offGrid = fmt(slot.ms + 7 * 60_000, TZ);
    assertProblem(await post(bookBody(offGrid)), 409);
    const night = fmt(at(slot.day, '20:00', TZ), TZ);
    assertProblem(await post(bookBody(night)), 409);
    expectStatus(await post(bookBody(slot.start)), 201);
    const taken = await post(bookBody(slot.start));
    assertProblem(taken, 409);
    assert.ok(String(taken.json.type).endsWith('/slot-unavailable'), taken.text);
  });

  test('bookings: unknown, malformed and other clinics\' ids are 404s', async () => {
    const h = S.admin.auth;
    for (const id of [UUID_ZERO, 'booking-1', oBooking]) {
      assertProblem(await request('GET', `${S.base}/bookings/${id}`, { headers: h }), 404);
      assertProblem(await request('POST', `${S.base}/bookings/${id}/cancel`, { headers: h, body: {} }), 404);
      assertProblem(await request('POST', `${S.base}/bookings/${id}/status`, { headers: h, body: { status: 'completed' } }), 404);
    }
    assert.equal(bookingStatus(oBooking), 'booked');
  });
});

describe('API keys and calendar feeds', () => {
  test('API keys: bad names and scopes are 422s; the key is shown once', async () => {
    const post = (b) => call('POST', `${M.base}/api-keys`, b);
    problemNaming(await post({ scopes: ['read'] }), 422, 'name');
    problemNaming(await post({ name: 'k'.repeat(101), scopes: ['read'] }), 422, 'name');
    problemNaming(await post({ name: 'k', scopes: 'read' }), 422, 'scopes');
    problemNaming(await post({ name: 'k', scopes: ['admin'] }), 422, 'scopes');
    problemNaming(await post({ name: 'k', scopes: [] }), 422, 'scopes');
    problemNaming(await post({ name: 'k', scopes: [1] }), 422, 'scopes');
    problemNaming(await post({ name: 'k', scopes: ['read'], expires: 'never' }), 422, 'expires');
    const r = await post({ name: `key ${RUN}`, scopes: ['read', 'read', 'write'] });
    assert.equal(r.status, 201, r.text);
    assert.match(r.json.key, /^ck_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(r.json.scopes, ['read', 'write']);
    const list = await call('GET', `${M.base}/api-keys`);
    assert.ok(list.json.items.some((k) => k.id === r.json.id));
    assert.ok(!list.text.includes(r.json.key.slice(3)), 'the list shows the key');
    assert.ok(!/token_hash|"key"/.test(list.text));
    assertProblem(await call('DELETE', `${M.base}/api-keys/${UUID_ZERO}`), 404);
    assertProblem(await call('DELETE', `${M.base}/api-keys/key-1`), 404);
    const oKey = expectStatus(await request('POST', `${O.base}/api-keys`, { headers: O.admin.auth, body: { name: 'o', scopes: ['read'] } }), 201).json;
    assertProblem(await call('DELETE', `${M.base}/api-keys/${oKey.id}`), 404);
    assert.equal((await request('GET', `${O.base}/locations`, { headers: bearer(oKey.key) })).status, 200, 'the other clinic\'s key still works');
    expectStatus(await call('DELETE', `${M.base}/api-keys/${r.json.id}`), 204);
    expectStatus(await call('DELETE', `${M.base}/api-keys/${r.json.id}`), 204);
    assertProblem(await request('GET', `${M.base}/locations`, { headers: bearer(r.json.key) }), 401);
  });

  test('a new calendar feed\'s created_at is RFC 3339 like every other instant', async () => {
    // fetch itself, so that this names the problem even where lib.mjs's schema check would
    const res = await fetch(`${BASE}${M.base}/practitioners/${M.practitioners.p1}/calendar-feeds`,
      { method: 'POST', headers: { ...A(), 'content-type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 201);
    const feed = await res.json();
    assert.match(feed.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/, `created_at: ${feed.created_at}`);
    const list = await fetch(`${BASE}${M.base}/practitioners/${M.practitioners.p1}/calendar-feeds`, { headers: A() });
    const listed = (await list.json()).items.find((f) => f.id === feed.id);
    assert.equal(Date.parse(listed.created_at), Date.parse(feed.created_at.replace(' ', 'T')));
  });

  test('calendar feeds: unknown and other clinics\' ids are 404s', async () => {
    const f = (pid) => `${M.base}/practitioners/${pid}/calendar-feeds`;
    assertProblem(await call('POST', f(O.practitioners.x), {}), 404);
    assertProblem(await call('GET', f(O.practitioners.x)), 404);
    assertProblem(await call('POST', f(UUID_ZERO), {}), 404);
    assertProblem(await call('DELETE', `${f(M.practitioners.p1)}/${UUID_ZERO}`), 404);
    assertProblem(await call('DELETE', `${f(M.practitioners.p1)}/feed`), 404);
    const feed = expectStatus(await call('POST', f(M.practitioners.p1), {}), 201).json;
    assertProblem(await call('DELETE', `${f(M.practitioners.p3)}/${feed.id}`), 404);
    expectStatus(await call('DELETE', `${f(M.practitioners.p1)}/${feed.id}`), 204);
    assertProblem(await call('DELETE', `${f(M.practitioners.p1)}/${feed.id}`), 404);
  });
});

describe('deactivating a practitioner', () => {
  test('with open bookings: 409 listing them; ?cancel_bookings=true cancels them and tells the patients', async () => {
    const pid = await addStaffPractitioner(M, 'leaving');
    const b = await staffBook(M, A(), pid, slotAllocator(9)());
    const r = await call('DELETE', `${M.base}/practitioners/${pid}`);
    assertProblem(r, 409, 'cancel_bookings');
    assert.deepEqual(r.json.bookings.map((x) => x.id), [b.id]);
    assert.equal(sql(`SELECT active FROM practitioners WHERE id = ${lit(pid)}`)[0].active, true);
    expectStatus(await call('DELETE', `${M.base}/practitioners/${pid}?cancel_bookings=true&reason=moved%20away`), 204);
    assert.equal(sql(`SELECT active FROM practitioners WHERE id = ${lit(pid)}`)[0].active, false);
    const row = sql(`SELECT status, cancel_reason FROM bookings WHERE id = ${lit(b.id)}`)[0];
    assert.deepEqual(row, { status: 'cancelled', cancel_reason: 'moved away' });
    assert.deepEqual(notifications(b.id).map((n) => [n.kind, n.recipient]), [['booking_cancelled', b.patient.email]]);
    // gone from the public directory
    assert.equal((await request('GET', `/api/v1/practitioners/${pid}`)).status, 404);
    // and back again
    const back = await call('PATCH', `${M.base}/practitioners/${pid}`, { active: true });
    assert.equal(back.status, 200, back.text);
    assert.equal(back.json.active, true);
  });
});
