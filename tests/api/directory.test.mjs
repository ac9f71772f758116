// The directory's reference lists, place suggestions and the public practitioner
// profile, checked against the database (read as the schema owner).
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { get, qs, sql, sqlExec, lit, assertProblem, allKeys, PATIENT_KEYS, UUID_RE, sorted } from './lib.mjs';

const SLUG_RE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

// ---------------------------------------------------------------------------------------
// professions, techniques, conditions

const vocabularies = [
  { path: '/api/v1/professions', table: 'professions', aliases: null,
    mustHave: { slug: 'physical-therapist' } },
  { path: '/api/v1/techniques', table: 'techniques', aliases: 'technique_aliases',
    fk: 'technique_id', mustHave: { slug: 'myofascial-release', alias: 'MFR' } },
  { path: '/api/v1/conditions', table: 'conditions', aliases: 'condition_aliases',
    fk: 'condition_id', mustHave: { slug: 'fibromyalgia' } },
];

describe('vocabulary lists', () => {
  for (const v of vocabularies) {
    test(`GET ${v.path} is {items, next_cursor: null} with every row of ${v.table}`, async () => {
      const r = await get(v.path);
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type'), /^application\/json/);
      assert.deepEqual(Object.keys(r.json).sort(), ['items', 'next_cursor']);
      assert.equal(r.json.next_cursor, null);
      assert.ok(Array.isArray(r.json.items) && r.json.items.length > 0);
      for (const it of r.json.items) {
        assert.match(it.slug, SLUG_RE);
        assert.equal(typeof it.name, 'string');
        assert.ok(it.name.length > 0);
      }
      const slugs = r.json.items.map((i) => i.slug);
      assert.equal(new Set(slugs).size, slugs.length, 'slugs are unique');
      const truth = sql(`SELECT slug, name FROM ${v.table}`);
      assert.deepEqual(sorted(slugs), sorted(truth.map((t) => t.slug)));
      for (const t of truth)
        assert.equal(r.json.items.find((i) => i.slug === t.slug).name, t.name);
      assert.ok(slugs.includes(v.mustHave.slug), `${v.mustHave.slug} missing`);
    });
  }

  test('techniques carry their aliases: myofascial-release has MFR, as in the database', async () => {
    const r = await get('/api/v1/techniques');
    assert.equal(r.status, 200);
    const mfr = r.json.items.find((i) => i.slug === 'myofascial-release');
    assert.ok(mfr, 'myofascial-release listed');
    assert.ok(mfr.aliases.includes('MFR'), `aliases: ${JSON.stringify(mfr.aliases)}`);
    const truth = sql(`SELECT t.slug, a.alias::text AS alias FROM technique_aliases a
                       JOIN techniques t ON t.id = a.technique_id`);
    for (const it of r.json.items) {
      assert.ok(Array.isArray(it.aliases), `${it.slug} has an aliases list`);
      assert.deepEqual(sorted(it.aliases),
        sorted(truth.filter((t) => t.slug === it.slug).map((t) => t.alias)), it.slug);
    }
  });

  test('conditions include fibromyalgia', async () => {
    const r = await get('/api/v1/conditions');
    const fibro = r.json.items.find((i) => i.slug === 'fibromyalgia');
    assert.ok(fibro);
    assert.equal(fibro.name, 'Fibromyalgia');
  });
});

// ---------------------------------------------------------------------------------------
// places

const fold = (s) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

describe('GET /api/v1/places', () => {
  test('q=portl suggests Portland, OR first: the most populous place starting so', async () => {
    const r = await get('/api/v1/places?q=portl');
    assert.equal(r.status, 200);
    assert.equal(r.json.next_cursor, null);
    const items = r.json.items;
    assert.ok(items.length > 1 && items.length <= 10, `default limit 10, got ${items.length}`);
    assert.equal(items[0].name, 'Portland');
    assert.equal(items[0].region, 'OR');
    assert.equal(items[0].country, 'US');
    const [top] = sql(`SELECT name, region_code, lat, lon FROM places
      WHERE kind = 'city' AND f_fold(ascii_name) LIKE 'portl%'
      ORDER BY population DESC NULLS LAST LIMIT 1`);
    assert.equal(top.region_code, 'OR');
    assert.ok(Math.abs(items[0].lat - top.lat) < 1e-4 && Math.abs(items[0].lon - top.lon) < 1e-4);
    for (const it of items) {
      assert.ok(fold(it.name).startsWith('portl'), `${it.name} does not start with portl`);
      for (const k of ['name', 'country']) assert.equal(typeof it[k], 'string');
      assert.equal(typeof it.lat, 'number');
      assert.equal(typeof it.lon, 'number');
    }
    // Portland, ME (second by population among Portlands) is suggested too
    assert.ok(items.some((i) => i.name === 'Portland' && i.region === 'ME'));
  });

  const qualified = [
    { q: 'Portland, ME', region: 'ME', country: 'US', lat: 43.66, lon: -70.26 },
    { q: 'Portland, Maine', region: 'ME', country: 'US', lat: 43.66, lon: -70.26 },
    { q: 'portland, or, us', region: 'OR', country: 'US', lat: 45.52, lon: -122.68 },
    { q: 'Berlin, Germany', country: 'DE', lat: 52.52, lon: 13.40 },
    { q: 'Zürich', country: 'CH', lat: 47.37, lon: 8.55 },
    { q: 'zurich', country: 'CH', lat: 47.37, lon: 8.55, why: 'without the accent' },
    { q: 'Toronto, ON', region: 'ON', country: 'CA', lat: 43.70, lon: -79.42, why: 'province abbreviation' },
    { q: 'Sydney, NSW', region: 'NSW', country: 'AU', lat: -33.87, lon: 151.21, why: 'state abbreviation' },
  ];
  for (const c of qualified) {
    test(`q=${c.q} gives ${c.region ?? c.country} first and only matching places${c.why ? ` (${c.why})` : ''}`, async () => {
      const r = await get(`/api/v1/places${qs({ q: c.q })}`);
      assert.equal(r.status, 200);
      assert.ok(r.json.items.length >= 1);
      const first = r.json.items[0];
      assert.equal(first.country, c.country);
      if (c.region) assert.equal(first.region, c.region);
      assert.ok(Math.abs(first.lat - c.lat) < 0.05 && Math.abs(first.lon - c.lon) < 0.05,
        `${first.lat},${first.lon}`);
      for (const it of r.json.items) {
        assert.equal(it.country, c.country);
        if (c.region) assert.equal(it.region, c.region);
      }
    });
  }

  test('q=972 gives the ZIP codes starting with 972, as many as the gazetteer has', async () => {
    const r = await get('/api/v1/places?q=972');
    assert.equal(r.status, 200);
    assert.equal(r.json.items.length, 10, 'default limit');
    const all = await get('/api/v1/places?q=972&limit=100');
    const [{ n }] = sql(`SELECT count(*)::int AS n FROM places WHERE postcode LIKE '972%'`);
    assert.ok(n > 10 && n <= 100, `precondition: ${n} ZIP codes 972xx`);
    assert.equal(all.json.items.length, n);
    for (const it of all.json.items) {
      assert.match(it.postcode, /^972\d\d$/);
      assert.equal(it.country, 'US');
      assert.equal(it.region, 'OR');
    }
    assert.deepEqual(r.json.items.map((i) => i.postcode), all.json.items.slice(0, 10).map((i) => i.postcode));
  });

  test('labels show US, Canadian and Australian regions by their postal abbreviation', async () => {
    for (const [q, label] of [['Portland', 'Portland, OR, United States'], ['Toronto', 'Toronto, ON, Canada'],
      ['Sydney', 'Sydney, NSW, Australia']]) {
      const r = await get(`/api/v1/places${qs({ q, limit: 1 })}`);
      assert.equal(r.status, 200);
      assert.equal(r.json.items[0].label, label);
    }
  });

  test('q=97201 gives that ZIP code in Portland, OR', async () => {
    const r = await get('/api/v1/places?q=97201');
    assert.equal(r.status, 200);
    assert.equal(r.json.items.length, 1);
    assert.equal(r.json.items[0].postcode, '97201');
    assert.equal(r.json.items[0].name, 'Portland');
  });

  test('an unknown name is an empty list, not an error', async () => {
    const r = await get('/api/v1/places?q=Xqzvwkj');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { items: [], next_cursor: null });
  });

  const bad = [
    { query: '', status: 422, field: 'q', why: 'missing q' },
    { query: '?q=', status: 422, field: 'q', why: 'empty q' },
    { query: '?limit=5', status: 422, field: 'q', why: 'q missing, limit given' },
    { query: '?q=Portland&limit=0', status: 422, field: 'limit', why: 'limit below 1' },
    { query: '?q=Portland&limit=101', status: 422, field: 'limit', why: 'limit above 100' },
    { query: '?q=Portland&limit=abc', status: 400, field: 'limit', why: 'limit not a number' },
    { query: '?q=Portland&limit=2.5', status: 400, field: 'limit', why: 'limit not whole' },
    { query: '?q=Portland&q=Berlin', status: 400, field: 'q', why: 'q given twice' },
  ];
  for (const c of bad) {
    test(`places: ${c.why} is ${c.status} naming ${c.field}`, async () => {
      assertProblem(await get(`/api/v1/places${c.query}`), c.status, c.field);
    });
  }

  const limits = [
    { q: 'a', limit: 1 },
    { q: 'a', limit: 37 },
    { q: 'a', limit: 100 },
  ];
  for (const c of limits) {
    test(`places: limit=${c.limit} returns exactly ${c.limit} when there are more`, async () => {
      const r = await get(`/api/v1/places${qs(c)}`);
      assert.equal(r.status, 200);
      assert.equal(r.json.items.length, c.limit);
      for (const it of r.json.items) assert.ok(fold(it.name).startsWith('a'), it.name);
    });
  }
});

// ---------------------------------------------------------------------------------------
// profile

describe('GET /api/v1/practitioners/{id}', () => {
  let subject; // a practitioner with several locations, conditions and services

  before(() => {
    [subject] = sql(`SELECT p.id FROM practitioners p
      WHERE p.active
        AND (SELECT count(*) FROM practitioner_locations x WHERE x.practitioner_id = p.id) > 1
        AND (SELECT count(*) FROM practitioner_services x WHERE x.practitioner_id = p.id) > 1
        AND EXISTS (SELECT 1 FROM practitioner_conditions x WHERE x.practitioner_id = p.id)
      ORDER BY p.id LIMIT 1`);
    assert.ok(subject, 'precondition: the demo data has such a practitioner');
  });

  test('the profile has the search fields plus bio, credentials, languages, conditions, services, locations', async () => {
    const r = await get(`/api/v1/practitioners/${subject.id}`);
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    const p = r.json;
    const [t] = sql(`SELECT p.id, p.name, p.bio, p.credentials, p.languages, p.accepting_new,
        p.home_visits, c.id AS clinic_id, c.name AS clinic_name, pr.slug AS profession
      FROM practitioners p JOIN clinics c ON c.id = p.clinic_id
      JOIN professions pr ON pr.id = p.profession_id WHERE p.id = ${lit(subject.id)}`);
    assert.equal(p.id, t.id);
    assert.equal(p.name, t.name);
    assert.equal(p.bio, t.bio);
    assert.ok(p.bio.length > 0);
    assert.equal(p.credentials, t.credentials);
    assert.deepEqual(sorted(p.languages), sorted(t.languages));
    assert.equal(p.profession.slug, t.profession);
    assert.equal(typeof p.profession.name, 'string');
    assert.deepEqual(p.clinic, { id: t.clinic_id, name: t.clinic_name });
    assert.equal(p.accepting_new, t.accepting_new);
    assert.equal(p.home_visits, t.home_visits);
    // the next free time, as the availability endpoint would offer it first
    assert.ok('next_available' in p);
    if (p.next_available !== null) {
      const a = await get(`/api/v1/practitioners/${subject.id}/availability`);
      assert.equal(a.status, 200);
      if (a.json.slots.length > 0)
        assert.equal(Date.parse(p.next_available), Date.parse(a.json.slots[0].start),
          'next_available is the first offered slot');
      else
        assert.ok(Date.parse(p.next_available) > Date.now() + 13 * 86400e3,
          'nothing in the next two weeks, so the next free time is later');
    }

    const techniques = sql(`SELECT t.slug FROM practitioner_techniques x
      JOIN techniques t ON t.id = x.technique_id WHERE x.practitioner_id = ${lit(subject.id)}`);
    assert.deepEqual(sorted(p.techniques), sorted(techniques.map((x) => x.slug)));

    const conditions = sql(`SELECT k.slug, k.name FROM practitioner_conditions x
      JOIN conditions k ON k.id = x.condition_id WHERE x.practitioner_id = ${lit(subject.id)}`);
    assert.ok(Array.isArray(p.conditions) && p.conditions.length > 0);
    for (const c of p.conditions) {
      assert.equal(typeof c.slug, 'string');
      assert.equal(typeof c.name, 'string');
    }
    assert.deepEqual(sorted(p.conditions.map((c) => c.slug)), sorted(conditions.map((c) => c.slug)));

    const services = sql(`SELECT s.id, s.name, s.duration_minutes, s.price_cents, s.currency
      FROM practitioner_services x JOIN services s ON s.id = x.service_id
      WHERE x.practitioner_id = ${lit(subject.id)} AND s.active`);
    assert.equal(p.services.length, services.length);
    for (const s of p.services) {
      assert.deepEqual(Object.keys(s).sort(), ['currency', 'duration_minutes', 'id', 'name', 'price']);
      assert.match(s.id, UUID_RE);
      const want = services.find((x) => x.id === s.id);
      assert.ok(want, `service ${s.id} is not the practitioner's active service`);
      assert.equal(s.name, want.name);
      assert.equal(s.duration_minutes, want.duration_minutes);
      assert.equal(typeof s.price, 'number');
      assert.equal(Math.round(s.price * 100), want.price_cents);
      assert.match(s.currency, /^[A-Z]{3}$/);
      assert.equal(s.currency, want.currency);
    }
    assert.equal(p.price_from, Math.min(...services.map((s) => s.price_cents)) / 100);

    const locations = sql(`SELECT l.id, l.address, l.city, l.timezone,
        ST_Y(l.geog::geometry) AS lat, ST_X(l.geog::geometry) AS lon
      FROM practitioner_locations x JOIN locations l ON l.id = x.location_id
      WHERE x.practitioner_id = ${lit(subject.id)} AND l.active`);
    assert.ok(locations.length > 1);
    assert.equal(p.locations.length, locations.length);
    for (const l of p.locations) {
      const want = locations.find((x) => x.id === l.id);
      assert.ok(want, `location ${l.id} is not the practitioner's`);
      assert.equal(l.address, want.address);
      assert.equal(l.city, want.city);
      assert.equal(l.timezone, want.timezone);
      assert.ok(Math.abs(l.lat - want.lat) < 1e-5 && Math.abs(l.lon - want.lon) < 1e-5);
    }
    assert.equal(typeof p.location.address, 'string');
    assert.ok(!('distance_km' in p) || p.distance_km === null, 'no distance without near');

    const keys = allKeys(p);
    for (const k of PATIENT_KEYS) assert.ok(!keys.has(k), `profile exposes ${k}`);
  });

  test('the profile kept in memory: a change shows in the next read; ids only in their canonical form', async () => {
    const first = await get(`/api/v1/practitioners/${subject.id}`);
    assert.equal(first.status, 200, first.text);
    assertProblem(await get(`/api/v1/practitioners/${subject.id.toUpperCase()}`), 404);
    const [{ bio }] = sql(`SELECT bio FROM practitioners WHERE id = ${lit(subject.id)}`);
    const marked = `${bio ?? ''} (profile cache check ${Date.now()})`;
    sqlExec(`UPDATE practitioners SET bio = ${lit(marked)} WHERE id = ${lit(subject.id)}`);
    try {
      const after = await get(`/api/v1/practitioners/${subject.id}`);
      assert.equal(after.json.bio, marked, 'the read after the change shows it');
    } finally {
      sqlExec(`UPDATE practitioners SET bio = ${lit(bio)} WHERE id = ${lit(subject.id)}`);
    }
    const back = await get(`/api/v1/practitioners/${subject.id}`);
    assert.equal(back.json.bio, bio);
    // an unknown id is not remembered as found, nor a known one as missing
    for (let i = 0; i < 2; i++) {
      assertProblem(await get('/api/v1/practitioners/00000000-0000-4000-8000-000000000000'), 404);
      assert.equal((await get(`/api/v1/practitioners/${subject.id}`)).status, 200);
    }
  });

  const missing = [
    { id: '00000000-0000-4000-8000-000000000000', why: 'an unknown uuid' },
    { id: 'not-a-uuid', why: 'a non-uuid' },
    { id: '12345', why: 'a number' },
    { id: '0232c48a-9599-40f2-9853-302a6be4a58', why: 'a uuid one digit short' },
    { id: "x'%20OR%20'1'='1", why: 'an injection attempt' },
  ];
  for (const c of missing) {
    test(`${c.why} is a 404 problem`, async () => {
      assertProblem(await get(`/api/v1/practitioners/${c.id}`), 404);
    });
  }
});
