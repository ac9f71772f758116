// `clinicd migrate` with functions as repeatable definitions (issue 13): numbered
// migrations once each, migrations/functions/NAME.sql applied again whenever its
// checksum changes, and the migrations rewritten to move their functions out accepted
// for databases that applied them before, through migrations/former-checksums only.
// Each case makes databases of its own in the test cluster (pg.sh bootstrap): a fresh
// one, and one migrated with main's migrations as they were before issue 13 (from git)
// then upgraded; both must end with the same schema.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync,
  appendFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MIGRATIONS = path.join(ROOT, 'migrations');
const BIN = process.env.CLINICD_BIN ?? path.join(ROOT, 'build/clinicd');
// the last commit of main whose migrations still held the functions
const BEFORE_ISSUE_13 = '5f47643';
const PG_DIR = process.env.PG_DIR;
const PORT = new URL(process.env.DATABASE_URL).port;
const SUPERUSER = PG_DIR ? spawnSync('stat', ['-L', '-c', '%U', path.join(PG_DIR, 'data')],
  { encoding: 'utf8' }).stdout.trim() : '';
const url = (db, role) => `postgresql://${role}@127.0.0.1:${PORT}/${db}`;
const tmp = mkdtempSync(path.join(tmpdir(), 'clinicd-migrate-'));
const made = [];

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: ROOT, ...opts });
  return { code: r.status, out: (r.stdout ?? '') + (r.stderr ?? '') };
}

function newDatabase(name) {
  const db = `${name}_${process.pid}`;
  const r = sh('bash', ['backend/scripts/pg.sh', 'bootstrap', PG_DIR, PORT, db]);
  assert.equal(r.code, 0, r.out);
  made.push(db);
  return db;
}

function migrate(db, dir = MIGRATIONS) {
  return sh(BIN, ['migrate', '--dir', dir], {
    env: { ...process.env, CLINICD_MIGRATE_URL: url(db, 'clinicd_owner'), DATABASE_URL: url(db, 'clinicd') },
  });
}

function psql(db, query, role = 'clinicd_owner') {
  const r = sh('psql', ['-X', '-qAt', '-v', 'ON_ERROR_STOP=1', url(db, role), '-c', query]);
  assert.equal(r.code, 0, r.out);
  return r.out.trim();
}

function schema(db) {
  const r = sh('pg_dump', ['-s', '-O', '-x', url(db, SUPERUSER)]);
  assert.equal(r.code, 0, r.out);
  return r.out.split('\n').filter((l) => !/^\\(un)?restrict /.test(l) && !l.startsWith('--')).join('\n');
}

function copyTree(name) {
  const dir = path.join(tmp, name);
  cpSync(MIGRATIONS, dir, { recursive: true });
  return dir;
}

const numbered = readdirSync(MIGRATIONS).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f));
const functions = readdirSync(path.join(MIGRATIONS, 'functions')).filter((f) => f.endsWith('.sql'));
const rewritten = readFileSync(path.join(MIGRATIONS, 'former-checksums'), 'utf8').split('\n')
  .filter((l) => /^\d{4} /.test(l));

after(() => {
  for (const db of made) {
    sh('psql', ['-X', '-q', url('postgres', SUPERUSER), '-c', `DROP DATABASE IF EXISTS ${db}`]);
  }
  rmSync(tmp, { recursive: true, force: true });
});

test('one definition per function: none in numbered migrations, one file each', () => {
  for (const f of numbered) {
    const text = readFileSync(path.join(MIGRATIONS, f), 'utf8');
    assert.doesNotMatch(text, /CREATE (OR REPLACE )?FUNCTION/i, f);
  }
  for (const f of functions) {
    const text = readFileSync(path.join(MIGRATIONS, 'functions', f), 'utf8');
    const defs = [...text.matchAll(/CREATE (OR REPLACE )?FUNCTION ([a-z0-9_]+)\(/gi)];
    assert.deepEqual(defs.map((m) => m[2]), [f.slice(0, -4)], f);
  }
  // book_slot, once in the whole tree (sources, tests, docs)
  const r = sh('git', ['grep', '--untracked', '-l', '-i', '-E', 'CREATE (OR REPLACE )?FUNCTION book_slot\\(', '--', '.']);
  assert.deepEqual(r.out.trim().split('\n'), ['migrations/functions/book_slot.sql']);
});

test('a fresh database: every migration, then every function, once', () => {
  const db = newDatabase('mig_fresh');
  let r = migrate(db);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, new RegExp(`${numbered.length} applied, ${functions.length} functions re-applied, 0 rewritten`));
  for (const f of functions) assert.match(r.out, new RegExp(`re-applied functions/${f} \\(new`));
  r = migrate(db);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /0 applied, 0 functions re-applied, 0 rewritten/);
  assert.equal(psql(db, 'SELECT count(*) FROM schema_functions'), String(functions.length));
  // the service's role reads the table (serve checks it) and cannot write it
  assert.equal(psql(db, 'SELECT count(*) FROM schema_functions', 'clinicd'), String(functions.length));
  const w = sh('psql', ['-X', '-qAt', url(db, 'clinicd'), '-c', "DELETE FROM schema_functions"]);
  assert.match(w.out, /permission denied/);
});

test('a database of the old migrations: refused by serve, upgraded by migrate, same schema as fresh', (t) => {
  const old = path.join(tmp, 'old');
  const a = sh('bash', ['-c', `mkdir -p ${old} && git archive ${BEFORE_ISSUE_13} migrations | tar -x -C ${old}`]);
  if (a.code !== 0) return t.skip(`no git history here (${a.out.trim()})`);
  const db = newDatabase('mig_old');
  let r = migrate(db, path.join(old, 'migrations'));
  assert.equal(r.code, 0, r.out);
  // data written by the old functions: an audit row in a chain
  psql(db, "INSERT INTO audit_log (actor_type, action, outcome) VALUES ('operator', 'probe', 'success')");

  r = sh(BIN, ['serve'], { env: { ...process.env, DATABASE_URL: url(db, 'clinicd'), PORT: '1' }, timeout: 20000 });
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /recorded as a former version .*run `clinicd migrate` first/);

  r = migrate(db);
  assert.equal(r.code, 0, r.out);
  // the numbered migrations written since (they are new to this database)
  const newer = numbered.filter((f) => !existsSync(path.join(old, 'migrations', f))).length;
  assert.match(r.out, new RegExp(`${newer} applied, ${functions.length} functions re-applied, ${rewritten.length} rewritten`));
  for (const line of rewritten) {
    const file = numbered.find((f) => f.startsWith(line.slice(0, 4)));
    assert.match(r.out, new RegExp(`${file} was applied as a former version listed in former-checksums`));
  }
  assert.match(migrate(db).out, /0 applied, 0 functions re-applied, 0 rewritten/);
  // the chain goes on from the old row, and book_slot has one signature
  psql(db, "INSERT INTO audit_log (actor_type, action, outcome) VALUES ('operator', 'probe2', 'success')");
  assert.equal(psql(db, "SELECT count(*) FROM pg_proc WHERE proname = 'book_slot'"), '1');
  const chain = sh(BIN, ['audit', 'verify'], { env: { ...process.env, DATABASE_URL: url(db, 'clinicd') } });
  assert.equal(chain.code, 0, chain.out);

  const fresh = newDatabase('mig_fresh2');
  assert.equal(migrate(fresh).code, 0);
  assert.equal(schema(db), schema(fresh));
});

test('an old database stopped half-way (at 0009) upgrades through the new files', (t) => {
  const old = path.join(tmp, 'half');
  const a = sh('bash', ['-c', `mkdir -p ${old} && git archive ${BEFORE_ISSUE_13} migrations | tar -x -C ${old}`
    + ` && rm ${old}/migrations/001*`]);
  if (a.code !== 0) return t.skip(`no git history here (${a.out.trim()})`);
  const db = newDatabase('mig_half');
  assert.equal(migrate(db, path.join(old, 'migrations')).code, 0);
  const r = migrate(db);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, new RegExp(`${numbered.length - 9} applied, \\d+ functions re-applied`));
  assert.equal(psql(db, "SELECT count(*) FROM pg_proc WHERE proname IN ('book_slot', 'booking_move')"), '2');
  const fresh = newDatabase('mig_fresh3');
  assert.equal(migrate(fresh).code, 0);
  assert.equal(schema(db), schema(fresh));
});

test('edits: a numbered migration is refused, a function is re-applied, a former checksum only for its file', () => {
  const db = newDatabase('mig_edit');
  assert.equal(migrate(db).code, 0);
  const dir = copyTree('edit');
  const fn = path.join(dir, 'functions', 'bulk_loading.sql');
  appendFileSync(fn, '-- a note\n');
  let r = migrate(db, dir);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /re-applied functions\/bulk_loading\.sql \(changed: checksum/);
  assert.match(r.out, /0 applied, 1 functions re-applied/);
  assert.equal(psql(db, "SELECT count(*) FROM schema_functions WHERE name = 'bulk_loading'"), '1');

  // a function file whose body does not hold against the schema: nothing of the run stays
  writeFileSync(fn, readFileSync(fn, 'utf8').replace("current_setting('clinicd.bulk_load', true)",
    '(SELECT no_such_column FROM clinics LIMIT 1)'));
  r = migrate(db, dir);
  assert.notEqual(r.code, 0);
  assert.match(r.out, /no_such_column/);

  // an edited numbered migration is refused, even one that has former checksums listed
  const d2 = copyTree('edit2');
  appendFileSync(path.join(d2, '0008_booking_fast_path.sql'), '-- edited\n');
  r = migrate(db, d2);
  assert.notEqual(r.code, 0);
  assert.match(r.out, /0008_booking_fast_path\.sql was edited after it was applied/);
  // a former checksum counts for its own version only
  const former8 = readFileSync(path.join(MIGRATIONS, 'former-checksums'), 'utf8').match(/^0008 ([0-9a-f]{64})/m)[1];
  psql(db, `UPDATE schema_migrations SET checksum = '${former8}' WHERE version = 5`);
  r = migrate(db);
  assert.notEqual(r.code, 0);
  assert.match(r.out, /0005_outbox_delivery\.sql was edited after it was applied/);
});

test('a function removed from the tree: warned of while it exists, forgotten once a migration drops it', () => {
  const db = newDatabase('mig_drop');
  assert.equal(migrate(db).code, 0);
  const dir = copyTree('drop');
  const probe = path.join(dir, 'functions', 'zz_probe.sql');
  writeFileSync(probe, '-- migrate: before 0014\nCREATE OR REPLACE FUNCTION zz_probe() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n');
  let r = migrate(db, dir);
  assert.match(r.out, /re-applied functions\/zz_probe\.sql \(new/);
  // a new signature without dropping the old one leaves two: refused, nothing kept
  writeFileSync(probe, '-- migrate: before 0014\nCREATE OR REPLACE FUNCTION zz_probe(x int) RETURNS int LANGUAGE sql AS $$ SELECT x $$;\n');
  r = migrate(db, dir);
  assert.notEqual(r.code, 0);
  assert.match(r.out, /functions\/zz_probe\.sql: the database has 2 functions of that name/);
  assert.equal(psql(db, "SELECT count(*) FROM pg_proc WHERE proname = 'zz_probe'"), '1');

  unlinkSync(probe);
  r = migrate(db, dir);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /functions\/zz_probe\.sql is gone but zz_probe\(\) is still in the database/);
  assert.equal(psql(db, "SELECT zz_probe()"), '1');
  writeFileSync(path.join(dir, '0099_drop_probe.sql'), 'DROP FUNCTION zz_probe();\n');
  r = migrate(db, dir);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /functions\/zz_probe\.sql is gone and so is the function: no longer tracked/);
  assert.equal(psql(db, "SELECT count(*) FROM schema_functions WHERE name = 'zz_probe'"), '0');
  assert.ok(statSync(dir).isDirectory());
});
