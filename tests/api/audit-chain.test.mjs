// The tamper-evident audit log (migration 0014): the database sets each row's time and
// chains each row to the previous row of its clinic with SHA-256; `clinicd audit verify`
// recomputes the chains.  The tampering here is done as the database's owner (who can
// disable the append-only trigger) on a clinic of this suite's own, and every change is
// put back, so the whole log verifies again at the end.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request, sql, lit } from './lib.mjs';
import {
  RUN, clinicd, createClinic, createUser, login, loginOk, bearer, clearThrottle, freshEmail,
} from './staff-fixtures.mjs';

const ZERO = '0'.repeat(64);
const run = promisify(execFile);
let CLINIC; // a clinic of this suite's own, with a few audit rows
let ADMIN;  // its admin (created with the command line), signed in
let TMP;

/** psql as the service's role (what the running service is). */
const asService = (statement) => spawnSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', process.env.DATABASE_URL, '-c', statement],
  { encoding: 'utf8' });
/** psql as the owner, in one transaction. */
function asOwner(statements) {
  const r = spawnSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-1', process.env.OWNER_DATABASE_URL, '-c', statements],
    { encoding: 'utf8' });
  assert.equal(r.status, 0, `as the owner: ${r.stderr}`);
  return r.stdout;
}
/** Runs statements as the owner with the append-only trigger off, inside one transaction
 * (so nobody else ever sees it off). */
const tamper = (statements, { chainTrigger = false } = {}) => asOwner(`
  ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
  ${chainTrigger ? 'ALTER TABLE audit_log DISABLE TRIGGER audit_log_chain;' : ''}
  ${statements};
  ${chainTrigger ? 'ALTER TABLE audit_log ENABLE TRIGGER audit_log_chain;' : ''}
  ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;`);

const verify = (...args) => clinicd(['audit', 'verify', ...args]);
const rowsOfClinic = (clinic) => sql(`SELECT id, encode(prev_hash, 'hex') AS prev, encode(hash, 'hex') AS hash,
    audit_log_canonical(a) AS canonical FROM audit_log a WHERE clinic_id = ${lit(clinic)} ORDER BY id`);
/** A whole row as JSON (bytea as \x... text), to put back exactly. */
const wholeRow = (id) => sql(`SELECT to_jsonb(a) AS j FROM audit_log a WHERE id = ${id}`)[0].j;
const putBack = (row) => tamper(`INSERT INTO audit_log OVERRIDING SYSTEM VALUE
  SELECT * FROM jsonb_populate_record(NULL::audit_log, ${lit(JSON.stringify(row))}::jsonb);`, { chainTrigger: true });

/** Asserts that verification fails, naming the clinic and the row. */
function failsAt(r, clinic, id, what) {
  assert.equal(r.status, 1, `${what}: verify should fail: ${r.stdout}${r.stderr}`);
  assert.ok(r.stdout.includes(`clinic ${clinic}: row ${id}:`), `${what}: should name clinic ${clinic} row ${id}: ${r.stdout}`);
}

before(async () => {
  clearThrottle();
  TMP = mkdtempSync(join(tmpdir(), 'audit-chain-'));
  CLINIC = createClinic(`Audit chain ${RUN}`);
  ADMIN = createUser({ clinic: CLINIC, role: 'clinic_admin', email: freshEmail('chain-admin') });
  for (let i = 0; i < 3; i++) await loginOk(ADMIN.email, ADMIN.password);
  await login(ADMIN.email, `wrong-${RUN}`); // a failure, in the clinic's chain
  ADMIN.token = await loginOk(ADMIN.email, ADMIN.password);
  clearThrottle();
});

after(() => {
  rmSync(TMP, { recursive: true, force: true });
  clearThrottle();
});

describe('the database writes the time and the hashes', () => {
  test('a row inserted by the service\'s role with another time gets the time of the insert', () => {
    const action = `at_override_${RUN}`;
    const r = asService(`INSERT INTO audit_log (actor_type, action, outcome, clinic_id, at)
      VALUES ('operator', '${action}', 'success', ${lit(CLINIC)}, '2001-01-01T00:00:00Z')`);
    assert.equal(r.status, 0, r.stderr);
    const row = sql(`SELECT at, extract(epoch FROM now() - at) AS age_s FROM audit_log WHERE action = '${action}'`)[0];
    assert.ok(row.age_s >= 0 && row.age_s < 60, `at is ${row.at}, not now`);
  });

  test('the id, hash and previous hash the inserter gives are replaced too', () => {
    const action = `hash_override_${RUN}`;
    const r = asService(`INSERT INTO audit_log (id, actor_type, action, outcome, clinic_id, prev_hash, hash)
      OVERRIDING SYSTEM VALUE VALUES (1, 'operator', '${action}', 'success', ${lit(CLINIC)}, '\\x00', '\\x00')`);
    assert.equal(r.status, 0, r.stderr);
    const row = sql(`SELECT id, length(hash) AS n FROM audit_log WHERE action = '${action}'`)[0];
    assert.notEqual(Number(row.id), 1);
    assert.equal(row.n, 32);
    assert.equal(verify('--clinic', CLINIC).status, 0);
  });

  test('the service\'s role cannot write the chain heads, or change a row\'s hash', () => {
    for (const stmt of ['UPDATE audit_chain_heads SET n = 0', 'DELETE FROM audit_chain_heads',
      `INSERT INTO audit_chain_heads VALUES ('${'1'.repeat(8)}-1111-4111-8111-${'1'.repeat(12)}', 1, '\\x00', 1)`,
      `UPDATE audit_log SET hash = prev_hash WHERE clinic_id = ${lit(CLINIC)}`]) {
      const r = asService(stmt);
      assert.notEqual(r.status, 0, `${stmt} succeeded as the service's role`);
      assert.match(r.stderr, /permission denied|append-only/i);
    }
  });

  test('each row\'s hash is SHA-256 of the previous row\'s hash and its canonical text, from zero per clinic', () => {
    const rows = rowsOfClinic(CLINIC);
    assert.ok(rows.length >= 7, `${rows.length} rows`);
    let prev = ZERO;
    for (const r of rows) {
      assert.equal(r.prev, prev, `row ${r.id} follows the previous row of its clinic`);
      const want = createHash('sha256').update(Buffer.concat([Buffer.from(prev, 'hex'), Buffer.from(r.canonical, 'utf8')])).digest('hex');
      assert.equal(r.hash, want, `row ${r.id}: ${r.canonical}`);
      prev = r.hash;
    }
    // the canonical text names every field, the time in UTC with microseconds
    const c = JSON.parse(rows[0].canonical);
    assert.equal(c.length, 15);
    assert.equal(c[0], 1);
    assert.match(c[2], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const head = sql(`SELECT last_id, encode(last_hash, 'hex') AS h, n FROM audit_chain_heads WHERE chain = ${lit(CLINIC)}`)[0];
    assert.deepEqual([Number(head.last_id), head.h, Number(head.n)], [Number(rows.at(-1).id), prev, rows.length]);
  });

  test('the API lists each entry\'s hash', async () => {
    const r = await request('GET', `/api/v1/clinics/${CLINIC}/audit-log?limit=3`, { headers: bearer(ADMIN.token) });
    assert.equal(r.status, 200, r.text);
    const truth = new Map(rowsOfClinic(CLINIC).map((x) => [Number(x.id), x.hash]));
    for (const e of r.json.items) assert.equal(e.hash, truth.get(Number(e.id)));
  });

  test('concurrent writers to one clinic still make one unbroken chain, ids rising along it', async () => {
    // 12 sessions of the service's role at once, each inserting 5 rows in a transaction
    // (psql rather than sign-ins, whose password hashing would queue them anyway)
    const before = rowsOfClinic(CLINIC).length;
    const insert = `BEGIN; ${Array.from({ length: 5 }, () => `INSERT INTO audit_log (actor_type, action, outcome, clinic_id)
      VALUES ('operator', 'concurrent_${RUN}', 'success', ${lit(CLINIC)});`).join(' ')} COMMIT;`;
    await Promise.all(Array.from({ length: 12 }, () => run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', process.env.DATABASE_URL, '-c', insert])));
    const rows = rowsOfClinic(CLINIC);
    assert.equal(rows.length, before + 60);
    for (let i = 1; i < rows.length; i++) assert.equal(rows[i].prev, rows[i - 1].hash, `row ${rows[i].id}`);
    const at = sql(`SELECT at FROM audit_log WHERE clinic_id = ${lit(CLINIC)} ORDER BY id`).map((x) => Date.parse(x.at));
    for (let i = 1; i < at.length; i++) assert.ok(at[i] >= at[i - 1], 'time never goes back along the chain');
    assert.equal(verify('--clinic', CLINIC).status, 0);
  });
});

describe('clinicd audit verify', () => {
  test('the whole log holds: exit 0 with a count', () => {
    const r = verify();
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const m = /(\d+) rows in (\d+) chains verified/.exec(r.stdout);
    assert.ok(m, r.stdout);
    const total = sql('SELECT count(*)::int AS n FROM audit_log')[0].n;
    assert.equal(Number(m[1]), total);
  });

  test('a row whose detail was edited by the owner: verification fails at that row', () => {
    const rows = rowsOfClinic(CLINIC);
    const victim = rows[2];
    const saved = wholeRow(victim.id);
    tamper(`UPDATE audit_log SET detail = '{"note": "nothing happened"}' WHERE id = ${victim.id}`);
    try {
      failsAt(verify('--clinic', CLINIC), CLINIC, victim.id, 'edited detail');
      failsAt(verify(), CLINIC, victim.id, 'edited detail, whole log');
      assert.match(verify('--clinic', CLINIC).stdout, /content does not match its hash/);
    } finally {
      tamper(`UPDATE audit_log SET detail = ${lit(saved.detail === null ? null : JSON.stringify(saved.detail))}::jsonb WHERE id = ${victim.id}`);
    }
    assert.equal(verify('--clinic', CLINIC).status, 0, 'put back, it holds again');
  });

  test('a row whose time or outcome was edited: verification fails at that row', () => {
    const victim = rowsOfClinic(CLINIC)[3];
    const saved = wholeRow(victim.id);
    for (const [set, restore] of [
      [`at = at - interval '1 day'`, `at = ${lit(saved.at)}`],
      [`at = at + interval '1 microsecond'`, `at = ${lit(saved.at)}`],
      [`outcome = 'success', actor_email = 'someone@else.example'`, `outcome = ${lit(saved.outcome)}, actor_email = ${lit(saved.actor_email)}`],
    ]) {
      tamper(`UPDATE audit_log SET ${set} WHERE id = ${victim.id}`);
      try {
        failsAt(verify('--clinic', CLINIC), CLINIC, victim.id, set);
      } finally {
        tamper(`UPDATE audit_log SET ${restore} WHERE id = ${victim.id}`);
      }
      assert.equal(verify('--clinic', CLINIC).status, 0, `put back after ${set}`);
    }
  });

  test('a deleted row: verification fails at the row after it; a deleted last row, at the chain\'s head', () => {
    const rows = rowsOfClinic(CLINIC);
    const middle = rows[1];
    const saved = wholeRow(middle.id);
    tamper(`DELETE FROM audit_log WHERE id = ${middle.id}`);
    try {
      const r = verify('--clinic', CLINIC);
      failsAt(r, CLINIC, rows[2].id, 'deleted middle row');
      assert.match(r.stdout, /does not follow the row before it/);
    } finally {
      putBack(saved);
    }
    assert.equal(verify('--clinic', CLINIC).status, 0, 'put back, it holds again');

    const last = rows.at(-1);
    const savedLast = wholeRow(last.id);
    tamper(`DELETE FROM audit_log WHERE id = ${last.id}`);
    try {
      failsAt(verify('--clinic', CLINIC), CLINIC, last.id, 'deleted last row');
    } finally {
      putBack(savedLast);
    }
    assert.equal(verify('--clinic', CLINIC).status, 0);
  });

  test('a row added behind the trigger\'s back fails too', () => {
    const tail = rowsOfClinic(CLINIC).at(-1);
    const forged = { ...wholeRow(tail.id), id: Number(tail.id) + 1_000_000, action: 'forged', prev_hash: `\\x${tail.hash}`, hash: `\\x${'ab'.repeat(32)}` };
    putBack(forged);
    try {
      failsAt(verify('--clinic', CLINIC), CLINIC, forged.id, 'forged row');
    } finally {
      tamper(`DELETE FROM audit_log WHERE id = ${forged.id}`);
    }
    assert.equal(verify('--clinic', CLINIC).status, 0);
  });

  test('an owner who rewrites the chain from an edit onwards passes verify, but not exported heads', () => {
    const exported = clinicd(['audit', 'heads']);
    assert.equal(exported.status, 0, exported.stderr);
    assert.ok(exported.stdout.includes(`${CLINIC} `), exported.stdout);
    const file = join(TMP, 'heads.txt');
    writeFileSync(file, exported.stdout);
    assert.equal(verify('--heads', file).status, 0, 'the exported heads hold now');

    const rows = rowsOfClinic(CLINIC);
    const saved = sql(`SELECT id, detail, encode(prev_hash, 'hex') AS prev, encode(hash, 'hex') AS hash FROM audit_log
      WHERE clinic_id = ${lit(CLINIC)} ORDER BY id`);
    const head = sql(`SELECT last_id, encode(last_hash, 'hex') AS h, n FROM audit_chain_heads WHERE chain = ${lit(CLINIC)}`)[0];
    const victim = rows[2];
    // the whole rewrite, as an owner who knows the scheme would do it
    tamper(`UPDATE audit_log SET detail = '{"note": "rewritten"}' WHERE id = ${victim.id};
      DO $$ DECLARE r audit_log; prev bytea := decode(repeat('00', 32), 'hex'); BEGIN
        FOR r IN SELECT * FROM audit_log WHERE clinic_id = ${lit(CLINIC)} ORDER BY id LOOP
          UPDATE audit_log SET prev_hash = prev, hash = audit_log_hash(prev, audit_log_canonical(r)) WHERE id = r.id
            RETURNING hash INTO prev;
        END LOOP;
        UPDATE audit_chain_heads SET last_hash = prev WHERE chain = ${lit(CLINIC)};
      END $$;`);
    try {
      assert.equal(verify('--clinic', CLINIC).status, 0, 'a consistent rewrite passes the chain check (README: what it does not prove)');
      const r = verify('--heads', file);
      assert.equal(r.status, 1, r.stdout);
      assert.ok(r.stdout.includes(`clinic ${CLINIC}: row ${head.last_id}: not in the log with the hash exported`), r.stdout);
    } finally {
      const values = saved.map((x) => `(${x.id}, ${lit(x.detail === null ? null : JSON.stringify(x.detail))}::jsonb, decode('${x.prev}', 'hex'), decode('${x.hash}', 'hex'))`).join(', ');
      tamper(`UPDATE audit_log a SET detail = v.detail, prev_hash = v.prev, hash = v.hash
          FROM (VALUES ${values}) AS v(id, detail, prev, hash) WHERE a.id = v.id;
        UPDATE audit_chain_heads SET last_hash = decode('${head.h}', 'hex') WHERE chain = ${lit(CLINIC)};`);
    }
    assert.equal(verify('--heads', file).status, 0, 'put back, the exported heads hold again');
  });

  test('usage: bad arguments are exit 2', () => {
    assert.equal(clinicd(['audit']).status, 2);
    assert.equal(verify('--clinic', 'not-an-id').status, 2);
    assert.equal(verify('--frobnicate').status, 2);
    assert.equal(clinicd(['audit', 'verify', '--clinic', 'none']).status, 0);
  });

  test('in the end the whole log holds', () => {
    const r = verify();
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
});
