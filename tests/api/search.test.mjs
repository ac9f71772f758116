// Practitioner search: every answer is compared with what SQL says the demo directory
// holds (read as the schema owner), then pagination and bad input.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  get, qs, sql, sqlExec, lit, search, walkPages, assertProblem, allKeys, PATIENT_KEYS, UUID_RE,
  sorted,
} from './lib.mjs';

const PRACTITIONERS = '/api/v1/practitioners';

// ---------------------------------------------------------------------------------------
// Ground truth

/** Coordinates of a gazetteer place, as a reader of the data would pick it. */
function placeCoords(where) {
  const [p] = sql(`SELECT lat, lon FROM places WHERE ${where}
                   ORDER BY population DESC NULLS LAST, id LIMIT 1`);
  assert.ok(p, `no place where ${where}`);
  return p;
}

/**
 * Practitioners matching a search, written independently of the service's query:
 * active, with an active location (accessible when asked) within radius_km of the
 * point (ST_DWithin on the spheroid), and every filter.  Returns [{id, name, km}] in
 * (name, id) order; km is the distance to the nearest such location.
 */
function expected(f) {
  const near = f.lat !== undefined;
  const pt = near ? `ST_SetSRID(ST_MakePoint(${Number(f.lon)}, ${Number(f.lat)}), 4326)::geography` : null;
  const where = ['p.active', 'l.active'];
  if (f.wheelchair !== undefined) where.push(`l.wheelchair_accessible = ${lit(f.wheelchair)}`);
  if (near) where.push(`ST_DWithin(l.geog, ${pt}, ${Number(f.radius_km ?? 25) * 1000})`);
  for (const slug of f.techniques ?? [])
    where.push(`EXISTS (SELECT 1 FROM practitioner_techniques x JOIN techniques t
      ON t.id = x.technique_id WHERE x.practitioner_id = p.id AND t.slug = ${lit(slug)})`);
  if (f.profession)
    where.push(`(SELECT slug FROM professions WHERE id = p.profession_id) = ${lit(f.profession)}`);
  if (f.condition)
    where.push(`EXISTS (SELECT 1 FROM practitioner_conditions x JOIN conditions k
      ON k.id = x.condition_id WHERE x.practitioner_id = p.id AND k.slug = ${lit(f.condition)})`);
  if (f.language) where.push(`${lit(f.language)} = ANY (p.languages)`);
  for (const k of ['accepting_new', 'home_visits', 'sliding_scale'])
    if (f[k] !== undefined) where.push(`p.${k} = ${lit(f[k])}`);
  if (f.max_price !== undefined || f.session_minutes !== undefined)
    where.push(`EXISTS (SELECT 1 FROM practitioner_services x JOIN services s ON s.id = x.service_id
      WHERE x.practitioner_id = p.id AND s.active
      ${f.max_price !== undefined ? `AND s.price_cents <= ${Math.round(f.max_price * 100)}` : ''}
      ${f.session_minutes !== undefined ? `AND s.duration_minutes = ${Number(f.session_minutes)}` : ''})`);
  return sql(`SELECT p.id, p.name, ${near ? `min(ST_Distance(l.geog, ${pt})) / 1000.0` : 'NULL::float8'} AS km
    FROM practitioners p JOIN practitioner_locations pl ON pl.practitioner_id = p.id
    JOIN locations l ON l.id = pl.location_id
    WHERE ${where.join(' AND ')}
    GROUP BY p.id, p.name ORDER BY p.name, p.id`);
}

/** Asserts no active location of the directory lies within 1 % of radius_km of the
 * point, so that sphere against spheroid cannot decide membership. */
function assertClearBoundary(lat, lon, radiusKm) {
  const [{ n }] = sql(`SELECT count(*)::int AS n FROM locations l WHERE l.active
    AND abs(ST_Distance(l.geog, ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326)::geography) / 1000.0
            - ${radiusKm}) < ${radiusKm * 0.01}`);
  assert.equal(n, 0, `precondition: a location lies on the ${radiusKm} km boundary; pick another radius`);
}

const ids = (items) => items.map((i) => i.id);

/** Checks the fields api.md promises for a search item. */
function assertItem(it, { near }) {
  assert.match(it.id, UUID_RE);
  assert.equal(typeof it.name, 'string');
  assert.equal(typeof it.profession?.slug, 'string');
  assert.equal(typeof it.profession?.name, 'string');
  assert.ok(Array.isArray(it.techniques) && it.techniques.every((t) => typeof t === 'string'));
  assert.match(it.clinic?.id, UUID_RE);
  assert.equal(typeof it.clinic?.name, 'string');
  for (const k of ['address', 'city', 'timezone']) assert.equal(typeof it.location?.[k], 'string', `location.${k}`);
  assert.ok(it.location.timezone.includes('/') || it.location.timezone === 'UTC', it.location.timezone);
  assert.ok(it.location.lat >= -90 && it.location.lat <= 90);
  assert.ok(it.location.lon >= -180 && it.location.lon <= 180);
  if (near) {
    assert.equal(typeof it.distance_km, 'number', 'distance_km with near');
    assert.ok(it.distance_km >= 0);
  } else {
    assert.ok(it.distance_km === null || it.distance_km === undefined, 'no distance without near');
  }
  assert.ok(it.price_from === null || typeof it.price_from === 'number');
  assert.ok(it.currency === null || /^[A-Z]{3}$/.test(it.currency));
  assert.equal(typeof it.accepting_new, 'boolean');
  assert.equal(typeof it.home_visits, 'boolean');
  assert.ok('next_available' in it, 'next_available is present');
  // an RFC 3339 instant in the future, or null when nothing is free within 62 days
  if (it.next_available !== null) {
    assert.match(it.next_available, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)$/);
    assert.ok(Date.parse(it.next_available) > Date.now(), 'next_available is ahead');
  }
  const keys = allKeys(it);
  for (const k of PATIENT_KEYS) assert.ok(!keys.has(k), `search item exposes ${k}`);
}

let PDX; // Portland, OR as the gazetteer has it

before(() => {
  PDX = placeCoords(`kind = 'city' AND fold_name = 'portland' AND region_code = 'OR'`);
});

// ---------------------------------------------------------------------------------------

describe('near=Portland, OR&technique=MFR', () => {
  let page;
  let truth;
  before(async () => {
    page = await search({ near: 'Portland, OR', technique: 'MFR', limit: 100 });
    truth = expected({ ...PDX, techniques: ['myofascial-release'] });
  });

  test('the set is what SQL finds: MFR practitioners with an active location within 25 km', () => {
    assert.ok(truth.length >= 20, `precondition: ${truth.length} MFR practitioners in Portland`);
    assertClearBoundary(PDX.lat, PDX.lon, 25);
    assert.deepEqual(sorted(ids(page.items)), sorted(ids(truth)));
    assert.equal(page.next_cursor, null);
  });

  test('every item offers myofascial-release and has the fields of api.md', () => {
    for (const it of page.items) {
      assert.ok(it.techniques.includes('myofascial-release'), `${it.name}: ${it.techniques}`);
      assertItem(it, { near: true });
    }
  });

  test('item fields agree with the database', () => {
    const rows = sql(`SELECT p.id, p.name, p.accepting_new, p.home_visits, pr.slug AS profession,
        c.id AS clinic_id, c.name AS clinic_name,
        (SELECT array_agg(t.slug) FROM practitioner_techniques x JOIN techniques t ON t.id = x.technique_id
          WHERE x.practitioner_id = p.id) AS techniques,
        (SELECT min(s.price_cents) FROM practitioner_services x JOIN services s ON s.id = x.service_id
          WHERE x.practitioner_id = p.id AND s.active) AS min_cents,
        (SELECT array_agg(DISTINCT s.currency) FROM practitioner_services x JOIN services s ON s.id = x.service_id
          WHERE x.practitioner_id = p.id AND s.active) AS currencies,
        (SELECT array_agg(pl.location_id) FROM practitioner_locations pl WHERE pl.practitioner_id = p.id) AS locations
      FROM practitioners p JOIN professions pr ON pr.id = p.profession_id JOIN clinics c ON c.id = p.clinic_id
      WHERE p.id IN (${page.items.map((i) => lit(i.id)).join(', ')})`);
    assert.equal(rows.length, page.items.length);
    for (const it of page.items) {
      const t = rows.find((r) => r.id === it.id);
      assert.equal(it.name, t.name);
      assert.equal(it.profession.slug, t.profession);
      assert.deepEqual(it.clinic, { id: t.clinic_id, name: t.clinic_name });
      assert.deepEqual(sorted(it.techniques), sorted(t.techniques));
      assert.equal(it.accepting_new, t.accepting_new);
      assert.equal(it.home_visits, t.home_visits);
      assert.equal(it.price_from, t.min_cents / 100, `${it.name}: price_from`);
      assert.ok(t.currencies.includes(it.currency), `${it.name}: currency ${it.currency}`);
      assert.ok(t.locations.includes(it.location.id), `${it.name} shown at another's location`);
    }
  });

  test('nearest first, all within 25 km, distance_km to the nearest location', () => {
    const d = page.items.map((i) => i.distance_km);
    for (let i = 1; i < d.length; i++) assert.ok(d[i - 1] <= d[i], `not nearest first at ${i}: ${d}`);
    assert.ok(d.every((x) => x <= 25), `beyond 25 km: ${d}`);
    for (const it of page.items) {
      const want = truth.find((t) => t.id === it.id).km;
      assert.ok(Math.abs(it.distance_km - want) <= 0.011 + want * 0.005,
        `${it.name}: distance_km ${it.distance_km}, nearest location is ${want.toFixed(3)} km`);
    }
  });

  test('the item location is the nearest one (its distance matches distance_km)', () => {
    const locs = sql(`SELECT l.id, ST_Distance(l.geog, ST_SetSRID(ST_MakePoint(${PDX.lon}, ${PDX.lat}), 4326)::geography) / 1000.0 AS km
      FROM locations l WHERE l.id IN (${page.items.map((i) => lit(i.location.id)).join(', ')})`);
    for (const it of page.items) {
      const { km } = locs.find((l) => l.id === it.location.id);
      assert.ok(Math.abs(km - it.distance_km) <= 0.011 + km * 0.005, `${it.name}: location at ${km} km`);
    }
  });
});

// ---------------------------------------------------------------------------------------

describe('near: place names, coordinates and ZIP codes', () => {
  const cases = [
    { near: 'Portland, OR', where: `kind = 'city' AND fold_name = 'portland' AND region_code = 'OR'` },
    { near: 'portland, oregon, us', where: `kind = 'city' AND fold_name = 'portland' AND region_code = 'OR'` },
    { near: 'Portland', where: `kind = 'city' AND fold_name = 'portland'`, why: 'ambiguous: most populous' },
    { near: '45.5152,-122.6784', coords: { lat: 45.5152, lon: -122.6784 } },
    { near: '45.5152, -122.6784', coords: { lat: 45.5152, lon: -122.6784 } },
    { near: '97201', where: `postcode = '97201'` },
    { near: '97201-1234', where: `postcode = '97201'`, why: 'ZIP+4' },
    { near: '97214', where: `postcode = '97214'` },
    { near: 'Berlin, Germany', where: `kind = 'city' AND fold_name = 'berlin' AND country_code = 'DE'`, technique: null },
    { near: 'London', where: `kind = 'city' AND fold_name = 'london' AND country_code = 'GB'`, technique: null },
    { near: 'Sydney', where: `kind = 'city' AND fold_name = 'sydney' AND country_code = 'AU'`, technique: null },
    { near: '-33.87,151.21', coords: { lat: -33.87, lon: 151.21 }, technique: null },
    { near: 'Toronto, ON', where: `kind = 'city' AND fold_name = 'toronto' AND country_code = 'CA'`, technique: null,
      why: 'Canadian province abbreviation' },
    { near: 'Sydney, NSW', where: `kind = 'city' AND fold_name = 'sydney' AND country_code = 'AU'`, technique: null,
      why: 'Australian state abbreviation' },
  ];
  for (const c of cases) {
    const technique = c.technique === null ? undefined : 'MFR';
    test(`near=${c.near}${technique ? '&technique=MFR' : ''}${c.why ? ` (${c.why})` : ''} equals SQL`, async () => {
      const at = c.coords ?? placeCoords(c.where);
      const truth = expected({ ...at, techniques: technique ? ['myofascial-release'] : [] });
      assert.ok(truth.length > 0, 'precondition: someone practises there');
      const page = await search({ near: c.near, technique, limit: 100 });
      assert.deepEqual(sorted(ids(page.items)), sorted(ids(truth)));
      const d = page.items.map((i) => i.distance_km);
      for (let i = 1; i < d.length; i++) assert.ok(d[i - 1] <= d[i], 'nearest first');
    });
  }
});

// ---------------------------------------------------------------------------------------

describe('filters narrow the Portland search exactly as SQL says', () => {
  let base;
  before(() => {
    base = expected({ ...PDX });
    assert.ok(base.length > 20 && base.length <= 100, `precondition: ${base.length} in Portland`);
  });

  test('no filter: everyone within 25 km of Portland, OR', async () => {
    const page = await search({ near: 'Portland, OR', limit: 100 });
    assert.deepEqual(sorted(ids(page.items)), sorted(ids(base)));
  });

  const cases = [
    { params: { profession: 'massage-therapist' }, f: { profession: 'massage-therapist' } },
    { params: { profession: 'Chiropractor' }, f: { profession: 'chiropractor' }, why: 'by name' },
    { params: { profession: 'PHYSICAL-THERAPIST' }, f: { profession: 'physical-therapist' }, why: 'any case' },
    { params: { condition: 'fibromyalgia' }, f: { condition: 'fibromyalgia' } },
    { params: { condition: 'fibro' }, f: { condition: 'fibromyalgia' }, why: 'alias' },
    { params: { condition: 'Fibro' }, f: { condition: 'fibromyalgia' }, why: 'alias, other case' },
    { params: { condition: 'CFS' }, f: { condition: 'chronic-fatigue-syndrome' }, why: 'alias' },
    { params: { condition: 'Chronic fatigue syndrome / ME' }, f: { condition: 'chronic-fatigue-syndrome' }, why: 'by name' },
    { params: { technique: 'mfr' }, f: { techniques: ['myofascial-release'] }, why: 'alias, lower case' },
    { params: { technique: 'Myofascial release' }, f: { techniques: ['myofascial-release'] }, why: 'by name' },
    { params: { technique: 'cupping' }, f: { techniques: ['cupping'] } },
    { params: { technique: ['MFR', 'cupping'] }, f: { techniques: ['myofascial-release', 'cupping'] },
      why: 'repeated: all of them' },
    { params: { technique: ['MFR', 'myofascial-release'] }, f: { techniques: ['myofascial-release'] },
      why: 'the same technique twice (alias and slug)' },
    { params: { technique: ['cupping', 'cupping'] }, f: { techniques: ['cupping'] },
      why: 'the same technique twice, verbatim' },
    { params: { language: 'es' }, f: { language: 'es' } },
    { params: { accepting_new: 'true' }, f: { accepting_new: true } },
    { params: { accepting_new: 'false' }, f: { accepting_new: false } },
    { params: { home_visits: 'true' }, f: { home_visits: true } },
    { params: { wheelchair_accessible: 'true' }, f: { wheelchair: true }, why: "the location's" },
    { params: { sliding_scale: 'true' }, f: { sliding_scale: true } },
    { params: { max_price: '65' }, f: { max_price: 65 } },
    { params: { max_price: '100.5' }, f: { max_price: 100.5 } },
    { params: { session_minutes: '45' }, f: { session_minutes: 45 } },
    { params: { session_minutes: '60', max_price: '105' }, f: { session_minutes: 60, max_price: 105 },
      why: 'one service meets both' },
    { params: { technique: 'MFR', condition: 'fibro', accepting_new: 'true' },
      f: { techniques: ['myofascial-release'], condition: 'fibromyalgia', accepting_new: true },
      why: 'combined' },
  ];
  for (const c of cases) {
    test(`${qs(c.params)}${c.why ? ` (${c.why})` : ''}`, async () => {
      const truth = expected({ ...PDX, ...c.f });
      assert.ok(truth.length > 0 && truth.length < base.length,
        `precondition: the filter must narrow (${truth.length} of ${base.length})`);
      const page = await search({ near: 'Portland, OR', limit: 100, ...c.params });
      assert.deepEqual(sorted(ids(page.items)), sorted(ids(truth)));
      const d = page.items.map((i) => i.distance_km);
      for (let i = 1; i < d.length; i++) assert.ok(d[i - 1] <= d[i], 'nearest first');
      for (const it of page.items) {
        if (c.f.accepting_new !== undefined) assert.equal(it.accepting_new, c.f.accepting_new);
        if (c.f.home_visits !== undefined) assert.equal(it.home_visits, c.f.home_visits);
        if (c.f.max_price !== undefined) assert.ok(it.price_from <= c.f.max_price, `${it.name} from ${it.price_from}`);
        if (c.f.wheelchair) assert.equal(it.location.wheelchair_accessible, true,
          `${it.name} is shown at an inaccessible location`);
        for (const t of c.f.techniques ?? []) assert.ok(it.techniques.includes(t), `${it.name} lacks ${t}`);
        if (c.f.profession) assert.equal(it.profession.slug, c.f.profession);
      }
    });
  }

  test('session_minutes with max_price needs one service meeting both, not two', () => {
    // the data must tell the two readings apart for the case above to mean anything
    const both = expected({ ...PDX, session_minutes: 60, max_price: 105 });
    const cheap = ids(expected({ ...PDX, max_price: 105 }));
    const separately = expected({ ...PDX, session_minutes: 60 }).filter((p) => cheap.includes(p.id));
    assert.ok(separately.length > both.length, `${separately.length} vs ${both.length}`);
  });

  test('wheelchair_accessible=true measures to the nearest accessible location', async () => {
    const truth = expected({ ...PDX, wheelchair: true });
    const page = await search({ near: 'Portland, OR', wheelchair_accessible: 'true', limit: 100 });
    for (const it of page.items) {
      const want = truth.find((t) => t.id === it.id);
      assert.ok(want, it.name);
      assert.ok(Math.abs(it.distance_km - want.km) <= 0.011 + want.km * 0.005,
        `${it.name}: ${it.distance_km} km, nearest accessible location at ${want.km.toFixed(3)} km`);
    }
  });

  test('three techniques (alias, name and slug): practitioners offering all three', async () => {
    // three techniques of a Portland MFR practitioner who has several
    const [p] = sql(`SELECT p.id, array_agg(t.slug ORDER BY t.sort_order) AS slugs,
        array_agg(t.name ORDER BY t.sort_order) AS names
      FROM practitioners p JOIN practitioner_techniques x ON x.practitioner_id = p.id
      JOIN techniques t ON t.id = x.technique_id
      WHERE p.id IN (${ids(expected({ ...PDX, techniques: ['myofascial-release'] })).map(lit).join(', ')})
      GROUP BY p.id HAVING count(*) >= 4 ORDER BY p.id LIMIT 1`);
    assert.ok(p, 'precondition: a Portland MFR practitioner with four techniques');
    assert.equal(p.slugs[0], 'myofascial-release');
    const slugs = [p.slugs[0], p.slugs[1], p.slugs[3]];
    const truth = expected({ ...PDX, techniques: slugs });
    const base = expected({ ...PDX });
    assert.ok(truth.length > 0 && truth.length < base.length, `precondition: ${truth.length} of ${base.length}`);
    const page = await search({ near: 'Portland, OR', technique: ['MFR', p.names[1], slugs[2]], limit: 100 });
    assert.ok(ids(page.items).includes(p.id));
    assert.deepEqual(sorted(ids(page.items)), sorted(ids(truth)));
    for (const it of page.items) for (const t of slugs) assert.ok(it.techniques.includes(t), `${it.name} lacks ${t}`);
  });

  test('technique=MFR&technique=cupping is a subset of each alone', async () => {
    const both = ids((await search({ near: 'Portland, OR', technique: ['MFR', 'cupping'], limit: 100 })).items);
    const mfr = ids((await search({ near: 'Portland, OR', technique: 'MFR', limit: 100 })).items);
    const cup = ids((await search({ near: 'Portland, OR', technique: 'cupping', limit: 100 })).items);
    assert.ok(both.length < mfr.length && both.length < cup.length);
    for (const id of both) assert.ok(mfr.includes(id) && cup.includes(id));
  });
});

// ---------------------------------------------------------------------------------------

describe('active rows only', () => {
  test('an inactive service does not count for max_price or price_from', async () => {
    // the cheapest service of a Portland practitioner whose other services all cost more
    const [s] = sql(`SELECT p.id AS pid, s.id AS sid, s.price_cents,
        (SELECT min(s2.price_cents) FROM practitioner_services x2 JOIN services s2 ON s2.id = x2.service_id
          WHERE x2.practitioner_id = p.id AND s2.id <> s.id AND s2.active) AS next_cents
      FROM practitioners p JOIN practitioner_services x ON x.practitioner_id = p.id
      JOIN services s ON s.id = x.service_id
      WHERE s.active AND EXISTS (SELECT 1 FROM practitioner_locations pl JOIN locations l ON l.id = pl.location_id
          WHERE pl.practitioner_id = p.id AND ST_DWithin(l.geog, ST_SetSRID(ST_MakePoint(${PDX.lon}, ${PDX.lat}), 4326)::geography, 25000))
        AND s.price_cents < (SELECT min(s2.price_cents) FROM practitioner_services x2 JOIN services s2 ON s2.id = x2.service_id
          WHERE x2.practitioner_id = p.id AND s2.id <> s.id AND s2.active)
        AND (SELECT count(*) FROM practitioner_services x3 WHERE x3.service_id = s.id) = 1
      ORDER BY p.id, s.id LIMIT 1`);
    assert.ok(s, 'precondition: such a service exists');
    const maxPrice = s.price_cents / 100;
    const before = await search({ near: 'Portland, OR', max_price: maxPrice, limit: 100 });
    const item = before.items.find((i) => i.id === s.pid);
    assert.ok(item, 'listed while the cheap service is active');
    assert.equal(item.price_from, maxPrice);
    sqlExec(`UPDATE services SET active = false WHERE id = ${lit(s.sid)}`);
    try {
      const after = await search({ near: 'Portland, OR', max_price: maxPrice, limit: 100 });
      assert.ok(!ids(after.items).includes(s.pid), 'still listed under a price only an inactive service meets');
      const all = await search({ near: 'Portland, OR', limit: 100 });
      assert.equal(all.items.find((i) => i.id === s.pid).price_from, s.next_cents / 100);
      const profile = await get(`${PRACTITIONERS}/${s.pid}`);
      assert.ok(!profile.json.services.some((x) => x.id === s.sid), 'profile lists an inactive service');
    } finally {
      sqlExec(`UPDATE services SET active = true WHERE id = ${lit(s.sid)}`);
    }
  });

  test('an inactive practitioner is neither found nor shown', async () => {
    const [p] = sql(`SELECT p.id, p.name FROM practitioners p WHERE p.active AND EXISTS (
        SELECT 1 FROM practitioner_locations pl JOIN locations l ON l.id = pl.location_id
        WHERE pl.practitioner_id = p.id AND l.city = 'Portland') ORDER BY p.id DESC LIMIT 1`);
    assert.equal((await get(`${PRACTITIONERS}/${p.id}`)).status, 200);
    sqlExec(`UPDATE practitioners SET active = false WHERE id = ${lit(p.id)}`);
    try {
      assertProblem(await get(`${PRACTITIONERS}/${p.id}`), 404);
      for (const params of [{ near: 'Portland, OR', limit: 100 }, { near: 'Portland, OR', sort: 'name', limit: 100 },
        { q: p.name, limit: 100 }]) {
        const page = await search(params);
        assert.ok(!ids(page.items).includes(p.id), `found with ${qs(params)}`);
      }
    } finally {
      sqlExec(`UPDATE practitioners SET active = true WHERE id = ${lit(p.id)}`);
    }
    assert.equal((await get(`${PRACTITIONERS}/${p.id}`)).status, 200);
  });

  test('an inactive location is not searched, and a practitioner with none left is not found', async () => {
    const [pick] = sql(`SELECT p.id AS pid, l.id AS lid FROM practitioners p
      JOIN practitioner_locations pl ON pl.practitioner_id = p.id JOIN locations l ON l.id = pl.location_id
      WHERE (SELECT count(*) FROM practitioner_locations x WHERE x.practitioner_id = p.id) = 1
        AND l.city = 'Portland' AND l.active ORDER BY p.id LIMIT 1`);
    assert.ok(pick);
    const sharing = sql(`SELECT practitioner_id AS id FROM practitioner_locations WHERE location_id = ${lit(pick.lid)}`);
    assert.ok(ids((await search({ near: 'Portland, OR', limit: 100 })).items).includes(pick.pid));
    sqlExec(`UPDATE locations SET active = false WHERE id = ${lit(pick.lid)}`);
    try {
      const page = await search({ near: 'Portland, OR', limit: 100 });
      assert.ok(!page.items.some((i) => i.location.id === pick.lid), 'an inactive location is shown');
      assert.ok(!ids(page.items).includes(pick.pid));
      const truth = expected({ ...PDX });
      assert.deepEqual(sorted(ids(page.items)), sorted(ids(truth)));
      assert.ok(sharing.length >= 1);
    } finally {
      sqlExec(`UPDATE locations SET active = true WHERE id = ${lit(pick.lid)}`);
    }
  });
});

// ---------------------------------------------------------------------------------------

describe('q: free text tolerant of typos and accents', () => {
  const lastWord = (name) => name.trim().split(/\s+/).pop();
  const unaccent = (s) => s.normalize('NFD').replace(/\p{M}/gu, '');
  const other = (c) => (c.toLowerCase() === 'x' ? 'q' : 'x');
  let active; // how many practitioners are listed at all

  before(() => {
    [{ n: active }] = sql(`SELECT count(*)::int AS n FROM practitioners WHERE active`);
  });

  // Each case picks a real practitioner, derives what a patient might type, and expects
  // that practitioner among few results.  `same` is a query that must give the same set.
  const twoWords = `active AND name ~ '^[A-Za-z]+ [A-Za-z]+$'`;
  const accentedLast = `active AND split_part(name, ' ', 3) = ''
    AND f_unaccent(split_part(name, ' ', 2)) <> split_part(name, ' ', 2)`;
  const cases = [
    {
      why: 'an accented last name typed without accents',
      pick: `SELECT id, name FROM practitioners WHERE ${accentedLast} ORDER BY id LIMIT 1`,
      query: (p) => unaccent(lastWord(p.name)),
      same: (p) => lastWord(p.name),
    },
    {
      why: 'a plain last name typed with an accent',
      pick: `SELECT id, name FROM practitioners WHERE ${twoWords}
               AND split_part(name, ' ', 2) ~ 'o' AND length(split_part(name, ' ', 2)) >= 6
             ORDER BY id LIMIT 1`,
      query: (p) => lastWord(p.name).replace('o', 'ö'),
      same: (p) => lastWord(p.name),
    },
    {
      why: 'the full name in upper case',
      pick: `SELECT id, name FROM practitioners WHERE active ORDER BY id LIMIT 1`,
      query: (p) => p.name.toUpperCase(),
      same: (p) => p.name,
    },
    {
      why: 'a last name with its last letter changed',
      pick: `SELECT id, name FROM practitioners WHERE ${twoWords}
               AND length(split_part(name, ' ', 2)) BETWEEN 7 AND 10 ORDER BY id LIMIT 1`,
      query: (p) => { const w = lastWord(p.name); return w.slice(0, -1) + other(w.at(-1)); },
    },
    {
      why: 'a last name with a letter in the middle changed',
      pick: `SELECT id, name FROM practitioners WHERE ${twoWords}
               AND length(split_part(name, ' ', 2)) BETWEEN 7 AND 10 ORDER BY id LIMIT 1`,
      query: (p) => {
        const w = lastWord(p.name);
        const i = Math.floor(w.length / 2);
        return w.slice(0, i) + other(w[i]) + w.slice(i + 1);
      },
    },
    {
      why: 'a last name with a letter left out',
      pick: `SELECT id, name FROM practitioners WHERE ${twoWords}
               AND length(split_part(name, ' ', 2)) BETWEEN 7 AND 10 ORDER BY id LIMIT 1`,
      query: (p) => { const w = lastWord(p.name); const i = Math.floor(w.length / 2); return w.slice(0, i) + w.slice(i + 1); },
    },
    {
      why: 'an accented last name with a letter changed and no accents',
      pick: `SELECT id, name FROM practitioners WHERE ${accentedLast}
               AND length(split_part(name, ' ', 2)) >= 7 ORDER BY id LIMIT 1`,
      query: (p) => { const w = unaccent(lastWord(p.name)); return w.slice(0, -1) + other(w.at(-1)); },
    },
  ];
  for (const c of cases) {
    test(`q finds ${c.why}`, async () => {
      const [p] = sql(c.pick);
      assert.ok(p, 'precondition: the demo data has such a practitioner');
      const q = c.query(p);
      assert.notEqual(q, lastWord(p.name));
      const page = await search({ q, limit: 100 });
      assert.ok(ids(page.items).includes(p.id), `q=${q} does not find ${p.name}`);
      assert.ok(page.items.length < active / 4, `q=${q} hardly narrows: ${page.items.length}`);
      if (c.same) {
        const other = await search({ q: c.same(p), limit: 100 });
        assert.deepEqual(ids(page.items), ids(other.items), `q=${q} and q=${c.same(p)} differ`);
      }
    });
  }

  test('q with near: a Portland practitioner by a misspelt name, only Portland results', async () => {
    const base = expected({ ...PDX });
    const target = base.find((t) => /^[A-Za-z]+ [A-Za-z]{7,10}$/.test(t.name));
    assert.ok(target);
    const w = lastWord(target.name);
    const q = w.slice(0, -1) + other(w.at(-1)); // the typo the trigram match tolerates best
    const page = await search({ near: 'Portland, OR', q, limit: 100 });
    assert.ok(ids(page.items).includes(target.id), `q=${q} misses ${target.name}`);
    for (const it of page.items) assert.ok(ids(base).includes(it.id), `${it.name} is not near Portland`);
  });

  test('q narrows the same way with and without near', async () => {
    const [p] = sql(`SELECT p.id, p.name FROM practitioners p WHERE ${twoWords.replace('active', 'p.active')}
      AND EXISTS (SELECT 1 FROM practitioner_locations pl JOIN locations l ON l.id = pl.location_id
        WHERE pl.practitioner_id = p.id AND l.city = 'Portland') ORDER BY p.id LIMIT 1`);
    const q = lastWord(p.name);
    const everywhere = ids((await search({ q, limit: 100 })).items);
    const portland = ids((await search({ q, near: 'Portland, OR', limit: 100 })).items);
    const base = ids(expected({ ...PDX }));
    assert.ok(portland.includes(p.id));
    assert.deepEqual(sorted(portland), sorted(everywhere.filter((id) => base.includes(id))));
  });

  test("q by clinic name finds that clinic's practitioners", async () => {
    const [c] = sql(`SELECT c.id, c.name FROM clinics c
      WHERE (SELECT count(*) FROM practitioners p WHERE p.clinic_id = c.id AND p.active) >= 2
      ORDER BY c.id LIMIT 1`);
    const staff = sql(`SELECT id FROM practitioners WHERE clinic_id = ${lit(c.id)} AND active`);
    const page = await search({ q: c.name, limit: 100 });
    for (const s of staff) assert.ok(ids(page.items).includes(s.id), `q=${c.name} misses ${s.id}`);
    assert.ok(page.items.length < active / 4);
  });

  test('a well-formed language nobody speaks is an empty list, with and without q', async () => {
    assert.deepEqual(await search({ near: 'Portland, OR', language: 'zz', limit: 100 }), { items: [], next_cursor: null });
    assert.deepEqual(await search({ language: 'zz', limit: 100 }), { items: [], next_cursor: null });
  });

  test('q that matches nothing is an empty list', async () => {
    const page = await search({ q: 'zqxjvkwpf', limit: 100 });
    assert.deepEqual(page, { items: [], next_cursor: null });
  });
});

// ---------------------------------------------------------------------------------------

describe('sort and radius', () => {
  test('sort=name orders by name (then id), the same set as sort=distance', async () => {
    const byName = await search({ near: 'Portland, OR', technique: 'MFR', sort: 'name', limit: 100 });
    const truth = expected({ ...PDX, techniques: ['myofascial-release'] }); // (name, id) order
    assert.deepEqual(ids(byName.items), ids(truth));
    for (const it of byName.items) assertItem(it, { near: true });
    const names = byName.items.map((i) => i.name);
    assert.ok(names.some((n, i) => i > 0 && n !== names[i - 1]));
  });

  test('sort=distance is the default with near and equals the explicit one', async () => {
    const a = await search({ near: 'Portland, OR', technique: 'MFR', limit: 100 });
    const b = await search({ near: 'Portland, OR', technique: 'MFR', sort: 'distance', limit: 100 });
    assert.deepEqual(ids(a.items), ids(b.items));
    assert.notDeepEqual(ids(a.items), ids(expected({ ...PDX, techniques: ['myofascial-release'] })),
      'distance order differs from name order in this data');
  });

  test('without near, the search is by name over the whole directory, without distance', async () => {
    const page = await search({ technique: 'MFR', condition: 'fibro', language: 'es', limit: 100 });
    const truth = expected({ techniques: ['myofascial-release'], condition: 'fibromyalgia', language: 'es' });
    assert.ok(truth.length > 0);
    assert.deepEqual(ids(page.items), ids(truth));
    for (const it of page.items) assertItem(it, { near: false });
  });

  test('without any parameter: the first 20 by name, with a cursor', async () => {
    const page = await search({});
    const truth = expected({});
    assert.equal(page.items.length, 20);
    assert.deepEqual(ids(page.items), ids(truth).slice(0, 20));
    assert.equal(typeof page.next_cursor, 'string');
  });

  const radii = [
    { radius_km: 5, why: 'smaller than the default' },
    { radius_km: 2.5, why: 'fractional' },
    { radius_km: 230, why: 'reaches Seattle' },
    { radius_km: 500, why: 'the maximum' },
  ];
  for (const c of radii) {
    test(`radius_km=${c.radius_km} (${c.why}) changes the set as SQL says`, async () => {
      assertClearBoundary(PDX.lat, PDX.lon, c.radius_km);
      const truth = expected({ ...PDX, radius_km: c.radius_km });
      const def = expected({ ...PDX });
      assert.notEqual(truth.length, def.length, 'precondition: the radius makes a difference');
      assert.ok(truth.length > 0 && truth.length <= 100);
      for (const sort of ['distance', 'name']) {
        const page = await search({ near: 'Portland, OR', radius_km: c.radius_km, sort, limit: 100 });
        assert.deepEqual(sorted(ids(page.items)), sorted(ids(truth)), `sort=${sort}`);
        assert.ok(page.items.every((i) => i.distance_km <= c.radius_km));
      }
    });
  }
});

// ---------------------------------------------------------------------------------------

describe('pagination', () => {
  const walks = [
    { sort: 'distance', limit: 7 },
    { sort: 'name', limit: 7 },
    { sort: 'distance', limit: 5 },
    { sort: 'name', limit: 5 },
    { sort: 'distance', limit: 1 },
    { sort: 'distance', limit: 7, radius_km: 500, technique: undefined, why: 'three cities' },
    { sort: 'name', limit: 7, radius_km: 500, technique: undefined, why: 'three cities' },
  ];
  for (const w of walks) {
    test(`sort=${w.sort}: limit=${w.limit} pages are disjoint and add up to the limit=100 answer${w.why ? ` (${w.why})` : ''}`, async () => {
      const params = { near: 'Portland, OR', technique: 'technique' in w ? w.technique : 'MFR',
        radius_km: w.radius_km, sort: w.sort };
      const whole = await search({ ...params, limit: 100 });
      const n = whole.items.length;
      assert.ok(n >= 20 && n <= 100, `precondition: ${n} results`);
      assert.equal(whole.next_cursor, null);
      const pages = await walkPages({ ...params, limit: w.limit });
      assert.equal(pages.length, Math.ceil(n / w.limit), 'number of pages');
      pages.forEach((p, i) => {
        const last = i === pages.length - 1;
        if (!last) {
          assert.equal(p.items.length, w.limit, `page ${i + 1} is full`);
          assert.equal(typeof p.next_cursor, 'string');
        } else {
          assert.ok(p.items.length >= 1 && p.items.length <= w.limit);
          assert.equal(p.next_cursor, null, 'the last page has no cursor');
        }
      });
      const seen = new Set();
      for (const p of pages) for (const it of p.items) {
        assert.ok(!seen.has(it.id), `${it.name} is on two pages`);
        seen.add(it.id);
      }
      assert.deepEqual(pages.flatMap((p) => ids(p.items)), ids(whole.items), 'same items in the same order');
    });
  }

  test('without near, walking limit=100 pages lists the whole directory once, by name', async () => {
    const truth = expected({});
    assert.ok(truth.length > 200, `precondition: ${truth.length} practitioners`);
    const pages = await walkPages({ limit: 100 });
    assert.equal(pages.length, Math.ceil(truth.length / 100));
    assert.deepEqual(pages.flatMap((p) => ids(p.items)), ids(truth));
  });

  test('a cursor from sort=name used with sort=distance is a 422 naming cursor', async () => {
    const first = await search({ near: 'Portland, OR', technique: 'MFR', sort: 'name', limit: 7 });
    assert.equal(typeof first.next_cursor, 'string');
    const r = await get(`${PRACTITIONERS}${qs({ near: 'Portland, OR', technique: 'MFR', sort: 'distance', limit: 7, cursor: first.next_cursor })}`);
    assertProblem(r, 422, 'cursor');
    const r2 = await get(`${PRACTITIONERS}${qs({ near: 'Portland, OR', technique: 'MFR', limit: 7, cursor: first.next_cursor })}`);
    assertProblem(r2, 422, 'cursor');
  });

  test('a cursor from sort=distance used with sort=name is a 422 naming cursor', async () => {
    const first = await search({ near: 'Portland, OR', technique: 'MFR', limit: 7 });
    const r = await get(`${PRACTITIONERS}${qs({ near: 'Portland, OR', technique: 'MFR', sort: 'name', limit: 7, cursor: first.next_cursor })}`);
    assertProblem(r, 422, 'cursor');
  });

  const garbage = ['garbage', 'AAAA', '!!!', 'eyJraW5kIjoiZCJ9', '-', 'x'.repeat(1400)];
  for (const cursor of garbage) {
    test(`a garbage cursor (${cursor.slice(0, 20)}) is a 422 naming cursor`, async () => {
      const r = await get(`${PRACTITIONERS}${qs({ near: 'Portland, OR', cursor })}`);
      assertProblem(r, 422, 'cursor');
    });
  }
});

// ---------------------------------------------------------------------------------------

describe('bad input names the parameter', () => {
  const near = 'near=Portland%2C+OR';
  const cases = [
    { query: `${near}&radius_km=abc`, status: 400, field: 'radius_km' },
    { query: `${near}&radius_km=`, status: 400, field: 'radius_km' },
    { query: `${near}&limit=1.5`, status: 400, field: 'limit' },
    { query: `${near}&limit=ten`, status: 400, field: 'limit' },
    { query: `${near}&session_minutes=half`, status: 400, field: 'session_minutes' },
    { query: `${near}&max_price=cheap`, status: 400, field: 'max_price' },
    { query: `${near}&accepting_new=maybe`, status: 400, field: 'accepting_new' },
    { query: `${near}&home_visits=2`, status: 400, field: 'home_visits' },
    { query: `${near}&radius_km=0`, status: 422, field: 'radius_km' },
    { query: `${near}&radius_km=501`, status: 422, field: 'radius_km' },
    { query: `${near}&radius_km=-5`, status: 422, field: 'radius_km' },
    { query: `${near}&limit=0`, status: 422, field: 'limit' },
    { query: `${near}&limit=101`, status: 422, field: 'limit' },
    { query: `${near}&max_price=-1`, status: 422, field: 'max_price' },
    { query: `${near}&session_minutes=0`, status: 422, field: 'session_minutes' },
    { query: `${near}&technique=levitation`, status: 422, field: 'technique' },
    { query: `${near}&technique=MFR&technique=levitation`, status: 422, field: 'technique' },
    { query: `${near}&profession=wizard`, status: 422, field: 'profession' },
    { query: `${near}&condition=hangover`, status: 422, field: 'condition' },
    { query: `${near}&language=english`, status: 422, field: 'language' },
    { query: `${near}&sort=price`, status: 422, field: 'sort' },
    { query: 'sort=distance', status: 422, field: 'sort' },
    { query: 'radius_km=10', status: 422, field: 'radius_km' },
    { query: `${near}&q=`, status: 422, field: 'q' },
    { query: `${near}&q=${'a'.repeat(201)}`, status: 422, field: 'q', why: 'longer than 200' },
    { query: `near=${'a'.repeat(201)}`, status: 422, field: 'near', why: 'longer than 200' },
    { query: `${near}${'&technique=MFR'.repeat(11)}`, status: 422, field: 'technique', why: 'more than 10 times' },
    { query: 'near=Xqzvwkjville', status: 422, field: 'near' },
    { query: 'near=Portland%2C+Narnia', status: 422, field: 'near' },
    { query: 'near=00000', status: 422, field: 'near' },
    { query: 'near=', status: 422, field: 'near' },
    { query: 'near=91%2C0', status: 422, field: 'near' },
    { query: 'near=-90.5%2C10', status: 422, field: 'near' },
    { query: 'near=45%2C181', status: 422, field: 'near' },
    { query: 'near=45%2C-180.01', status: 422, field: 'near' },
    { query: `${near}&colour=blue`, status: 422, field: 'colour' },
    { query: `${near}&techniqe=MFR`, status: 422, field: 'techniqe', why: 'a typo must not widen the search' },
    { query: `${near}&Technique=MFR`, status: 422, field: 'Technique' },
    { query: `${near}&near=Seattle`, status: 400, field: 'near' },
    { query: `${near}&near=Portland%2C+OR`, status: 400, field: 'near' },
    { query: `${near}&limit=5&limit=6`, status: 400, field: 'limit' },
    { query: `${near}&q=%ZZ`, status: 400, field: 'q' },
    { query: `${near}&q=abc%`, status: 400, field: 'q' },
    { query: `${near}&q=%C3%28`, status: 400, field: 'q' },
    { query: `${near}&q=%ED%A0%80`, status: 400, field: 'q', why: 'a UTF-16 surrogate' },
    { query: `${near}&q=%C0%AF`, status: 400, field: 'q', why: 'an overlong encoding' },
    { query: `${near}&=MFR`, status: 400, field: 'query', why: 'a parameter without a name' },
    { query: `${near}&=%zz`, status: 400, field: 'query', why: 'a bad escape in a parameter without a name' },
  ];
  for (const c of cases) {
    test(`?${c.query.slice(0, 80)} is ${c.status} naming ${c.field}${c.why ? ` (${c.why})` : ''}`, async () => {
      assertProblem(await get(`${PRACTITIONERS}?${c.query}`), c.status, c.field);
    });
  }

  test('several bad parameters are all named', async () => {
    const r = await get(`${PRACTITIONERS}?${near}&radius_km=900&technique=levitation&colour=blue`);
    assertProblem(r, 422, 'radius_km');
    assertProblem(r, 422, 'technique');
    assertProblem(r, 422, 'colour');
  });
});
