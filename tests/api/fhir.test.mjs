// The HL7 FHIR R4 facade under /fhir/r4, checked by other projects' code: every
// resource and Bundle received validates against the official R4 JSON schema
// (fhir-lib.mjs), and a FHIR client library (fhir-kit-client) searches Slot and gets the
// free slots that GET /api/v1/practitioners/{id}/availability offers for the same range.
// Also: the mapping of our data, paging, every bad-input path (strict handling:
// OperationOutcome with the right status), and Appointment access for staff only.
// The suite makes a clinic of its own (hours, techniques, a staff admin) and retires it.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client } from 'fhir-kit-client';
import { request, sql, sqlExec, lit, qs } from './lib.mjs';
import {
  HOUR, at, fmt, addDays, nextWeekday, createPractice, retirePractice, availability, starts,
  bookOk, patient,
} from './fixtures.mjs';
import {
  FHIR, CS_TECHNIQUE, CS_PROFESSION, CS_SERVICE, EXT_WHEELCHAIR, EXT_TIMEZONE,
  EXT_SLOT_LOCATION, EXT_DISTANCE, fhir, fhirOk, assertOutcome, assertValid, resources,
  allPages, ext, createClinicAdmin, login, bearer, warmSchema,
} from './fhir-lib.mjs';

// before any request: the schema check below explains bad Slots
warmSchema(['Slot']);

const TZ = 'America/Los_Angeles';
const TAG = `q${randomUUID().slice(0, 8)}`;
const PASSWORD = `fhir-${randomUUID()}`;
const DEMO_ADMIN = { email: 'admin@demo.clinicd.example', password: 'calm-fascia-demo' };
const WEEKDAYS = [1, 2, 3, 4, 5];

let P;            // the practice: practitioners a (Rosa) and b (Ben), one location
let A, B;         // practitioner ids
let MON;          // a Monday at least 3 days ahead (local date)
let ownToken;     // a session of an admin of P's clinic
let demoToken;    // a session of the demo clinic's admin (another clinic)
let booking;      // a booking of A (201 body) with its patient

before(async () => {
  P = createPractice({
    label: 'fhir', tz: TZ,
    policy: { slot_step_minutes: 30, min_notice_minutes: 120, booking_horizon_days: 60 },
    services: { s45: { minutes: 45, price: 9000 }, s90: { minutes: 90, price: 15000 } },
    practitioners: {
      a: [...WEEKDAYS.map((weekday) => ({ weekday, start: '09:00', end: '12:00' })),
        { weekday: 6, start: '10:00', end: '14:00' }],
      b: [{ weekday: 1, start: '13:00', end: '17:00' }, { weekday: 2, start: '08:00', end: '10:00' }],
    },
  });
  ({ a: A, b: B } = P.practitioners);
  sqlExec(`
    UPDATE clinics SET phone = '+1 213 555 0142', website = 'https://fhir-test.clinicd.example'
      WHERE id = ${lit(P.clinicId)};
    UPDATE locations SET wheelchair_accessible = true WHERE id = ${lit(P.locationId)};
    UPDATE practitioners SET name = ${lit(`Rosa ${TAG} Delgado`)}, credentials = 'LMT, CMTPT',
      languages = '{en,es}' WHERE id = ${lit(A)};
    UPDATE practitioners SET name = ${lit(`Ben ${TAG} Marsh`)}, accepting_new = false,
      profession_id = (SELECT id FROM professions WHERE slug = 'massage-therapist') WHERE id = ${lit(B)};
    INSERT INTO practitioner_techniques (clinic_id, practitioner_id, technique_id)
      SELECT ${lit(P.clinicId)}, x.pid::uuid, t.id FROM techniques t JOIN (VALUES
        (${lit(A)}, 'myofascial-release'), (${lit(A)}, 'trigger-point-therapy'),
        (${lit(B)}, 'myofascial-release')) AS x(pid, slug) ON x.slug = t.slug;`);
  MON = nextWeekday(TZ, 1, 3);
  const email = `fhir.${TAG}@fhir-test.clinicd.example`;
  createClinicAdmin(P.clinicId, email, PASSWORD);
  ownToken = await login(email, PASSWORD);
  demoToken = await login(DEMO_ADMIN.email, DEMO_ADMIN.password);
  // a booking of A on the Tuesday: the first free slot of the default service
  const tue = addDays(MON, 1);
  const slots = await availability(A, { from: tue, to: tue, service: P.services.s45 });
  const who = patient('fhir');
  booking = { ...(await bookOk(A, P.services.s45, Date.parse(slots.slots[0].start), TZ, { patient: who })), who };
});

after(() => retirePractice(P));

const search = (type, params, opts) => fhirOk(`/${type}${qs(params)}`, 'Bundle', opts);
const ids = (bundle) => resources(bundle).map((r) => r.id);

// ---------------------------------------------------------------------------------------
test('the schema check is real: the R4 schema rejects what FHIR does not allow', () => {
  const slot = { resourceType: 'Slot', id: 'x-1', schedule: { reference: 'Schedule/x' }, status: 'free',
    start: '2026-12-01T09:00:00-08:00', end: '2026-12-01T09:45:00-08:00' };
  assertValid(slot, 'a good Slot');
  for (const bad of [{ ...slot, status: 'open' }, { ...slot, start: '2026-12-01T09:00' }, { ...slot, colour: 'blue' },
    { ...slot, id: 'not an id' }, { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { ...slot, end: 'soon' } }] }])
    assert.throws(() => assertValid(bad, 'a bad resource'), /not valid FHIR R4/);
});

describe('metadata', () => {
  test('a CapabilityStatement: R4, an instance, JSON, read and search-type of each resource', async () => {
    for (const path of ['/metadata', '/metadata?_format=json', '/metadata?_format=application/fhir%2Bjson']) {
      const cs = await fhirOk(path, 'CapabilityStatement');
      assert.equal(cs.fhirVersion, '4.0.1');
      assert.equal(cs.kind, 'instance');
      assert.deepEqual(cs.format, ['json']);
      assert.equal(cs.status, 'active');
      const rest = cs.rest[0];
      assert.equal(rest.mode, 'server');
      assert.match(rest.documentation, /strict/);
      const byType = Object.fromEntries(rest.resource.map((r) => [r.type, r]));
      const want = {
        Practitioner: ['name'], PractitionerRole: ['specialty', 'role', 'location', 'practitioner'],
        Location: ['near', 'name', 'address-city'], Schedule: ['actor'],
        Slot: ['schedule', 'start', 'status'], Appointment: ['date', 'practitioner', 'location', 'status'],
      };
      for (const [type, params] of Object.entries(want)) {
        assert.ok(byType[type], `${type} is in the statement`);
        assert.deepEqual(byType[type].interaction.map((i) => i.code).sort(), ['read', 'search-type']);
        for (const p of [...params, '_count'])
          assert.ok(byType[type].searchParam.some((s) => s.name === p), `${type} lists ${p}`);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------
describe('Practitioner', () => {
  test('read: name as HumanName, credentials as qualifications, languages as BCP 47', async () => {
    const p = await fhirOk(`/Practitioner/${A}`, 'Practitioner');
    assert.equal(p.id, A);
    assert.equal(p.active, true);
    assert.deepEqual(p.name, [{ use: 'official', text: `Rosa ${TAG} Delgado`, family: 'Delgado', given: ['Rosa', TAG] }]);
    assert.deepEqual(p.qualification.map((q) => q.code.text), ['LMT', 'CMTPT']);
    assert.deepEqual(p.communication.map((c) => c.coding[0]),
      [{ system: 'urn:ietf:bcp:47', code: 'en', display: 'English' },
        { system: 'urn:ietf:bcp:47', code: 'es', display: 'Spanish' }]);
  });

  test('search by name (any word, any case), paged by _count with next links that neither skip nor repeat', async () => {
    const first = await search('Practitioner', { name: TAG.toUpperCase(), _count: 1 });
    assert.equal(resources(first).length, 1);
    const next = first.link.find((l) => l.relation === 'next');
    assert.ok(next, 'a next link');
    assert.match(next.url, /^http:\/\/[^/]+\/fhir\/r4\/Practitioner\?/);
    assert.equal(first.link.find((l) => l.relation === 'self').url.startsWith('http'), true);
    const all = await allPages(`/Practitioner${qs({ name: TAG, _count: 1 })}`, 'Practitioner');
    assert.deepEqual(all.map((r) => r.id).sort(), [A, B].sort());
    assert.deepEqual(all.map((r) => r.name[0].text), [`Ben ${TAG} Marsh`, `Rosa ${TAG} Delgado`], 'by name');
    // one page holding everything says how many there are
    const whole = await search('Practitioner', { name: TAG });
    assert.equal(whole.total, 2);
    assert.equal(whole.link.some((l) => l.relation === 'next'), false);
    for (const e of whole.entry)
      assert.match(e.fullUrl, new RegExp(`^http://[^/]+/fhir/r4/Practitioner/${e.resource.id}$`));
    const none = await search('Practitioner', { name: `${TAG}zz` });
    assert.equal(none.total, 0);
    assert.equal(none.entry, undefined);
  });

  test('unknown and retired ids are 404 OperationOutcomes', async () => {
    assertOutcome(await fhir(`/Practitioner/${randomUUID()}`), 404, { code: 'not-found' });
    assertOutcome(await fhir('/Practitioner/not-one-of-ours'), 404, { code: 'not-found' });
  });
});

// ---------------------------------------------------------------------------------------
describe('PractitionerRole', () => {
  test('read: profession as code, techniques as specialty, location, hours, clinic telecom', async () => {
    const r = await fhirOk(`/PractitionerRole/${A}`, 'PractitionerRole');
    assert.equal(r.practitioner.reference, `Practitioner/${A}`);
    assert.equal(r.organization.display, `Test clinic ${P.label}`);
    const prof = sql(`SELECT slug FROM professions WHERE id = (SELECT profession_id FROM practitioners WHERE id = ${lit(A)})`)[0].slug;
    assert.deepEqual(r.code.map((c) => c.coding[0].system + '|' + c.coding[0].code), [`${CS_PROFESSION}|${prof}`]);
    assert.deepEqual(r.specialty.map((c) => c.coding[0].system + '|' + c.coding[0].code),
      [`${CS_TECHNIQUE}|myofascial-release`, `${CS_TECHNIQUE}|trigger-point-therapy`]);
    assert.deepEqual(r.location.map((l) => l.reference), [`Location/${P.locationId}`]);
    assert.deepEqual(r.availableTime, [
      { daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri'], availableStartTime: '09:00:00', availableEndTime: '12:00:00' },
      { daysOfWeek: ['sat'], availableStartTime: '10:00:00', availableEndTime: '14:00:00' },
    ]);
    assert.deepEqual(r.telecom, [{ system: 'phone', value: '+1 213 555 0142', use: 'work' },
      { system: 'url', value: 'https://fhir-test.clinicd.example', use: 'work' }]);
    assert.equal(r.availabilityExceptions, undefined);
    const b = await fhirOk(`/PractitionerRole/${B}`, 'PractitionerRole');
    assert.match(b.availabilityExceptions, /not accepting new patients/i);
    assert.equal(b.code[0].coding[0].code, 'massage-therapist');
  });

  test('search by specialty (code, system|code, alias; repeated = all of them), role, location, practitioner', async () => {
    const here = `Location/${P.locationId}`;
    assert.deepEqual(ids(await search('PractitionerRole', { specialty: 'myofascial-release', location: here })).sort(), [A, B].sort());
    assert.deepEqual(ids(await search('PractitionerRole', { specialty: `${CS_TECHNIQUE}|trigger-point-therapy`, location: here })), [A]);
    assert.deepEqual(ids(await search('PractitionerRole', { specialty: ['MFR', 'trigger-point-therapy'], location: here })), [A]);
    assert.deepEqual(ids(await search('PractitionerRole', { specialty: 'trigger-point-therapy,cupping', location: here })), [A]);
    assert.deepEqual(ids(await search('PractitionerRole', { role: 'massage-therapist', location: here })), [B]);
    assert.deepEqual(ids(await search('PractitionerRole', { role: `${CS_PROFESSION}|massage-therapist`, location: P.locationId })), [B]);
    assert.deepEqual(ids(await search('PractitionerRole', { practitioner: `Practitioner/${A}` })), [A]);
    assert.deepEqual(ids(await search('PractitionerRole', { location: `Location/${randomUUID()}` })), []);
    // another code system, or a code nobody has: a valid search that matches nothing
    assert.deepEqual(ids(await search('PractitionerRole', { specialty: 'http://snomed.info/sct|22253000', location: here })), []);
    const unknown = await search('PractitionerRole', { specialty: 'reiki-of-the-ancients' });
    assert.deepEqual(ids(unknown), []);
    const note = unknown.entry.find((e) => e.search.mode === 'outcome');
    assert.equal(note.resource.resourceType, 'OperationOutcome');
    assert.equal(note.resource.issue[0].severity, 'information');
  });
});

// ---------------------------------------------------------------------------------------
describe('Location', () => {
  test('read: address, position, clinic, wheelchair and time zone extensions, merged hours', async () => {
    const l = await fhirOk(`/Location/${P.locationId}`, 'Location');
    assert.equal(l.status, 'active');
    assert.equal(l.name, `Rooms ${P.label}`);
    assert.deepEqual(l.address, { use: 'work', type: 'physical', text: '1 Test Street, Los Angeles, CA 00000, US',
      line: ['1 Test Street'], city: 'Los Angeles', state: 'CA', postalCode: '00000', country: 'US' });
    assert.deepEqual(l.position, { longitude: -118.25, latitude: 34.05 });
    assert.equal(l.managingOrganization.display, `Test clinic ${P.label}`);
    assert.equal(ext(l, EXT_WHEELCHAIR).valueBoolean, true);
    assert.equal(ext(l, EXT_TIMEZONE).valueCode, TZ);
    // Rosa Mon-Fri 9-12 and Sat 10-14, Ben Mon 13-17 and Tue 8-10: merged per day
    assert.deepEqual(l.hoursOfOperation, [
      { daysOfWeek: ['mon', 'wed', 'thu', 'fri'], openingTime: '09:00:00', closingTime: '12:00:00' },
      { daysOfWeek: ['mon'], openingTime: '13:00:00', closingTime: '17:00:00' },
      { daysOfWeek: ['tue'], openingTime: '08:00:00', closingTime: '12:00:00' },
      { daysOfWeek: ['sat'], openingTime: '10:00:00', closingTime: '14:00:00' },
    ]);
  });

  test('near=lat|lon|distance|units: within the distance, nearest first, with the distance', async () => {
    const b = await search('Location', { near: '34.0505|-118.2505|2|km', _count: 100 });
    const entries = b.entry ?? [];
    assert.ok(entries.length >= 1);
    assert.equal(entries[0].resource.id, P.locationId, 'ours is the nearest');
    const km = entries.map((e) => ext(e.search, EXT_DISTANCE).valueDistance);
    for (const d of km) {
      assert.equal(d.code, 'km');
      assert.equal(d.system, 'http://unitsofmeasure.org');
      assert.ok(d.value <= 2, `${d.value} km is within 2 km`);
    }
    assert.deepEqual(km.map((d) => d.value), [...km.map((d) => d.value)].sort((x, y) => x - y));
    assert.ok(km[0].value < 0.1);
    // miles and metres; no distance: 25 km
    assert.ok(ids(await search('Location', { near: '34.0505|-118.2505|1|[mi_i]' })).includes(P.locationId));
    assert.ok(!ids(await search('Location', { near: '34.0505|-118.2505|10|m' })).includes(P.locationId));
    assert.ok(ids(await search('Location', { near: '34.06|-118.26' })).includes(P.locationId));
    // paging nearest-first: pages of 1 give the same order
    const paged = await allPages(`/Location${qs({ near: '34.0505|-118.2505|2|km', _count: 1 })}`, 'Location');
    assert.deepEqual(paged.map((r) => r.id), entries.map((e) => e.resource.id));
  });

  test('name and address-city', async () => {
    assert.deepEqual(ids(await search('Location', { name: P.label.split(' ')[1] })), [P.locationId]);
    assert.ok(ids(await search('Location', { 'address-city': 'los ang', name: 'Rooms' })).includes(P.locationId));
    assert.ok(!ids(await search('Location', { 'address-city': 'Portland', name: P.label.split(' ')[1] })).includes(P.locationId));
  });
});

// ---------------------------------------------------------------------------------------
describe('Schedule and Slot', () => {
  test('Schedule: one per practitioner, for the shortest service, searchable by actor', async () => {
    const s = await fhirOk(`/Schedule/${A}`, 'Schedule');
    assert.equal(s.active, true);
    assert.deepEqual(s.serviceType[0].coding[0], { system: CS_SERVICE, code: P.services.s45, display: `s45 ${P.label}` });
    assert.deepEqual(s.actor.map((a) => a.reference),
      [`Practitioner/${A}`, `PractitionerRole/${A}`, `Location/${P.locationId}`]);
    assert.deepEqual(ids(await search('Schedule', { actor: `Practitioner/${A}` })), [A]);
    assert.deepEqual(ids(await search('Schedule', { actor: `Location/${P.locationId}` })).sort(), [A, B].sort());
    assert.deepEqual(ids(await search('Schedule', { actor: `PractitionerRole/${B}` })), [B]);
    assertOutcome(await fhir(`/Schedule/${randomUUID()}`), 404, { code: 'not-found' });
  });

  test('fhir-kit-client searches Slot and pages to exactly the availability of the same week', async () => {
    const from = fmt(at(MON, '00:00', TZ), TZ);
    const to = fmt(at(addDays(MON, 7), '00:00', TZ), TZ);
    const want = await availability(A, { from, to });
    assert.ok(want.slots.length > 10, 'the week has slots');
    const client = new Client({ baseUrl: FHIR });
    let bundle = await client.search({ resourceType: 'Slot',
      searchParams: { schedule: `Schedule/${A}`, status: 'free', start: [`ge${from}`, `lt${to}`], _count: 7 } });
    const got = [];
    for (let pages = 0; bundle; pages++) {
      assert.ok(pages < 50);
      assertValid(bundle, 'Slot page');
      assert.equal(bundle.resourceType, 'Bundle');
      assert.equal(bundle.total, want.slots.length);
      got.push(...resources(bundle));
      bundle = await client.nextPage({ bundle });
    }
    assert.deepEqual(got.map((s) => s.start), starts(want));
    assert.deepEqual(got.map((s) => s.end), want.slots.map((s) => s.end));
    for (const s of got) {
      assert.equal(s.status, 'free');
      assert.equal(s.schedule.reference, `Schedule/${A}`);
      assert.equal(s.id, `${A}-${Date.parse(s.start) / 1000}`);
      assert.equal(ext(s, EXT_SLOT_LOCATION).valueReference.reference, `Location/${P.locationId}`);
      assert.equal(s.serviceType[0].coding[0].code, P.services.s45);
    }
    assert.equal(new Set(got.map((s) => s.id)).size, got.length, 'no slot twice');
    // the booked Tuesday slot is not offered
    assert.ok(!got.some((s) => s.start === booking.start));
  });

  test('start with dates (local to the practitioner), one day, eq, and a Slot read', async () => {
    const tue = addDays(MON, 1);
    const want = starts(await availability(A, { from: tue, to: tue }));
    const b = await search('Slot', { schedule: A, start: tue, _count: 100 });
    assert.deepEqual(resources(b).map((s) => s.start), want);
    const c = await search('Slot', { schedule: `Schedule/${A}`, start: [`ge${tue}`, `le${tue}`], status: 'free', _count: 100 });
    assert.deepEqual(resources(c).map((s) => s.start), want);
    const first = resources(b)[0];
    const read = await fhirOk(`/Slot/${first.id}`, 'Slot');
    assert.deepEqual(read, first);
    assertOutcome(await fhir(`/Slot/${A}-${Date.parse(booking.start) / 1000}`), 404, { code: 'not-found' });
    assertOutcome(await fhir(`/Slot/${A}-12`), 404);
    // no hours that day: an empty searchset
    const sun = addDays(MON, 6);
    const empty = await search('Slot', { schedule: `Schedule/${A}`, start: sun });
    assert.equal(empty.total, 0);
    // an offset's "+" sent unescaped (a space once decoded) is still read as "+"
    const plus = await fhirOk(`/Slot?schedule=${A}&start=ge${tue}T00:00:00+00:00&start=lt${addDays(tue, 1)}T12:00:00+00:00`, 'Bundle');
    assert.ok(plus.total >= 0);
    // a status of another code system matches nothing
    assert.equal((await search('Slot', { schedule: A, start: tue, status: 'http://example.org/status|free' })).total, 0);
    assert.ok((await search('Slot', { schedule: A, start: tue, status: 'http://hl7.org/fhir/slotstatus|free' })).total > 0);
    // an unknown schedule matches nothing
    assert.equal((await search('Slot', { schedule: `Schedule/${randomUUID()}` })).total, 0);
  });
});

// ---------------------------------------------------------------------------------------
describe('bad input: strict handling, OperationOutcome with the right status', () => {
  const sched = () => `Schedule/${A}`;
  const cases = [
    ['an unknown parameter', () => `/Practitioner?nmae=Rosa`, 400, 'not-supported', 'nmae'],
    ['an unknown parameter of another resource', () => `/Location?specialty=MFR`, 400, 'not-supported', 'specialty'],
    ['an unsupported modifier', () => `/Practitioner?name:exact=Rosa`, 400, 'not-supported', 'name:exact'],
    ['a parameter on a read', () => `/Practitioner/${A}?name=x`, 400, 'not-supported', 'name'],
    ['_count over 100', () => `/Practitioner?_count=101`, 400, undefined, '_count'],
    ['_count 0', () => `/Practitioner?_count=0`, 400, 'invalid', '_count'],
    ['_count not a number', () => `/Location?_count=ten`, 400, 'invalid', '_count'],
    ['_count twice', () => `/Location?_count=5&_count=6`, 400, 'invalid', '_count'],
    ['a cursor we did not make', () => `/Practitioner?_cursor=bm90LWEtY3Vyc29y`, 400, 'invalid', '_cursor'],
    ['a cursor of another search', () => `/Location?_cursor=${encodeURIComponent(Buffer.from(`1P\x1f${A}\x1fx`).toString('base64url'))}`, 400, 'invalid', '_cursor'],
    ['malformed near', () => `/Location?near=45.5,-122.6`, 400, 'invalid', 'near'],
    ['near with a bad unit', () => `/Location?near=45.5|-122.6|25|parsecs`, 400, 'invalid', 'near'],
    ['near out of range', () => `/Location?near=95|-122.6|25|km`, 400, 'invalid', 'near'],
    ['near too far', () => `/Location?near=45.5|-122.6|900|km`, 400, 'too-costly', 'near'],
    ['near twice', () => `/Location?near=45.5|-122.6&near=45.6|-122.6`, 400, 'invalid', 'near'],
    ['a reference to the wrong type', () => `/PractitionerRole?location=Practitioner/${A}`, 400, 'invalid', 'location'],
    ['a malformed reference', () => `/PractitionerRole?practitioner=Practitioner/a%20b`, 400, 'invalid', 'practitioner'],
    ['an empty value in a list', () => `/PractitionerRole?specialty=MFR,`, 400, 'invalid', 'specialty'],
    ['a bad date prefix', () => `/Slot?schedule=${sched()}&start=xx2026-12-01`, 400, 'invalid', 'start'],
    ['an unsupported date prefix', () => `/Slot?schedule=${sched()}&start=sa2026-12-01`, 400, 'not-supported', 'start'],
    ['an impossible date', () => `/Slot?schedule=${sched()}&start=ge2026-02-30`, 400, 'invalid', 'start'],
    ['a date with junk', () => `/Slot?schedule=${sched()}&start=ge2026-12-01T09`, 400, 'invalid', 'start'],
    ['a range over 62 days', () => `/Slot?schedule=${sched()}&start=ge2026-01-01&start=lt2026-06-01`, 400, 'too-costly', 'start'],
    ['Slot without schedule', () => `/Slot?status=free`, 400, 'required', 'schedule'],
    ['Slot with two schedules', () => `/Slot?schedule=${sched()},Schedule/${B}`, 400, 'not-supported', 'schedule'],
    ['Slot status other than free', () => `/Slot?schedule=${sched()}&status=busy`, 400, 'not-supported', 'status'],
    ['Slot status that is no status', () => `/Slot?schedule=${sched()}&status=open`, 400, 'invalid', 'status'],
    ['_pretty that is not a boolean', () => `/metadata?_pretty=yes`, 400, 'invalid', '_pretty'],
  ];
  for (const [name, path, status, code, mention] of cases)
    test(`${name}: ${status}`, async () => {
      assertOutcome(await fhir(path()), status, { code, mention });
    });

  test('every problem of a request is listed', async () => {
    const r = await fhir('/Location?near=x&_count=500&colour=blue');
    assertOutcome(r, 400);
    assert.equal(r.json.issue.length, 3, r.text);
  });

  test('_format other than JSON: 406', async () => {
    assertOutcome(await fhir('/metadata?_format=xml'), 406, { code: 'not-supported' });
  });

  test('unknown resource types are 404, writes 405 with Allow, in FHIR terms', async () => {
    assertOutcome(await fhir('/Patient?name=x'), 404, { code: 'not-supported', mention: 'Patient' });
    assertOutcome(await fhir(`/Practitioner/${A}/_history`), 404);
    const w = await fhir('/Practitioner', { method: 'POST', headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Practitioner' }) });
    assertOutcome(w, 405);
    assert.equal(w.headers.get('allow'), 'GET, HEAD');
    assertOutcome(await fhir(`/Practitioner/${A}`, { method: 'DELETE' }), 405);
  });

  test('Prefer: handling=lenient ignores unknown parameters and leaves them out of the self link', async () => {
    const r = await fhir(`/Practitioner${qs({ name: TAG, colour: 'blue', _count: 500 })}`,
      { headers: { prefer: 'handling=lenient' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(resources(r.json).length, 2);
    const self = r.json.link.find((l) => l.relation === 'self').url;
    assert.ok(!self.includes('colour'), self);
    assert.ok(self.includes(`name=${TAG}`), self);
  });
});

// ---------------------------------------------------------------------------------------
describe('Appointment: staff of the clinic only', () => {
  test('no credentials or a wrong token: 401 OperationOutcome with WWW-Authenticate', async () => {
    for (const headers of [{}, bearer('not-a-session')]) {
      const r = await fhir(`/Appointment/${booking.id}`, { headers });
      assertOutcome(r, 401, { code: 'login' });
      assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/);
      assertOutcome(await fhir(`/Appointment${qs({ practitioner: `Practitioner/${A}` })}`, { headers }), 401);
    }
  });

  test('another clinic\'s staff: 404, and its searches do not see the booking', async () => {
    assertOutcome(await fhir(`/Appointment/${booking.id}`, { headers: bearer(demoToken) }), 404, { code: 'not-found' });
    const b = await search('Appointment', { practitioner: `Practitioner/${A}` }, { headers: bearer(demoToken) });
    assert.equal(b.total, 0);
  });

  test('own clinic: 200, the patient only as a display name, audited as patient data', async () => {
    const r = await fhir(`/Appointment/${booking.id}`, { headers: bearer(ownToken) });
    assert.equal(r.status, 200, r.text);
    const a = r.json;
    assert.equal(a.resourceType, 'Appointment');
    assert.equal(a.status, 'booked');
    assert.equal(a.start, booking.start);
    assert.equal(a.end, booking.end);
    assert.equal(a.minutesDuration, 45);
    assert.equal(a.serviceType[0].coding[0].code, P.services.s45);
    assert.deepEqual(a.participant.map((p) => p.actor.reference ?? null),
      [null, `Practitioner/${A}`, `Location/${P.locationId}`]);
    assert.equal(a.participant[0].actor.display, booking.who.name);
    assert.deepEqual(Object.keys(a.participant[0].actor), ['display']);
    assert.ok(!r.text.includes(booking.who.email), 'no e-mail address');
    assert.ok(!r.text.includes(booking.who.phone), 'no phone number');
    const rows = sql(`SELECT action, resource_type, patient_data, outcome, clinic_id FROM audit_log
      WHERE resource_id = ${lit(booking.id)} AND action = 'fhir_read_appointment'`);
    assert.ok(rows.length >= 1, 'the read is in the audit log');
    assert.deepEqual(rows[0], { action: 'fhir_read_appointment', resource_type: 'booking', patient_data: true,
      outcome: 'success', clinic_id: P.clinicId });
  });

  test('search by date (prefixes), practitioner and status, audited with the ids read', async () => {
    const tue = addDays(MON, 1);
    const h = { headers: bearer(ownToken) };
    const by = async (params) => ids(await search('Appointment', params, h));
    assert.deepEqual(await by({ date: tue }), [booking.id]);
    assert.deepEqual(await by({ date: [`ge${tue}`, `lt${addDays(tue, 1)}`], practitioner: `Practitioner/${A}`, status: 'booked' }), [booking.id]);
    assert.deepEqual(await by({ date: `ge${fmt(Date.parse(booking.start) + HOUR, TZ)}` }), []);
    assert.deepEqual(await by({ date: `lt${booking.start}` }), []);
    assert.deepEqual(await by({ date: `le${booking.start}` }), [booking.id]);
    assert.deepEqual(await by({ practitioner: `Practitioner/${B}` }), []);
    assert.deepEqual(await by({ status: 'cancelled,noshow' }), []);
    assert.deepEqual(await by({ status: 'http://hl7.org/fhir/appointmentstatus|booked', location: `Location/${P.locationId}` }), [booking.id]);
    const audited = sql(`SELECT detail FROM audit_log WHERE action = 'fhir_search_appointments'
      AND clinic_id = ${lit(P.clinicId)} AND patient_data ORDER BY id DESC LIMIT 1`);
    assert.deepEqual(audited[0].detail.ids, [booking.id]);
    assertOutcome(await fhir(`/Appointment${qs({ date: 'tomorrow' })}`, h), 400, { code: 'invalid', mention: 'date' });
    assertOutcome(await fhir(`/Appointment${qs({ status: 'happening' })}`, h), 400, { code: 'invalid', mention: 'status' });
    assertOutcome(await fhir(`/Appointment${qs({ patient: 'Patient/1' })}`, h), 400, { code: 'not-supported', mention: 'patient' });
  });

  test('API keys need the patient_data scope', async () => {
    const make = async (scopes) => {
      const r = await request('POST', `/api/v1/clinics/${P.clinicId}/api-keys`,
        { body: { name: `fhir ${scopes.join(' ')} ${TAG}`, scopes }, headers: bearer(ownToken) });
      assert.equal(r.status, 201, r.text);
      return r.json.key;
    };
    const readOnly = await make(['read']);
    assertOutcome(await fhir(`/Appointment/${booking.id}`, { headers: bearer(readOnly) }), 403, { code: 'forbidden' });
    const withPatients = await make(['read', 'patient_data']);
    const a = await fhirOk(`/Appointment/${booking.id}`, 'Appointment', { headers: bearer(withPatients) });
    assert.equal(a.id, booking.id);
  });
});
