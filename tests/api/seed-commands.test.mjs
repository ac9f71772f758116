// `clinicd seed-demo` and `clinicd seed-schedule` on a database of their own in the
// test cluster (pg.sh bootstrap; seed-demo --force deletes every clinic, so never on
// the shared one): --force replaces a directory that has bookings and plans (made by
// seed-schedule, or booked by patients), which refer to their practitioner, service
// and location without a cascade; without --force nothing is touched; the pair can be
// run again and again.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = process.env.CLINICD_BIN ?? path.join(ROOT, 'build/clinicd');
const PG_DIR = process.env.PG_DIR;
const PORT = new URL(process.env.DATABASE_URL).port;
const SUPERUSER = PG_DIR ? spawnSync('stat', ['-L', '-c', '%U', path.join(PG_DIR, 'data')],
  { encoding: 'utf8' }).stdout.trim() : '';
const DB = `clinicd_seed_${process.pid}`;
const url = (role, db = DB) => `postgresql://${role}@127.0.0.1:${PORT}/${db}`;
const PRACTITIONERS = 20;

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: ROOT, timeout: 120_000, ...opts });
  return { code: r.status, stdout: r.stdout ?? '', out: (r.stdout ?? '') + (r.stderr ?? '') };
}

/** Runs a clinicd command on the suite's database; returns {code, stdout, out}. */
const clinicd = (...args) => sh(BIN, args, {
  env: { ...process.env, DATABASE_URL: url('clinicd'), CLINICD_MIGRATE_URL: url('clinicd_owner') } });

function psql(query, role = 'clinicd_owner') {
  const r = sh('psql', ['-X', '-qAt', '-v', 'ON_ERROR_STOP=1', url(role), '-c', query]);
  assert.equal(r.code, 0, r.out);
  return r.stdout.trim();
}

const count = (table) => Number(psql(`SELECT count(*) FROM ${table}`));

/** A plan of two sessions over two of the booked sessions, as a patient's would be. */
function makePlan() {
  psql(`WITH two AS (SELECT b.id, b.clinic_id, b.practitioner_id, b.service_id FROM bookings b
      WHERE b.practitioner_id = (SELECT practitioner_id FROM bookings ORDER BY id LIMIT 1) ORDER BY b.id LIMIT 2),
    s AS (INSERT INTO booking_series (clinic_id, practitioner_id, service_id, rrule, on_conflict, manage_token_hash)
      SELECT clinic_id, practitioner_id, service_id, 'FREQ=WEEKLY;COUNT=2', 'skip', decode(repeat('ab', 32), 'hex')
      FROM two LIMIT 1 RETURNING id)
    UPDATE bookings SET series_id = (SELECT id FROM s) WHERE id IN (SELECT id FROM two)`);
}

before(() => {
  assert.ok(PG_DIR, 'tests/run.sh gives PG_DIR');
  const b = sh('bash', ['backend/scripts/pg.sh', 'bootstrap', PG_DIR, PORT, DB]);
  assert.equal(b.code, 0, b.out);
  const m = clinicd('migrate');
  assert.equal(m.code, 0, m.out);
});

after(() => {
  sh('psql', ['-X', '-q', url(SUPERUSER, 'postgres'), '-c', `DROP DATABASE IF EXISTS ${DB}`]);
});

describe('seed-demo --force after seed-schedule', () => {
  test('a directory with schedules, bookings and a plan is replaced whole', () => {
    const seed = clinicd('seed-demo', '--practitioners', String(PRACTITIONERS));
    assert.equal(seed.code, 0, seed.out);
    const clinics = count('clinics');
    assert.ok(clinics > 0);
    const sched = clinicd('seed-schedule');
    assert.equal(sched.code, 0, sched.out);
    assert.ok(count('bookings') > 0, 'seed-schedule booked');
    makePlan();
    assert.equal(count('booking_series'), 1);

    const again = clinicd('seed-demo', '--practitioners', String(PRACTITIONERS), '--force');
    assert.equal(again.code, 0, again.out);
    assert.match(again.stdout, new RegExp(`; replaced ${clinics} clinics`));
    assert.equal(count('clinics'), clinics);
    assert.equal(count('practitioners'), PRACTITIONERS);
    assert.equal(count('bookings'), 0, 'the old bookings went with their clinics');
    assert.equal(count('booking_series'), 0);
    assert.equal(count('weekly_hours'), 0);
  });

  test('without --force a directory with bookings is left as it is', () => {
    const sched = clinicd('seed-schedule');
    assert.equal(sched.code, 0, sched.out);
    const booked = count('bookings');
    assert.ok(booked > 0);
    const r = clinicd('seed-demo', '--practitioners', String(PRACTITIONERS));
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /demo data already present; nothing done/);
    assert.equal(count('bookings'), booked);
  });

  test('the pair runs again and again', () => {
    for (let i = 0; i < 2; i++) {
      const f = clinicd('seed-demo', '--practitioners', String(PRACTITIONERS), '--force');
      assert.equal(f.code, 0, f.out);
      const s = clinicd('seed-schedule');
      assert.equal(s.code, 0, s.out);
      assert.ok(count('bookings') > 0);
    }
  });
});
