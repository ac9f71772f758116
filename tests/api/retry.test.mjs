// Serialization failures and deadlocks are retried, not answered (issue 13, item 2): a
// write that PostgreSQL refuses with SQLSTATE 40001 or 40P01 runs again, whole, a
// short random pause later (db/session.c, db_tx; a booking's single statement likewise,
// store/booking.c), up to four times in all; only then is it a 503 with Retry-After,
// and nothing of it is kept.
//
// The failures are made for real by PostgreSQL: a trigger of this suite's own raises the
// SQLSTATE while a sequence (which no rollback turns back) has not yet counted the
// attempts a case asks for.  The marker that arms it travels in the written row itself
// (a practitioner's bio, a booking's notes): "retry-test <sequence> <sqlstate> <n>"
// fails the first n attempts.  The sequence's value afterwards is how many attempts ran.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request, sql, lit, OWNER_DB } from './lib.mjs';
import { execFileSync } from 'node:child_process';
import { createStaffClinic, retireClinic, expectStatus, slotAllocator } from './staff-fixtures.mjs';
import { patient } from './fixtures.mjs';

const ATTEMPTS = 4; // DB_TX_ATTEMPTS (db/session.h)
let C;
let slots;
const made = [];

function owner(statements) {
  execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', OWNER_DB, '-c', statements], { encoding: 'utf8' });
}

/** A fresh sequence and the marker that fails the first n attempts with state. */
function marker(state, n) {
  const seq = `retry_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  owner(`CREATE SEQUENCE ${seq}`);
  made.push(seq);
  return { seq, text: `retry-test ${seq} ${state} ${n}` };
}
/** clinicd_db_serialization_retries_total on the server's /metrics. */
async function retriesCounted() {
  const r = await request('GET', '/metrics');
  const m = /^clinicd_db_serialization_retries_total (\d+)$/m.exec(r.text);
  assert.ok(m, 'no clinicd_db_serialization_retries_total on /metrics');
  return Number(m[1]);
}
const attemptsOf = (seq) => Number(sql(`SELECT last_value, is_called FROM ${seq}`).map((r) => (r.is_called ? r.last_value : 0))[0]);

before(async () => {
  owner(`
    CREATE OR REPLACE FUNCTION retry_test_fail() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
    DECLARE m text[]; said text;
    BEGIN
      said := to_jsonb(NEW) ->> CASE TG_TABLE_NAME WHEN 'practitioners' THEN 'bio' ELSE 'notes' END;
      IF said LIKE 'retry-test %' THEN
        m := regexp_split_to_array(said, ' ');
        IF nextval(m[2]) <= m[4]::int THEN
          RAISE EXCEPTION 'retry test: % on purpose', m[3] USING ERRCODE = m[3];
        END IF;
      END IF;
      RETURN NEW;
    END $$;
    DROP TRIGGER IF EXISTS retry_test_fail ON practitioners;
    CREATE TRIGGER retry_test_fail BEFORE UPDATE ON practitioners FOR EACH ROW EXECUTE FUNCTION retry_test_fail();
    DROP TRIGGER IF EXISTS retry_test_fail ON bookings;
    CREATE TRIGGER retry_test_fail BEFORE INSERT ON bookings FOR EACH ROW EXECUTE FUNCTION retry_test_fail();`);
  C = await createStaffClinic('retry', { practitioners: ['p1'] });
  slots = slotAllocator(7);
});

after(() => {
  owner(`DROP TRIGGER IF EXISTS retry_test_fail ON practitioners;
    DROP TRIGGER IF EXISTS retry_test_fail ON bookings;
    DROP FUNCTION IF EXISTS retry_test_fail();
    ${made.map((s) => `DROP SEQUENCE IF EXISTS ${s};`).join('\n')}`);
  retireClinic(C);
});

const bioOf = (id) => sql(`SELECT bio FROM practitioners WHERE id = ${lit(id)}`)[0].bio;

describe('a staff write in a transaction (db_tx): PATCH a practitioner', () => {
  const cases = [
    { state: '40001', fails: 1, want: 200 },
    { state: '40001', fails: ATTEMPTS - 1, want: 200 },
    { state: '40P01', fails: 2, want: 200 },
    { state: '40001', fails: ATTEMPTS, want: 503 },
    { state: '40P01', fails: 100, want: 503 },
  ];
  for (const c of cases) {
    test(`${c.state} ${c.fails} time(s): ${c.want}${c.want === 200 ? ', the change kept once' : ', nothing kept'}`, async () => {
      const id = C.practitioners.p1;
      const before = bioOf(id);
      const counted = await retriesCounted();
      const m = marker(c.state, c.fails);
      const r = await request('PATCH', `${C.base}/practitioners/${id}`, { headers: C.admin.auth, body: { bio: m.text } });
      expectStatus(r, c.want, `${c.state} x ${c.fails}`);
      const ran = attemptsOf(m.seq);
      assert.equal(await retriesCounted() - counted, ran - 1, 'each run after the first is counted on /metrics');
      if (c.want === 200) {
        assert.equal(bioOf(id), m.text);
        assert.equal(ran, c.fails + 1, 'attempts: the failed ones and the one that held');
      } else {
        assert.equal(bioOf(id), before, 'nothing of a write that never got through is kept');
        assert.equal(ran, ATTEMPTS, `attempts: ${ATTEMPTS} in all, then the 503`);
        assert.ok(Number(r.headers.get('retry-after')) > 0, 'a 503 says when to try again');
        assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
      }
    });
  }
});

describe('a booking (one statement, book_slot): POST /api/v1/bookings and the staff booking', () => {
  const bookingsWith = (text) => Number(sql(`SELECT count(*)::int AS n FROM bookings WHERE notes = ${lit(text)}`)[0].n);
  for (const who of ['patient', 'staff']) {
    for (const c of [{ state: '40P01', fails: 2, want: 201 }, { state: '40001', fails: ATTEMPTS, want: 503 }]) {
      test(`${who}: ${c.state} ${c.fails} time(s): ${c.want}`, async () => {
        const m = marker(c.state, c.fails);
        const slot = slots();
        const body = { practitioner_id: C.practitioners.p1, service_id: C.serviceId, start: slot.start,
          patient: patient('retry'), notes: m.text };
        const r = who === 'patient'
          ? await request('POST', '/api/v1/bookings', { body })
          : await request('POST', `${C.base}/bookings`, { headers: C.admin.auth, body });
        expectStatus(r, c.want, `${who} ${c.state} x ${c.fails}`);
        assert.equal(bookingsWith(m.text), c.want === 201 ? 1 : 0, 'one booking when it held, none when it did not');
        assert.equal(attemptsOf(m.seq), c.want === 201 ? c.fails + 1 : ATTEMPTS);
      });
    }
  }
});
