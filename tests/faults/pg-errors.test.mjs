// Honest answers when PostgreSQL cannot do its part (issue 12, item 5): a read-only
// database (SQLSTATE 25006), a full disk (53100) and no connection to spare (53300)
// answer 503 problem+json with Retry-After and a `reason` naming the fault -- never a
// 500 -- while reads that need no write go on; /readyz says 503 with the same reason
// while the fault lasts (read-only and out of connections by its own check, a full disk
// for 10 s after a write last met it), and both recover on their own once the fault is
// gone.
//
// Made for real on a cluster of this suite's own (var/pgerrors-<pid>, pg.sh) with a
// clinicd of its own:
// - read-only for new sessions: ALTER DATABASE ... SET default_transaction_read_only =
//   on as the database's owner, the service's sessions then ended (as a failover ends
//   them); and for every session at once: ALTER SYSTEM + pg_reload_conf();
// - a full disk: the notifications table moved to a tablespace on a 4 MiB tmpfs
//   mounted by the test, then filled (root only: skipped otherwise); the tmpfs is
//   unmounted afterwards, whatever happened;
// - out of connections: max_connections lowered to 14 (ALTER SYSTEM, restart) and every
//   slot but the superuser's reserved ones taken by psql sessions of the schema owner
//   (the service's own sessions ended first, while its role may not log in, so that it
//   cannot take a slot back before they are all taken).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, statSync, chownSync, chmodSync, openSync, writeSync, closeSync, rmSync, existsSync } from 'node:fs';
import path from 'node:path';
import { at, fmt, addDays, today } from '../api/fixtures.mjs';
import { createCluster, clusterDir, startClinicd, pgsh, psql, rows, run, lit, http, sleep, uuid } from './lib.mjs';

const TZ = 'America/Los_Angeles';
const PREFIX = 'pgerrors-';
const FAULT_MEMORY_MS = 10_000; // site/health.c
let C; // cluster
let S; // clinicd
let P; // {clinicId, serviceId, practitionerId}
const firstDay = today(TZ, 2);

async function createPractice(ownerUrl) {
  const p = { clinicId: uuid(), locationId: uuid(), serviceId: uuid(), practitionerId: uuid() };
  await psql(ownerUrl, `BEGIN;
    INSERT INTO clinics (id, name, min_notice_minutes, booking_horizon_days, slot_step_minutes,
        max_open_bookings_per_contact)
      VALUES (${lit(p.clinicId)}, 'PG errors clinic', 0, 400, 30, 1000);
    INSERT INTO locations (id, clinic_id, name, address, city, region, postcode, country, geog, timezone)
      VALUES (${lit(p.locationId)}, ${lit(p.clinicId)}, 'Rooms', '1 Test Street', 'Los Angeles', 'CA',
        '00000', 'US', ST_SetSRID(ST_MakePoint(-118.25, 34.05), 4326)::geography, ${lit(TZ)});
    INSERT INTO services (id, clinic_id, name, duration_minutes, price_cents, currency)
      VALUES (${lit(p.serviceId)}, ${lit(p.clinicId)}, 'Visit', 30, 5000, 'USD');
    INSERT INTO practitioners (id, clinic_id, name, profession_id)
      VALUES (${lit(p.practitionerId)}, ${lit(p.clinicId)}, 'Pat Errors', (SELECT id FROM professions ORDER BY id LIMIT 1));
    INSERT INTO practitioner_locations (clinic_id, practitioner_id, location_id)
      VALUES (${lit(p.clinicId)}, ${lit(p.practitionerId)}, ${lit(p.locationId)});
    INSERT INTO practitioner_services (clinic_id, practitioner_id, service_id)
      VALUES (${lit(p.clinicId)}, ${lit(p.practitionerId)}, ${lit(p.serviceId)});
    INSERT INTO weekly_hours (clinic_id, practitioner_id, location_id, weekday, start_time, end_time)
      SELECT ${lit(p.clinicId)}, ${lit(p.practitionerId)}, ${lit(p.locationId)}, wd, '08:00', '20:00'
      FROM generate_series(1, 7) wd;
    COMMIT;`);
  return p;
}

// every booking a slot of its own: 24 a day from firstDay on
let slotSeq = 0;
function nextSlot() {
  const i = slotSeq++;
  return at(addDays(firstDay, Math.floor(i / 24)), '08:00', TZ) + (i % 24) * 30 * 60_000;
}
const book = () => http(S.base, 'POST', '/api/v1/bookings', { body: {
  practitioner_id: P.practitionerId, service_id: P.serviceId, start: fmt(nextSlot(), TZ),
  patient: { name: 'Fault Patient', email: `fault.${uuid().slice(0, 8)}@example.org` } } });
const joinWaitlist = () => http(S.base, 'POST', '/api/v1/waitlist', { body: {
  practitioner_id: P.practitionerId, service_id: P.serviceId, from: fmt(at(addDays(firstDay, 1), '08:00', TZ), TZ),
  to: fmt(at(addDays(firstDay, 1), '20:00', TZ), TZ),
  patient: { name: 'Fault Patient', email: `wait.${uuid().slice(0, 8)}@example.org` } } });
const profile = () => http(S.base, 'GET', `/api/v1/practitioners/${P.practitionerId}`);
const readyz = () => http(S.base, 'GET', '/readyz');

/** Asserts a 503 problem+json with a Retry-After of whole seconds and the reason. */
function assertFault(r, reason, what) {
  assert.equal(r.status, 503, `${what}: ${r.status} ${r.text}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/, what);
  assert.match(r.headers.get('retry-after') ?? '', /^\d+$/, `${what}: Retry-After ${r.headers.get('retry-after')}`);
  assert.ok(Number(r.headers.get('retry-after')) >= 1);
  assert.equal(r.json?.status, 503);
  assert.equal(r.json?.reason, reason, `${what}: ${r.text}`);
}

/** Polls fn until it returns a truthy value or ms pass; returns the last value. */
async function waitFor(fn, ms, every = 200) {
  const end = Date.now() + ms;
  let v;
  for (;;) {
    v = await fn();
    if (v || Date.now() > end) return v;
    await sleep(every);
  }
}

/** Ends the service's sessions from the database side (as a failover would). */
const endServiceSessions = () => psql(C.superUrl,
  `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = 'clinicd'`);

/** psql as url with the session read-write whatever the database or system says. */
const psqlRw = (url, statements) => run('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', url, '-c', statements],
  { env: { PGOPTIONS: '-c default_transaction_read_only=off', PGCONNECT_TIMEOUT: '3' }, timeout: 30_000 });

/** Once the fault is gone: a booking goes through and /readyz says 200 again. */
async function assertRecovers(t, what) {
  const t0 = Date.now();
  const booked = await waitFor(async () => ((await book()).status === 201 ? Date.now() : 0), 10_000);
  assert.ok(booked, `${what}: no booking went through within 10 s of the fault's end`);
  const ready = await waitFor(async () => ((await readyz()).status === 200 ? Date.now() : 0), FAULT_MEMORY_MS + 5000);
  assert.ok(ready, `${what}: /readyz still 503 ${FAULT_MEMORY_MS + 5000} ms after the fault's end`);
  t.diagnostic(`${what}: booking again after ${booked - t0} ms, /readyz 200 after ${ready - t0} ms`);
}

before(async () => {
  C = await createCluster(PREFIX, 'clinicd_pgerrors');
  P = await createPractice(C.ownerUrl);
  S = await startClinicd({
    databaseUrl: C.appUrl, logName: 'pg-errors-server',
    env: { CLINICD_DB_POOL_SIZE: '4', CLINICD_HTTP_WORKERS: '4', CLINICD_LOG_LEVEL: 'warn' },
  });
  assert.ok(await waitFor(async () => (await readyz()).status === 200, 30_000), 'clinicd never became ready');
  assert.equal((await book()).status, 201);
});

after(async () => {
  if (S) await S.stop();
  await pgsh('destroy', clusterDir(PREFIX)).catch(() => {});
});

describe('faults of PostgreSQL', { timeout: 240_000 }, () => {
  test('read-only for new sessions (ALTER DATABASE ... SET default_transaction_read_only): 503 read-only, /readyz says so, then recovers', { timeout: 60_000 }, async (t) => {
    await psql(C.ownerUrl, `ALTER DATABASE ${C.db} SET default_transaction_read_only = on`);
    try {
      await endServiceSessions();
      const b = await book();
      assertFault(b, 'read-only', 'POST /bookings');
      assertFault(await joinWaitlist(), 'read-only', 'POST /waitlist');
      const p = await profile();
      assert.equal(p.status, 200, `reads go on: ${p.status} ${p.text}`);
      assertFault(await readyz(), 'read-only', '/readyz');
      t.diagnostic(`booking: ${b.status} ${b.json?.reason}, Retry-After ${b.headers.get('retry-after')}: ${b.json?.detail}`);
    } finally {
      await psqlRw(C.ownerUrl, `ALTER DATABASE ${C.db} RESET default_transaction_read_only`);
    }
    // (no session is ended this time: the ones that met the fault were closed by the service)
    await assertRecovers(t, 'read-only (database)');
  });

  test('read-only for every session (ALTER SYSTEM + reload): /readyz says so before any write fails; 503 read-only; recovers', { timeout: 60_000 }, async (t) => {
    await psqlRw(C.superUrl, 'ALTER SYSTEM SET default_transaction_read_only = on');
    await psqlRw(C.superUrl, 'SELECT pg_reload_conf()');
    try {
      // readiness finds it by itself (the sessions' next transaction is read-only)
      const r = await waitFor(async () => { const x = await readyz(); return x.status === 503 ? x : null; }, 5000);
      assert.ok(r, '/readyz did not notice the read-only database');
      assertFault(r, 'read-only', '/readyz');
      assertFault(await book(), 'read-only', 'POST /bookings');
      assert.equal((await profile()).status, 200, 'reads go on');
    } finally {
      await psqlRw(C.superUrl, 'ALTER SYSTEM RESET default_transaction_read_only');
      await psqlRw(C.superUrl, 'SELECT pg_reload_conf()');
    }
    await assertRecovers(t, 'read-only (system)');
  });

  const mountDir = path.join('/tmp', `clinicd-diskfull-${process.pid}`);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  test('a full disk (SQLSTATE 53100): 503 disk-full, never 500; /readyz says so; recovers once there is room', {
    timeout: 90_000,
    skip: isRoot ? false : 'needs root to mount a small tmpfs for the tablespace (run as root to include it)',
  }, async (t) => {
    let mounted = false;
    let moved = false;
    try {
      mkdirSync(mountDir, { recursive: true });
      await run('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', mountDir]);
      mounted = true;
      // the server runs as the data directory's owner
      const { uid, gid } = statSync(path.join(C.dir, 'data'));
      chownSync(mountDir, uid, gid);
      const ts = path.join(mountDir, 'ts');
      mkdirSync(ts);
      chownSync(ts, uid, gid);
      chmodSync(ts, 0o700);
      await psql(C.superUrl, `CREATE TABLESPACE clinicd_small LOCATION ${lit(ts)}`);
      await psql(C.superUrl, 'ALTER TABLE notifications SET TABLESPACE clinicd_small');
      moved = true;
      // fill what is left of the 4 MiB
      const filler = path.join(mountDir, 'filler');
      const fd = openSync(filler, 'w');
      const chunk = Buffer.alloc(64 * 1024);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (e) {
        assert.equal(e.code, 'ENOSPC', String(e));
      } finally {
        closeSync(fd);
      }
      // book until a booking needs a new page of notifications (a page holds a few dozen)
      const seen = {};
      let full = null;
      for (let i = 0; i < 400 && !full; i++) {
        const r = await book();
        seen[r.status] = (seen[r.status] ?? 0) + 1;
        if (r.status === 503) full = r;
        else assert.equal(r.status, 201, `before the disk was full: ${r.status} ${r.text}`);
      }
      t.diagnostic(`answers until the disk was full: ${JSON.stringify(seen)}`);
      assert.ok(full, 'no booking met the full disk');
      assertFault(full, 'disk-full', 'POST /bookings');
      assertFault(await book(), 'disk-full', 'POST /bookings again');
      assert.equal((await profile()).status, 200, 'reads go on');
      assertFault(await readyz(), 'disk-full', '/readyz');
      t.diagnostic(`booking: 503 ${full.json.reason}, Retry-After ${full.headers.get('retry-after')}: ${full.json.detail}`);
      rmSync(filler);
      await assertRecovers(t, 'disk full');
    } finally {
      if (moved) await psql(C.superUrl, 'ALTER TABLE notifications SET TABLESPACE pg_default').catch(() => {});
      await psql(C.superUrl, 'DROP TABLESPACE IF EXISTS clinicd_small').catch(() => {});
      if (mounted) await run('umount', [mountDir]).catch(() => run('umount', ['-l', mountDir]).catch(() => {}));
      if (existsSync(mountDir)) rmSync(mountDir, { recursive: true, force: true });
    }
  });

  test('out of connections (SQLSTATE 53300, max_connections filled): 503 too-many-connections; /readyz says so; recovers', { timeout: 90_000 }, async (t) => {
    await psql(C.superUrl, 'ALTER SYSTEM SET max_connections = 14');
    await pgsh('restart', C.dir);
    assert.ok(await waitFor(async () => (await book()).status === 201, 15_000), 'clinicd did not come back after the restart');
    const fillers = [];
    try {
      // take every slot a non-superuser may have (14 minus the 3 reserved for superusers),
      // the service's own included: it may not log in meanwhile (else it would take a slot
      // back within 100 ms), its sessions are ended, the slots filled, and then it may
      // log in again -- and finds no slot
      await psql(C.superUrl, 'ALTER ROLE clinicd NOLOGIN');
      let refused = '';
      try {
        await endServiceSessions();
        for (let i = 0; i < 20 && !refused; i++) {
          const p = spawn('psql', ['-X', '-q', '-At', C.ownerUrl], { stdio: ['pipe', 'pipe', 'pipe'] });
          let out = '';
          p.stdout.on('data', (d) => { out += d; });
          p.stderr.on('data', (d) => { out += d; });
          const exited = new Promise((r) => p.on('exit', r));
          p.stdin.write("SELECT 'filler' || 'connected';\nSELECT pg_sleep(300);\n");
          const state = await waitFor(async () => (/fillerconnected/.test(out) ? 'up' : p.exitCode !== null ? 'gone' : ''), 5000, 20);
          if (state === 'up') fillers.push({ p, exited });
          else {
            refused = out.trim();
            p.kill();
          }
        }
      } finally {
        await psql(C.superUrl, 'ALTER ROLE clinicd LOGIN');
      }
      const [{ n }] = await rows(C.superUrl, `SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = 'clinicd'`);
      assert.equal(n, 0, 'the service holds no session');
      t.diagnostic(`${fillers.length} sessions took the free slots; the next was refused: ${refused}`);
      assert.match(refused, /too many clients|remaining connection slots/);

      const b = await book();
      assertFault(b, 'too-many-connections', 'POST /bookings');
      assertFault(await readyz(), 'too-many-connections', '/readyz');
      t.diagnostic(`booking: ${b.status} ${b.json?.reason}, Retry-After ${b.headers.get('retry-after')}: ${b.json?.detail}`);
    } finally {
      // (a backend asleep in pg_sleep does not notice its client leave: end them too)
      for (const f of fillers) f.p.kill();
      await Promise.all(fillers.map((f) => f.exited));
      await psql(C.superUrl, `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
        WHERE usename = 'clinicd_owner' AND query LIKE '%pg_sleep(300)%'`);
    }
    await assertRecovers(t, 'out of connections');
    await psql(C.superUrl, 'ALTER SYSTEM RESET max_connections').catch(() => {});
  });
});
