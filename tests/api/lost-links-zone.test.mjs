// Lost links in the patient's own time zone (issue 14, item 4): a booking or plan made
// with the patient's zone (time_zone, kept in patient_tz, migration 0019) is listed in
// the "e-mail me my bookings" mail with its time in the clinic's zone and, when the
// patient's zone has another offset, in theirs too, as every other mail writes it; a
// booking without a zone, or with one of the clinic's offset, keeps the clinic's time
// alone.  US clinics write 12-hour times with the zone's name.  The worker runs once
// into a real SMTP sink (tests/api/smtp.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { post } from './lib.mjs';
import { at, fmt, addDays, nextWeekday, createPractice, retirePractice } from './fixtures.mjs';
import { startSmtp, mailFiles, parseMail, textOf } from './smtp.mjs';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const WEEKDAYS = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '17:00' }));
const BERLIN = 'Europe/Berlin', NEW_YORK = 'America/New_York';
let P, U, smtp, MON;

function deliver() {
  const r = spawnSync(process.env.CLINICD_BIN, ['worker', '--once'], {
    cwd: REPO, encoding: 'utf8', timeout: 300_000,
    env: { ...process.env, CLINICD_SMTP_URL: smtp.url },
  });
  assert.equal(r.status, 0, `worker --once: exit ${r.status}: ${r.stderr.slice(-2000)}`);
}

before(async () => {
  smtp = await startSmtp();
  P = createPractice({ label: 'lostzone', tz: BERLIN, services: { s60: { minutes: 60 } }, practitioners: { a: WEEKDAYS } });
  U = createPractice({ label: 'lostzone-us', tz: NEW_YORK, services: { s60: { minutes: 60 } }, practitioners: { a: WEEKDAYS } });
  MON = nextWeekday(BERLIN, 1, 3);
  deliver(); // what other suites left in the outbox goes out first
});
after(async () => {
  retirePractice(P);
  retirePractice(U);
  if (smtp) await smtp.stop();
});

const address = () => `lost.zone.${randomUUID().slice(0, 8)}@example.org`;

async function book(p, day, time, email, zone, rrule) {
  const body = {
    practitioner_id: p.practitioners.a, service_id: p.services.s60, start: fmt(at(day, time, p.tz), p.tz),
    patient: { name: 'Robin Zone', email }, ...(zone ? { time_zone: zone } : {}),
    ...(rrule ? { rrule, on_conflict: 'fail' } : {}),
  };
  const r = await post(rrule ? '/api/v1/booking-series' : '/api/v1/bookings', body);
  assert.equal(r.status, 201, r.text);
  return r.json;
}

/** The items of the lost-links mail to email, by the booking id of each link. */
async function itemsMailed(email) {
  const r = await post('/api/v1/lost-links', { email });
  assert.equal(r.status, 202, r.text);
  deliver();
  const mails = mailFiles(smtp.maildir).map((f) => parseMail(readFileSync(join(smtp.maildir, 'new', f), 'utf8')))
    .filter((m) => (m.headers.to ?? '').toLowerCase() === email && m.headers.subject === 'Your links to your bookings');
  assert.equal(mails.length, 1);
  const items = {};
  for (const part of textOf(mails[0]).split(/\n(?=\d+\. )/).slice(1)) {
    const id = part.match(/\/manage#id=([0-9a-f-]{36})&/)?.[1];
    if (id) items[id] = part.replace(/\s+/g, ' ');
  }
  return items;
}

const clock = (ms, tz, hour12) => new Intl.DateTimeFormat('en-US', { timeZone: tz, hour: 'numeric', minute: '2-digit', hour12 }).format(ms).replace(/\s+/g, ' ');

test('a booking and a plan made in New York from a Berlin clinic: their times also in New York time', async () => {
  const X = address();
  const single = await book(P, MON, '10:00', X, NEW_YORK);
  const plan = await book(P, addDays(MON, 1), '15:00', X, NEW_YORK, 'FREQ=WEEKLY;COUNT=2');
  const items = await itemsMailed(X);
  const s = items[single.id];
  assert.ok(s, JSON.stringify(items));
  const t = at(MON, '10:00', BERLIN);
  assert.ok(s.includes(`10:00 ${BERLIN} time (${clock(t, NEW_YORK, true)}`), s);
  assert.match(s, /your time\)/);
  const pl = items[plan.occurrences[0].booking_id];
  assert.ok(pl.includes('A treatment plan'), pl);
  assert.ok(pl.includes(`15:00 ${BERLIN} time (${clock(at(addDays(MON, 1), '15:00', BERLIN), NEW_YORK, true)}`), pl);
});

test('no zone given, or one with the clinic\'s offset: the clinic\'s time alone', async () => {
  const X = address();
  const none = await book(P, addDays(MON, 2), '10:00', X, null);
  const paris = await book(P, addDays(MON, 3), '10:00', X, 'Europe/Paris');
  const items = await itemsMailed(X);
  for (const b of [none, paris]) {
    assert.ok(items[b.id].includes('10:00'), items[b.id]);
    assert.ok(!items[b.id].includes('your time'), items[b.id]);
  }
});

test('a US clinic: 12-hour with the zone\'s name, and a Berlin patient\'s own 24-hour time', async () => {
  const X = address();
  const b = await book(U, MON, '10:00', X, BERLIN);
  const s = (await itemsMailed(X))[b.id];
  assert.match(s, /10:00 AM E[SD]T/, s);
  assert.ok(s.includes(`(${clock(at(MON, '10:00', NEW_YORK), BERLIN, false)} ${BERLIN}, your time)`), s);
});
