// CSV imports of practitioners: over HTTP (POST .../imports, at most 64 KiB) and with
// `clinicd import --clinic ID FILE.csv`.  Every row is checked and every problem reported
// with its row, line and field; nothing is half-imported, also when the database refuses
// a row late in a large file.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE, request, sql, sqlExec, lit, assertProblem, UUID_RE } from './lib.mjs';
import {
  RUN, clinicd, createUser, signedIn, createStaffClinic, retireClinic, expectStatus, clearThrottle,
} from './staff-fixtures.mjs';

let C;      // the clinic importing
let OTHER;  // another clinic (its location may not be named)
let dir;    // temporary files for the command line

before(async () => {
  clearThrottle();
  C = await createStaffClinic('import', { practitioners: [] });
  OTHER = await createStaffClinic('import-other', { practitioners: [] });
  dir = mkdtempSync(join(tmpdir(), 'clinicd-staff-import-'));
});

after(() => {
  retireClinic(C);
  retireClinic(OTHER);
  if (dir) rmSync(dir, { recursive: true, force: true });
  sqlExec(`DROP TRIGGER IF EXISTS staff_test_explode ON practitioners;
           DROP FUNCTION IF EXISTS staff_test_explode();`);
});

const practitioners = () => sql(`SELECT count(*)::int AS n FROM practitioners WHERE clinic_id = ${lit(C.clinicId)}`)[0].n;
const post = (text, type = 'text/csv', query = '') =>
  request('POST', `${C.base}/imports${query}`, { raw: text, headers: { ...C.admin.auth, 'content-type': type } });
const HEADER = 'name,profession,credentials,bio,languages,accepting_new,home_visits,sliding_scale,techniques,conditions,location_ids,service_ids';

describe('over HTTP', () => {
  test('a valid file imports every row: 201 with the ids in file order', async () => {
    const n0 = practitioners();
    const rows = [
      `Ana Import ${RUN},massage-therapist,LMT,Works slowly.,en es,yes,no,true,MFR;trigger point therapy,fibro,${C.locationId},${C.serviceId}`,
      `Ben Import ${RUN},Osteopath,,,de,0,1,false,,,Rooms import ${RUN},Session import ${RUN}`,
      `Cy Import ${RUN},physical-therapist,DPT,,,,,,myofascial-release,,${C.locationId.toUpperCase()},`,
    ];
    const r = await post(`${HEADER}\n${rows.join('\n')}\n`);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.imported, 3);
    assert.equal(r.json.ids.length, 3);
    for (const id of r.json.ids) assert.match(id, UUID_RE);
    assert.equal(practitioners(), n0 + 3);
    const got = sql(`SELECT p.id, p.name, p.credentials, p.languages, p.accepting_new, p.home_visits, p.sliding_scale,
        pr.slug AS profession,
        (SELECT array_agg(t.slug ORDER BY t.slug) FROM practitioner_techniques x JOIN techniques t ON t.id = x.technique_id WHERE x.practitioner_id = p.id) AS techniques,
        (SELECT array_agg(l.location_id) FROM practitioner_locations l WHERE l.practitioner_id = p.id) AS locations,
        (SELECT array_agg(s.service_id) FROM practitioner_services s WHERE s.practitioner_id = p.id) AS services
      FROM practitioners p JOIN professions pr ON pr.id = p.profession_id
      WHERE p.id IN (${r.json.ids.map(lit).join(',')})`);
    const byId = Object.fromEntries(got.map((x) => [x.id, x]));
    const [a, b, c] = r.json.ids.map((id) => byId[id]);
    assert.equal(a.name, `Ana Import ${RUN}`);
    assert.equal(a.profession, 'massage-therapist');
    assert.deepEqual(a.languages, ['en', 'es']);
    assert.deepEqual([a.accepting_new, a.home_visits, a.sliding_scale], [true, false, true]);
    assert.deepEqual(a.techniques, ['myofascial-release', 'trigger-point-therapy'].sort());
    assert.deepEqual(a.services, [C.serviceId]);
    assert.equal(b.profession, 'osteopath');
    assert.deepEqual(b.locations, [C.locationId], 'a location by its name');
    assert.deepEqual(b.services, [C.serviceId], 'a service by its name');
    assert.deepEqual([b.accepting_new, b.home_visits, b.sliding_scale], [false, true, false]);
    assert.deepEqual(c.locations, [C.locationId], 'a location id in capitals');
    assert.equal(c.services, null);
  });

  test('errors in several rows: 422 listing every row\'s problems, and nothing imported', async () => {
    const n0 = practitioners();
    const lines = [
      'name,profession,languages,accepting_new,techniques,location_ids',
      `Good One ${RUN},osteopath,en,yes,,${C.locationId}`,                  // row 2
      `,wizard,en,yes,,${C.locationId}`,                                    // row 3: name, profession
      `Bad Langs ${RUN},osteopath,english,perhaps,levitation,${C.locationId}`, // row 4: languages, accepting_new, techniques
      `Good Two ${RUN},osteopath,en,yes,,${C.locationId}`,                  // row 5
      `Elsewhere ${RUN},osteopath,en,yes,,${OTHER.locationId}`,             // row 6: another clinic's location
      `No Place ${RUN},osteopath,en,yes,,`,                                 // row 7: location_ids
      `Too Many ${RUN},osteopath,en,yes,,${C.locationId},extra`,            // row 8: a field too many
    ];
    const r = await post(`${lines.join('\n')}\n`);
    assertProblem(r, 422);
    const errs = r.json.errors;
    const has = (row, field) => errs.some((e) => e.row === row && e.field === field);
    const want = [[3, 'name'], [3, 'profession'], [4, 'languages'], [4, 'accepting_new'], [4, 'techniques'],
      [6, 'location_ids'], [7, 'location_ids'], [8, 'row']];
    for (const [row, field] of want) assert.ok(has(row, field), `row ${row} ${field} not reported: ${JSON.stringify(errs)}`);
    assert.ok(!errs.some((e) => [2, 5].includes(e.row)), 'good rows are not reported');
    for (const e of errs) {
      assert.equal(e.line, e.row, 'one physical line per row here');
      assert.equal(typeof e.message, 'string');
      assert.ok(e.message.length > 5);
    }
    assert.match(r.json.detail, /nothing was imported/i);
    assert.equal(practitioners(), n0, 'nothing imported');
  });

  test('header problems are reported once, with the rows still checked', async () => {
    const r = await post(`name,profession,colour,name\nX ${RUN},wizard,red,Y\n`);
    assertProblem(r, 422);
    const errs = r.json.errors;
    assert.ok(errs.some((e) => e.row === 1 && e.field === 'colour'), JSON.stringify(errs));
    assert.ok(errs.some((e) => e.row === 1 && e.field === 'name'), 'a repeated column');
    assert.ok(errs.some((e) => e.row === 1 && e.field === 'location_ids'), 'a missing required column');
    assert.ok(errs.some((e) => e.row === 2 && e.field === 'profession'), 'the row is checked too');
    assert.equal(errs.filter((e) => e.field === 'location_ids').length, 1, 'the missing column once, not per row');
  });

  test('quoted fields with commas, line breaks and doubled quotes; rows and lines counted apart', async () => {
    const n0 = practitioners();
    const bio = 'First line, with a comma\nSecond line with "quotes"';
    const csv = `name,profession,bio,location_ids\n"Smith, Jane ${RUN}",osteopath,"First line, with a comma\nSecond line with ""quotes""",${C.locationId}\n`
      + `"Plain ${RUN}" ,osteopath,"",${C.locationId}\n`;
    const r = await post(csv);
    assert.equal(r.status, 201, r.text);
    const got = sql(`SELECT name, bio FROM practitioners WHERE id IN (${r.json.ids.map(lit).join(',')}) ORDER BY name`);
    assert.deepEqual(got, [{ name: `Plain ${RUN}`, bio: '' }, { name: `Smith, Jane ${RUN}`, bio }]);
    assert.equal(practitioners(), n0 + 2);
    // an error after a multi-line field: row 3 starts on line 4
    const bad = await post(`name,profession,bio,location_ids\n"A ${RUN}",osteopath,"one\ntwo",${C.locationId}\nB ${RUN},wizard,,${C.locationId}\n`);
    assertProblem(bad, 422);
    assert.deepEqual(bad.json.errors.map((e) => [e.row, e.line, e.field]), [[3, 4, 'profession']]);
  });

  test('a byte order mark and CRLF line ends are fine', async () => {
    const r = await post(`\uFEFFname,profession,location_ids\r\nBom Crlf ${RUN},osteopath,${C.locationId}\r\nSecond ${RUN},osteopath,${C.locationId}\r\n`);
    assert.equal(r.status, 201, r.text);
    const got = sql(`SELECT name FROM practitioners WHERE id IN (${r.json.ids.map(lit).join(',')}) ORDER BY name`).map((x) => x.name);
    assert.deepEqual(got, [`Bom Crlf ${RUN}`, `Second ${RUN}`]);
    assert.ok(got.every((n) => !/[\r\n\uFEFF]/.test(n)));
    const lone = await post(`name,profession,location_ids\rLone Cr ${RUN},osteopath,${C.locationId}`);
    assert.equal(lone.status, 201, `lone CR line ends, no final line end: ${lone.text}`);
  });

  test('files that are not readable CSV: 400 naming the line', async () => {
    const n0 = practitioners();
    const unclosed = await post(`name,profession,location_ids\nA ${RUN},osteopath,${C.locationId}\n"B ${RUN},osteopath,${C.locationId}\n`);
    assertProblem(unclosed, 400);
    assert.equal(unclosed.json.errors[0].line, 3);
    const stray = await post(`name,profession,location_ids\nA "x" ${RUN},osteopath,${C.locationId}\n`);
    assertProblem(stray, 400);
    const latin1 = await post(Buffer.from(`name,profession,location_ids\nJos\xe9 ${RUN},osteopath,${C.locationId}\n`, 'latin1'));
    assertProblem(latin1, 400);
    assert.match(latin1.json.errors[0].message, /UTF-8/);
    assertProblem(await post(''), 422);
    assertProblem(await post('name,profession,location_ids\n'), 422);
    assert.equal(practitioners(), n0);
  });

  test('the content type must be text/csv (UTF-8): 415 otherwise', async () => {
    const csv = `name,profession,location_ids\nCT ${RUN},osteopath,${C.locationId}\n`;
    const n0 = practitioners();
    for (const type of ['application/json', 'text/plain', 'text/csv; charset=iso-8859-1', 'application/octet-stream']) {
      const r = await post(csv, type);
      assertProblem(r, 415);
    }
    assert.equal(practitioners(), n0);
    assert.equal((await post(csv, 'text/csv; charset=utf-8')).status, 201);
  });

  test('over 64 KiB: 413, nothing imported', async () => {
    const n0 = practitioners();
    const rows = [];
    for (let i = 0; rows.join('\n').length < 70 * 1024; i++) rows.push(`Big ${RUN} ${i},osteopath,${C.locationId}`);
    const r = await post(`name,profession,location_ids\n${rows.join('\n')}\n`);
    assertProblem(r, 413);
    assert.equal(practitioners(), n0);
  });

  test('dry_run=true checks without importing', async () => {
    const n0 = practitioners();
    const r = await post(`name,profession,location_ids\nDry ${RUN},osteopath,${C.locationId}\n`, 'text/csv', '?dry_run=true');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.would_import, 1);
    assert.equal(r.json.imported, 0);
    assert.equal(practitioners(), n0);
    assertProblem(await post('name\n', 'text/csv', '?dryrun=1'), 422, 'dryrun');
  });

  test('a row the database refuses late in the file: nothing of the file is kept', async () => {
    // a trigger (as the owner) that refuses one name, so that the failure comes from the
    // database after earlier chunks of the same file were inserted
    const bomb = `Explode ${RUN}`;
    sqlExec(`CREATE OR REPLACE FUNCTION staff_test_explode() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.name LIKE 'Explode %' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$;
      DROP TRIGGER IF EXISTS staff_test_explode ON practitioners;
      CREATE TRIGGER staff_test_explode BEFORE INSERT ON practitioners FOR EACH ROW EXECUTE FUNCTION staff_test_explode();`);
    try {
      const n0 = practitioners();
      const rows = Array.from({ length: 700 }, (_, i) => (i === 650 ? `${bomb},osteopath,${C.locationId}` : `Chunk ${i} ${RUN},osteopath,${C.locationId}`));
      const text = `name,profession,location_ids\n${rows.join('\n')}\n`;
      assert.ok(text.length < 64 * 1024, `${text.length} bytes`);
      // fetch itself, not lib.mjs's request(): the database's refusal is an internal error
      // (500), which the OpenAPI document rightly does not list for this operation
      const res = await fetch(`${BASE}${C.base}/imports`, { method: 'POST', body: text,
        headers: { ...C.admin.auth, 'content-type': 'text/csv' } });
      const body = await res.text();
      assert.ok(res.status >= 400, `${res.status} ${body.slice(0, 300)}`);
      assert.ok(!body.includes('refused by the test'), 'the database\'s message is not shown to the client');
      assert.equal(practitioners(), n0, 'rows of earlier chunks were kept');
    } finally {
      sqlExec('DROP TRIGGER IF EXISTS staff_test_explode ON practitioners;');
    }
  });

  test('imports are for admins: a practitioner gets 403, nothing imported', async () => {
    const pid = expectStatus(await request('POST', `${C.base}/practitioners`, { headers: C.admin.auth,
      body: { name: `Importer ${RUN}`, profession: 'osteopath', location_ids: [C.locationId] } }), 201).json.id;
    const prac = await signedIn(createUser({ clinic: C.clinicId, role: 'practitioner', practitioner: pid }));
    const n0 = practitioners();
    const r = await request('POST', `${C.base}/imports`, { raw: `name,profession,location_ids\nSneaky ${RUN},osteopath,${C.locationId}\n`,
      headers: { ...prac.auth, 'content-type': 'text/csv' } });
    assertProblem(r, 403);
    assert.equal(practitioners(), n0);
  });
});

describe('clinicd import', () => {
  const write = (name, text) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const generated = (n, tag, bad = -1) => {
    const rows = [HEADER];
    for (let i = 0; i < n; i++) {
      rows.push(i === bad
        ? `Bad ${tag} ${i},astrologer,,,,,,,,,${C.locationId},`
        : `Gen ${tag} ${RUN} ${String(i).padStart(5, '0')},massage-therapist,LMT,"Bio ${i}, with a comma",en;es,yes,no,no,MFR;trigger-point-therapy,fibromyalgia,${C.locationId},${C.serviceId}`);
    }
    return `${rows.join('\n')}\n`;
  };

  test('2,000 generated rows import, all of them, and quickly', (t) => {
    const file = write('two-thousand.csv', generated(2000, 'ok'));
    const n0 = practitioners();
    const t0 = process.hrtime.bigint();
    const r = clinicd(['import', '--clinic', C.clinicId, file]);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    t.diagnostic(`clinicd import of 2,000 rows: ${seconds.toFixed(2)} s (${r.stderr.trim().split('\n').pop()})`);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.imported, 2000);
    assert.equal(out.ids.length, 2000);
    assert.equal(new Set(out.ids).size, 2000);
    assert.equal(practitioners(), n0 + 2000);
    const links = sql(`SELECT count(*)::int AS n FROM practitioner_techniques WHERE practitioner_id IN
      (SELECT id FROM practitioners WHERE clinic_id = ${lit(C.clinicId)} AND name LIKE ${lit(`Gen ok ${RUN} %`)})`)[0].n;
    assert.equal(links, 4000, 'two techniques each');
    // the issue: 10,000 rows in seconds; 2,000 rows well under 10 s (about 1 s without
    // per-row work in the database)
    assert.ok(seconds < 10, `2,000 rows took ${seconds.toFixed(1)} s: ${r.stderr.trim()}`);
    const audit = sql(`SELECT actor_type, detail FROM audit_log WHERE clinic_id = ${lit(C.clinicId)} AND action = 'import_practitioners'
      AND actor_type = 'operator' ORDER BY id DESC LIMIT 1`)[0];
    assert.equal(audit?.detail?.rows, 2000, 'the operator\'s import is audited');
  });

  test('one bad row among 2,000: non-zero exit naming it, nothing imported', () => {
    const file = write('one-bad.csv', generated(2000, 'bad', 1499));
    const n0 = practitioners();
    const r = clinicd(['import', '--clinic', C.clinicId, file]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /row 1501 \(line 1501\), profession/);
    assert.match(r.stderr, /nothing was imported/);
    assert.equal(r.stdout.trim(), '');
    assert.equal(practitioners(), n0);
  });

  test('a row the database refuses in a late chunk: non-zero exit, nothing imported', () => {
    sqlExec(`CREATE OR REPLACE FUNCTION staff_test_explode() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.name LIKE 'Explode %' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$;
      DROP TRIGGER IF EXISTS staff_test_explode ON practitioners;
      CREATE TRIGGER staff_test_explode BEFORE INSERT ON practitioners FOR EACH ROW EXECUTE FUNCTION staff_test_explode();`);
    try {
      const text = generated(2000, 'late').replace(`Gen late ${RUN} 01100,`, `Explode ${RUN},`); // in the third chunk of 500
      assert.ok(text.includes(`Explode ${RUN},`));
      const n0 = practitioners();
      const r = clinicd(['import', '--clinic', C.clinicId, write('late.csv', text)]);
      assert.notEqual(r.status, 0, r.stdout.slice(0, 200));
      assert.match(r.stderr, /refused by the test/);
      assert.equal(practitioners(), n0);
    } finally {
      sqlExec('DROP TRIGGER IF EXISTS staff_test_explode ON practitioners;');
    }
  });

  test('--dry-run, standard input, and bad arguments', () => {
    const n0 = practitioners();
    const dry = clinicd(['import', '--clinic', C.clinicId, '--dry-run', write('dry.csv', generated(5, 'dry'))]);
    assert.equal(dry.status, 0, dry.stderr);
    assert.equal(JSON.parse(dry.stdout).would_import, 5);
    assert.equal(practitioners(), n0);
    const stdin = clinicd(['import', '--clinic', C.clinicId.toUpperCase(), '-'], { input: generated(3, 'stdin') });
    assert.equal(stdin.status, 0, stdin.stderr);
    assert.equal(JSON.parse(stdin.stdout).imported, 3);
    assert.equal(practitioners(), n0 + 3);
    assert.notEqual(clinicd(['import', '--clinic', 'nope', write('x.csv', generated(1, 'x'))]).status, 0);
    assert.notEqual(clinicd(['import', '--clinic', '00000000-0000-4000-8000-000000000000', write('y.csv', generated(1, 'y'))]).status, 0);
    assert.notEqual(clinicd(['import', '--clinic', C.clinicId, join(dir, 'missing.csv')]).status, 0);
    assert.notEqual(clinicd(['import', write('z.csv', generated(1, 'z'))]).status, 0);
    // another clinic's location id is not this clinic's
    const other = clinicd(['import', '--clinic', C.clinicId, write('o.csv', `name,profession,location_ids\nO ${RUN},osteopath,${OTHER.locationId}\n`)]);
    assert.notEqual(other.status, 0);
    assert.match(other.stderr, /location_ids/);
    assert.equal(practitioners(), n0 + 3);
  });

  test('more than 10,000 rows are refused', () => {
    const rows = [`name,profession,location_ids`];
    for (let i = 0; i <= 10_000; i++) rows.push(`Many ${i},osteopath,${C.locationId}`);
    const n0 = practitioners();
    const r = clinicd(['import', '--clinic', C.clinicId, write('many.csv', `${rows.join('\n')}\n`)]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /10000 rows/);
    assert.equal(practitioners(), n0);
  });
});
