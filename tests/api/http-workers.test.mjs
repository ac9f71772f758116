// Writes run on workers while their connection is suspended (http_workers), so a write
// that waits on PostgreSQL holds up no read: here a dozen bookings wait for a lock
// held by another session, more than the HTTP threads (one per CPU) could carry, and reads on
// new connections are still answered.  With the writes run by the HTTP threads, those
// threads would all be waiting and the reads would time out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { BASE, OWNER_DB, sql, lit } from './lib.mjs';
import {
  at, isoWeekday, nextWeekday, createPractice, retirePractice, book,
} from './fixtures.mjs';

const TZ = 'America/Chicago';
const WRITES = 12;
let P, D;

before(() => {
  D = nextWeekday(TZ, 2, 3);
  P = createPractice({
    label: 'http workers', tz: TZ,
    policy: { slot_step_minutes: 30, min_notice_minutes: 60, booking_horizon_days: 60,
      max_open_bookings_per_contact: 1000 },
    services: { s30: { minutes: 30 } },
    practitioners: { a: [{ weekday: isoWeekday(D), start: '08:00', end: '18:00', valid_from: D, valid_to: D }] },
  });
});
after(() => retirePractice(P));

/** GET on a connection of its own; resolves to the status, rejects after 5 s. */
function getFresh(path) {
  return new Promise((resolve, reject) => {
    const req = http.get(BASE + path, { agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer in 5 s`)));
    req.on('error', reject);
  });
}

const waiting = () => Number(sql(`SELECT count(*)::int AS n FROM pg_locks
  WHERE locktype = 'advisory' AND NOT granted`)[0].n);

test('reads are answered while a dozen writes wait on PostgreSQL', async () => {
  const pid = P.practitioners.a;
  // another session holds the lock every booking of this practitioner takes first
  const holder = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', OWNER_DB],
    { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  holder.stdout.on('data', (d) => { out += d; });
  holder.stdin.write(`SELECT pg_advisory_lock(hashtextextended(${lit(`practitioner:${pid}`)}, 0));\n`
    + '\\echo locked\n');
  try {
    for (const deadline = Date.now() + 10000; !out.includes('locked');) {
      assert.ok(Date.now() < deadline, 'the lock was not taken');
      await new Promise((done) => setTimeout(done, 20));
    }
    const writes = Array.from({ length: WRITES }, (_, i) =>
      book(pid, P.services.s30, at(D, '08:00', TZ) + i * 30 * 60e3, TZ));
    for (const deadline = Date.now() + 10000; waiting() < WRITES;) {
      assert.ok(Date.now() < deadline, `${WRITES} bookings should wait for the lock (${waiting()} do)`);
      await new Promise((done) => setTimeout(done, 20));
    }
    const reads = await Promise.all(Array.from({ length: 8 }, () => getFresh(`/api/v1/practitioners/${pid}`)));
    assert.deepEqual(reads, Array(8).fill(200));
    assert.equal(await getFresh('/healthz'), 200);
    assert.equal(waiting(), WRITES, 'the writes were still waiting while the reads were answered');
    holder.stdin.end('SELECT pg_advisory_unlock_all();\n');
    const done = await Promise.all(writes);
    assert.deepEqual(done.map((r) => r.status), Array(WRITES).fill(201),
      done.map((r) => r.text).join('\n'));
  } finally {
    holder.stdin.end();
    holder.kill();
  }
});
