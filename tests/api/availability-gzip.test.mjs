// Availability answers are gzipped for clients that accept it (every browser), and
// the compressed answer is kept while the schedule and the answer's ends hold.  What
// a client gets decompressed is byte for byte what a client without gzip gets, and a
// change to the schedule shows in the very next compressed answer.  (fetch asks for
// gzip by itself, so every other availability test runs through this path too; here
// node:http shows the bytes on the wire.)
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { BASE, post } from './lib.mjs';
import {
  at, fmt, nextWeekday, createPractice, retirePractice, bookOk, bearer,
} from './fixtures.mjs';

const TZ = 'America/Los_Angeles';
let P, D;

before(() => {
  D = nextWeekday(TZ, 5, 3);
  P = createPractice({ label: 'availability gzip', tz: TZ,
    policy: { slot_step_minutes: 15, min_notice_minutes: 0, booking_horizon_days: 60 },
    services: { s30: { minutes: 30 } },
    practitioners: { a: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '08:00', end: '18:00' })) } });
});
after(() => retirePractice(P));

/** GET with exactly these request headers; resolves to {status, headers, body (Buffer)}. */
function raw(path, headers = {}) {
  return new Promise((resolve, reject) => {
    http.get(BASE + path, { agent: false, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

const path = () => `/api/v1/practitioners/${P.practitioners.a}/availability?service=${P.services.s30}`
  + `&from=${D}&to=${D}`;

describe('availability, gzipped', () => {
  test('gzip when asked for, the same bytes decompressed, Vary either way', async () => {
    const plain = await raw(path());
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.headers.vary, 'Accept-Encoding');
    assert.equal(JSON.parse(plain.body).slots.length, 39, '08:00 to 17:30 every 15 minutes');
    for (const ae of ['gzip', 'GZIP', 'gzip, deflate, br', 'br;q=1.0, gzip;q=0.8', 'x-gzip', '*',
      'identity, *;q=0.5', ' , ,gzip ; q=0.5', `${'x-unknown;q=0.1, '.repeat(200)}gzip`]) {
      for (let i = 0; i < 2; i++) { // made, then kept
        const z = await raw(path(), { 'accept-encoding': ae });
        assert.equal(z.status, 200, ae);
        assert.equal(z.headers['content-encoding'], 'gzip', ae);
        assert.equal(z.headers.vary, 'Accept-Encoding');
        assert.ok(z.body.length * 5 < plain.body.length, `${ae}: ${z.body.length} bytes compressed`);
        assert.ok(gunzipSync(z.body).equals(plain.body), `${ae}: the same answer`);
      }
    }
  });

  test('no gzip when refused or not offered', async () => {
    // (malformed values count as refusals: a q that is not a number is 0)
    for (const ae of ['identity', 'gzip;q=0', 'gzip;q=0.000, identity', '*;q=0', 'br', 'deflate', '',
      'gzip;q=abc', 'gzip;q=', 'gzipx', ';;;', ',,,', 'gzip, *;q=0, gzip;q=0']) {
      const r = await raw(path(), ae ? { 'accept-encoding': ae } : {});
      assert.equal(r.status, 200, ae);
      assert.equal(r.headers['content-encoding'], undefined, `${ae}: not compressed`);
      assert.ok(Array.isArray(JSON.parse(r.body).slots), ae);
    }
  });

  test('a booking shows in the very next compressed answer', async () => {
    const starts = async () => JSON.parse(gunzipSync((await raw(path(), { 'accept-encoding': 'gzip' })).body))
      .slots.map((s) => Date.parse(s.start));
    const before = await starts();
    assert.ok(before.includes(at(D, '09:00', TZ)));
    await starts(); // kept now
    await bookOk(P.practitioners.a, P.services.s30, at(D, '09:00', TZ), TZ);
    const after = await starts();
    for (const t of ['08:45', '09:00', '09:15']) // the booking and the 30-minute slots that reach it
      assert.ok(!after.includes(at(D, t, TZ)), `${t} is taken`);
    assert.equal(after.length, before.length - 3);
  });

  test('a booking moved inside the day (same count, same ends) shows in the next answer', async () => {
    const starts = async () => JSON.parse(gunzipSync((await raw(path(), { 'accept-encoding': 'gzip' })).body))
      .slots.map((s) => Date.parse(s.start));
    const b = await bookOk(P.practitioners.a, P.services.s30, at(D, '12:00', TZ), TZ);
    const before = await starts();
    await starts(); // kept now
    const moved = await post(`/api/v1/bookings/${b.id}/reschedule`, { start: fmt(at(D, '14:00', TZ), TZ) },
      { headers: bearer(b.manage_token) });
    assert.equal(moved.status, 200, moved.text);
    const after = await starts();
    assert.equal(after.length, before.length);
    assert.equal(after[0], before[0]);
    assert.equal(after.at(-1), before.at(-1));
    assert.ok(after.includes(at(D, '12:00', TZ)) && !after.includes(at(D, '14:00', TZ)),
      'the answer kept before the move is not served after it');
  });
});
