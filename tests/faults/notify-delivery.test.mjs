// Notifications at least once, through crashes (issue 12): the worker killed (kill -9)
// and stopped (SIGTERM) while the mail server hangs, PostgreSQL stopped abruptly while
// a mail is in flight (the server accepts it while the database is down) and under
// full-speed delivery, and a worker whose lease ran out while another took its rows.
// Each time: every confirmation arrives, and none twice, counted by Message-ID in the
// Maildir of a real SMTP server (aiosmtpd, tests/api/smtp.mjs; paused with SIGSTOP to
// hang).  Before issue 12 a killed worker's claimed rows were failed ("not retried"):
// 25 bookings with the server paused and the worker killed lost 8, a graceful stop 3;
// each test reports its figures (t.diagnostic).
//
// Like faults.test.mjs, the suite makes its own PostgreSQL cluster (var/pgnotify-<pid>)
// and runs its own clinicd and workers against it.  NOTIFY_WORKER_BIN runs another
// build as the worker, with the built-in defaults rather than config/clinicd.conf (to
// measure an older build, which would refuse the newer settings there).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { at, fmt, addDays, today } from '../api/fixtures.mjs';
import { startSmtp, countByMessageId } from '../api/smtp.mjs';
import {
  createCluster, clusterDir, startClinicd, pgsh, psql, rows, lit, http, sleep, uuid, now,
  CLINICD_BIN, OUT_DIR, ROOT,
} from './lib.mjs';

const TZ = 'America/Los_Angeles';
const N = 25;
const KEY = '5'.repeat(64); // a notification key: the confirmations carry manage links
const WORKER_BIN = process.env.NOTIFY_WORKER_BIN || CLINICD_BIN;

let C; // cluster
let S; // clinicd serve
let P; // {clinicId, serviceId, practitionerId}
let smtp;
let slot = 0; // the next free slot (30 minutes each, 06:00-22:00, every day)
const firstDay = today(TZ, 2);

// ---------------------------------------------------------------------------------------
// fixture, bookings, workers

async function createPractice(ownerUrl) {
  const p = { clinicId: uuid(), locationId: uuid(), serviceId: uuid(), practitionerId: uuid() };
  const s = [`INSERT INTO clinics (id, name, min_notice_minutes, booking_horizon_days, slot_step_minutes,
      max_open_bookings_per_contact)
    VALUES (${lit(p.clinicId)}, 'Notify fault clinic', 0, 200, 30, 1000);`,
  `INSERT INTO locations (id, clinic_id, name, address, city, region, postcode, country, geog, timezone)
    VALUES (${lit(p.locationId)}, ${lit(p.clinicId)}, 'Rooms', '1 Test Street', 'Los Angeles', 'CA',
      '00000', 'US', ST_SetSRID(ST_MakePoint(-118.25, 34.05), 4326)::geography, ${lit(TZ)});`,
  `INSERT INTO services (id, clinic_id, name, duration_minutes, price_cents, currency)
    VALUES (${lit(p.serviceId)}, ${lit(p.clinicId)}, 'Visit', 30, 5000, 'USD');`,
  `INSERT INTO practitioners (id, clinic_id, name, profession_id)
    VALUES (${lit(p.practitionerId)}, ${lit(p.clinicId)}, 'Pat Mail', (SELECT id FROM professions ORDER BY id LIMIT 1));`,
  `INSERT INTO practitioner_locations (clinic_id, practitioner_id, location_id)
    VALUES (${lit(p.clinicId)}, ${lit(p.practitionerId)}, ${lit(p.locationId)});`,
  `INSERT INTO practitioner_services (clinic_id, practitioner_id, service_id)
    VALUES (${lit(p.clinicId)}, ${lit(p.practitionerId)}, ${lit(p.serviceId)});`];
  for (let wd = 1; wd <= 7; wd++)
    s.push(`INSERT INTO weekly_hours (clinic_id, practitioner_id, location_id, weekday, start_time, end_time)
      VALUES (${lit(p.clinicId)}, ${lit(p.practitionerId)}, ${lit(p.locationId)}, ${wd}, '06:00', '22:00');`);
  await psql(ownerUrl, `BEGIN; ${s.join('\n')} COMMIT;`);
  return p;
}

/** n bookings, each by another patient (so that no per-address limit plays a part). */
async function book(n, tag) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const start = at(addDays(firstDay, Math.floor(slot / 32)), '06:00', TZ) + (slot % 32) * 30 * 60_000;
    slot += 1;
    const email = `${tag}.${i}.${uuid().slice(0, 8)}@example.org`;
    const r = await http(S.base, 'POST', '/api/v1/bookings', { body: {
      practitioner_id: P.practitionerId, service_id: P.serviceId, start: fmt(start, TZ),
      patient: { name: 'Mia Mail', email } } });
    assert.equal(r.status, 201, r.text);
    out.push({ id: r.json.id, email, messageId: `booking_confirmed.${r.json.id}@clinicd` });
  }
  return out;
}

let workerSeq = 0;
/** `clinicd worker` (not --once) with extra env; {proc, exited, log, stop()}. */
function startWorker(name, env = {}) {
  workerSeq += 1;
  const log = path.join(OUT_DIR, `notify-worker-${workerSeq}-${name}.log`);
  const fd = openSync(log, 'w');
  const args = process.env.NOTIFY_WORKER_BIN ? ['--config', '/dev/null', 'worker'] : ['worker'];
  const proc = spawn(WORKER_BIN, args, {
    cwd: ROOT, stdio: ['ignore', fd, fd],
    env: { ...process.env, DATABASE_URL: C.appUrl, CLINICD_SMTP_URL: smtp.url, CLINICD_NOTIFICATION_KEY: KEY,
      CLINICD_WORKER_POLL_MS: '200', CLINICD_LOG_LEVEL: 'info', ...env },
  });
  closeSync(fd);
  const reap = () => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL'); };
  process.on('exit', reap);
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    proc, exited, log, text: () => readFileSync(log, 'utf8'),
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const t = setTimeout(reap, 30_000);
      const r = await exited;
      clearTimeout(t);
      return r;
    },
  };
}

const idList = (bs) => bs.map((b) => lit(b.id)).join(',');

async function statuses(bs) {
  const rs = await rows(C.ownerUrl, `SELECT status, count(*)::int AS n, sum(attempts)::int AS attempts
    FROM notifications WHERE booking_id IN (${idList(bs)}) GROUP BY status ORDER BY status`);
  return Object.fromEntries(rs.map((r) => [r.status, r.n]));
}

async function waitFor(what, fn, timeoutMs) {
  const until = now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (now() > until) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Waits until a worker holds some of these rows (it is in the SMTP dialogue). */
async function untilSending(bs) {
  await waitFor('a row being sent', async () => (await statuses(bs)).sending > 0, 20_000);
  await sleep(1000); // the worker is now waiting on the hung server's greeting
}

/** Waits until none of these rows is pending or sending, or until timeoutMs. */
async function settled(bs, timeoutMs) {
  const until = now() + timeoutMs;
  let st;
  do {
    st = await statuses(bs);
    if (!st.pending && !st.sending) return st;
    await sleep(200);
  } while (now() < until);
  return st;
}

/** The worker's lease (worker_lease_s, 2 minutes) made to run out now: what waiting
 * that long would do, for a worker that is gone. */
const leasesRunOut = (bs) => psql(C.ownerUrl, `UPDATE notifications SET lease_until = now() - interval '1 second'
  WHERE status = 'sending' AND booking_id IN (${idList(bs)})`);

/** Counts the Maildir for these bookings' confirmations: {lost, twice, copies}. */
function tally(bs) {
  const { byId } = countByMessageId(smtp.maildir);
  const copies = bs.map((b) => byId.get(b.messageId) ?? 0);
  return { lost: copies.filter((n) => n === 0).length, twice: copies.filter((n) => n > 1).length,
    copies: copies.reduce((a, b) => a + b, 0) };
}

/** A TCP proxy to the mail server that holds each connection delayMs before passing it
 * on (a slow mail server); {url, close()}. */
async function slowProxy(delayMs) {
  const proxy = net.createServer((client) => {
    client.pause();
    setTimeout(() => {
      const up = net.connect(smtp.port, '127.0.0.1', () => { client.pipe(up); up.pipe(client); client.resume(); });
      up.on('error', () => client.destroy());
      client.on('error', () => up.destroy());
      client.on('close', () => up.destroy());
    }, delayMs);
  });
  await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
  return { url: `smtp://127.0.0.1:${proxy.address().port}`, close: () => proxy.close() };
}

function report(t, what, bs, res, st, extra = '') {
  t.diagnostic(`${what}: ${bs.length} bookings, ${res.lost} confirmations never sent, ${res.twice} sent twice ` +
    `(${res.copies} mails); rows ${JSON.stringify(st)}${extra}`);
}

// ---------------------------------------------------------------------------------------

before(async () => {
  C = await createCluster('pgnotify-', 'clinicd_notify');
  S = await startClinicd({ databaseUrl: C.appUrl, logName: 'notify-delivery-server',
    env: { CLINICD_NOTIFICATION_KEY: KEY, CLINICD_LOG_LEVEL: 'warn' } });
  P = await createPractice(C.ownerUrl);
  smtp = await startSmtp();
});

after(async () => {
  if (smtp) await smtp.stop();
  if (S) await S.stop();
  await pgsh('destroy', clusterDir('pgnotify-')).catch(() => {});
});

describe('notifications at least once, through crashes', { timeout: 300_000 }, () => {
  test(`kill -9 while the mail server hangs, then a restart: all ${N} confirmations arrive, none twice`, { timeout: 90_000 }, async (t) => {
    const bs = await book(N, 'kill');
    smtp.pause();
    let w = startWorker('killed');
    try {
      await untilSending(bs);
      w.proc.kill('SIGKILL');
      await w.exited;
    } finally {
      smtp.resume();
    }
    const held = await statuses(bs);
    await leasesRunOut(bs);
    w = startWorker('after-kill');
    const st = await settled(bs, 45_000);
    await w.stop();
    const res = tally(bs);
    report(t, 'kill -9', bs, res, st, `; when killed: ${JSON.stringify(held)}`);
    assert.deepEqual({ lost: res.lost, twice: res.twice }, { lost: 0, twice: 0 });
    assert.deepEqual(st, { sent: N });
    // the interrupted attempt counts; the rows never tried cost nothing
    const [{ max }] = await rows(C.ownerUrl, `SELECT max(attempts)::int AS max FROM notifications
      WHERE booking_id IN (${idList(bs)})`);
    assert.ok(max <= 2, `a row took ${max} attempts`);
  });

  test(`SIGTERM while the mail server hangs: the stop is bounded, nothing is left sending; after a restart all ${N} arrive, none twice`, { timeout: 90_000 }, async (t) => {
    const bs = await book(N, 'term');
    const GRACE = 2;
    smtp.pause();
    let w = startWorker('stopped', { CLINICD_WORKER_STOP_GRACE_S: String(GRACE) });
    let stopMs, exit, held;
    try {
      await untilSending(bs);
      const t0 = now();
      w.proc.kill('SIGTERM');
      exit = await w.exited;
      stopMs = now() - t0;
      held = await statuses(bs);
    } finally {
      smtp.resume();
    }
    const [{ tried }] = await rows(C.ownerUrl, `SELECT count(*) FILTER (WHERE attempts > 0)::int AS tried
      FROM notifications WHERE booking_id IN (${idList(bs)})`);
    await leasesRunOut(bs); // nothing, when a stop returns what it held
    w = startWorker('after-stop');
    const st = await settled(bs, 45_000);
    await w.stop();
    const res = tally(bs);
    report(t, 'SIGTERM', bs, res, st, `; the stop took ${Math.round(stopMs)} ms (exit ${JSON.stringify(exit)}), ` +
      `left ${JSON.stringify(held)}, ${tried} rows had an attempt counted`);
    assert.deepEqual({ lost: res.lost, twice: res.twice }, { lost: 0, twice: 0 });
    assert.deepEqual(st, { sent: N });
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.ok(stopMs < (GRACE + 3) * 1000, `the stop took ${Math.round(stopMs)} ms with a grace of ${GRACE} s`);
    assert.equal(held.sending, undefined, `rows left sending after the stop: ${JSON.stringify(held)}`);
    assert.ok(tried <= 1, `${tried} rows had an attempt counted: only the one being sent may`);
  });

  test(`PostgreSQL stopped while a mail is in flight, the server accepting it meanwhile: recorded once it is back; all ${N} arrive, none twice`, { timeout: 120_000 }, async (t) => {
    const bs = await book(N, 'pgdown');
    smtp.pause();
    const w = startWorker('pg-restart');
    let down = false;
    try {
      await untilSending(bs);
      await pgsh('kill', C.dir); // immediate shutdown, as a crash
      down = true;
      smtp.resume();
      // the mail in flight goes through while the database is away
      await waitFor('the mail in flight to arrive', () => tally(bs).copies >= 1, 20_000);
      await sleep(2000);
      await pgsh('restart', C.dir);
      down = false;
    } finally {
      smtp.resume();
      if (down) await pgsh('restart', C.dir);
    }
    const st = await settled(bs, 60_000);
    await w.stop();
    const res = tally(bs);
    const log = w.text();
    report(t, 'PostgreSQL stopped mid-delivery', bs, res, st);
    assert.deepEqual({ lost: res.lost, twice: res.twice }, { lost: 0, twice: 0 });
    assert.deepEqual(st, { sent: N });
    assert.match(log, /recorded .* as sent, now that the database is back/);
  });

  test('PostgreSQL stopped and started again while the worker delivers one after another: all arrive, none twice', { timeout: 120_000 }, async (t) => {
    // each mail held 100 ms on its way, so that the delivery lasts long enough to be cut
    const bs = await book(4 * N, 'pgfast');
    const proxy = await slowProxy(100);
    const w = startWorker('pg-fast', { CLINICD_SMTP_URL: proxy.url });
    let down = false;
    try {
      await waitFor('delivery to begin', () => tally(bs).copies >= 5, 20_000);
      await pgsh('kill', C.dir);
      down = true;
      const sentWhenDown = tally(bs).copies;
      await sleep(2000);
      await pgsh('restart', C.dir);
      down = false;
      t.diagnostic(`${sentWhenDown} of ${bs.length} had arrived when PostgreSQL went down`);
    } finally {
      if (down) await pgsh('restart', C.dir);
    }
    const st = await settled(bs, 60_000);
    await w.stop();
    proxy.close();
    const res = tally(bs);
    report(t, 'PostgreSQL stopped mid-stream', bs, res, st);
    assert.deepEqual({ lost: res.lost, twice: res.twice }, { lost: 0, twice: 0 });
    assert.deepEqual(st, { sent: bs.length });
  });

  test('a worker whose lease ran out while its rows were taken over sends none of those, nor marks them', { timeout: 90_000 }, async (t) => {
    // worker A reaches the mail server through a proxy that holds each connection 3 s
    // before passing it on, so its batch of 10 takes ~30 s against a 10 s lease; worker B,
    // started once A's leases begin to run out, takes over the rows A had not reached
    const bs = await book(10, 'lease');
    const proxy = await slowProxy(3000);
    let a, b;
    try {
      a = startWorker('lease-a', { CLINICD_SMTP_URL: proxy.url,
        CLINICD_WORKER_LEASE_S: '10', CLINICD_SMTP_TIMEOUT_S: '5' });
      await waitFor('a lease of A to run out', async () => {
        const [{ n }] = await rows(C.ownerUrl, `SELECT count(*)::int AS n FROM notifications
          WHERE status = 'sending' AND lease_until < now() AND booking_id IN (${idList(bs)})`);
        return n > 0;
      }, 30_000);
      b = startWorker('lease-b');
      const st = await settled(bs, 60_000);
      // A comes to the rows B took over once it is done with the one it is sending
      await waitFor('worker A to come to a row it no longer holds', () => /no longer this worker's/.test(a.text()), 20_000);
      await sleep(1000);
      const res = tally(bs);
      const skipped = (a.text().match(/no longer this worker's/g) ?? []).length;
      report(t, 'lease taken over', bs, res, st, `; A skipped ${skipped} rows it no longer held`);
      assert.deepEqual({ lost: res.lost, twice: res.twice }, { lost: 0, twice: 0 });
      assert.deepEqual(st, { sent: bs.length });
      assert.ok(skipped >= 1, 'worker A never found a row taken from it');
    } finally {
      await a?.stop();
      await b?.stop();
      proxy.close();
    }
  });
});
