// Mails that are right, their times (issue 14, item 4): a reminder queued before its
// booking was cancelled or moved is not mailed as if nothing happened (skipped, with
// why) and a moved booking is reminded of at its new time, once; each clinic's
// reminder_hours; the plans' "this week" mail on Monday morning in the clinic's time
// zone (a zone that is not UTC, with the worker's test clock), once per plan and week;
// the patient's own time zone (time_zone) stored and written in every mail next to the
// clinic's; lost-links mails under the per-person hourly limit; the clinic's staff
// setting reminder_hours and week_mail_hour.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { get, post, request, sql, sqlExec, lit, assertProblem } from './lib.mjs';
import { at, fmt, addDays, nextWeekday, wallParts, createPractice, retirePractice, bearer } from './fixtures.mjs';
import { startSmtp, mailFiles as filesIn, parseMail, textOf } from './smtp.mjs';
import { createStaffClinic, retireClinic, clearThrottle, createUser, signedIn } from './staff-fixtures.mjs';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const TZ = 'America/Los_Angeles';
const FAR = 'Asia/Kolkata'; // +05:30 all year: the week mail's clinic
const PHONE = '+1 503 555 0199';
const ROUND_CLOCK = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '23:30' }));
const DAYTIME = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '08:00', end: '18:00' }));

let smtp;
let R;  // open day and night, changes online up to the session
let H;  // reminder_hours 2
let K;  // a clinic in Asia/Kolkata (week mail at 08:00)
let KOFF; // the same zone, week mail off

function deliver(env = {}) {
  const r = spawnSync(process.env.CLINICD_BIN, ['worker', '--once'], {
    cwd: REPO, encoding: 'utf8', timeout: 300_000,
    env: { ...process.env, CLINICD_SMTP_URL: smtp.url, ...env },
  });
  assert.equal(r.status, 0, `worker --once: exit ${r.status}: ${(r.stderr ?? '').slice(-2000)}`);
}

const mailsTo = (address) => filesIn(smtp.maildir)
  .map((f) => parseMail(readFileSync(join(smtp.maildir, 'new', f), 'utf8')))
  .filter((m) => (m.headers.to ?? '').toLowerCase().includes(address.toLowerCase()));
const subjects = (ms) => ms.map((m) => m.headers.subject).join(' | ');
const reminders = (email) => mailsTo(email).filter((m) => /^Reminder: /.test(m.headers.subject));

/** "Monday, November 23, 2026, 9:00 AM PST": how a US clinic's mail writes a time. */
function usWhen(ms, tz = TZ) {
  const p = parts(ms, tz);
  return `${p.weekday}, ${p.month} ${p.day}, ${p.year}, ${Number(p.hour)}:${p.minute} ${p.dayPeriod} ${p.timeZoneName}`;
}

function parts(ms, tz) {
  return Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone: tz, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric',
    minute: '2-digit', hour12: true, timeZoneName: 'short',
  }).formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
}

let seq = 0;
const freshEmail = (tag) => `times.${tag}.${++seq}.${randomUUID().slice(0, 8)}@example.org`;

async function book(practice, startMs, extra = {}) {
  const email = freshEmail('b');
  const r = await post('/api/v1/bookings', {
    practitioner_id: practice.practitioners.a, service_id: practice.services.s60,
    start: fmt(startMs, practice.tz), patient: { name: 'Tova Times', email }, ...extra,
  });
  assert.equal(r.status, 201, r.text);
  return { ...r.json, email, startMs };
}

/** A start on the half hour, at least hours from now, that the practitioners' hours
 * (00:00-23:30) hold whole: not from 21:00 to 01:00 local (a later one then). */
function soon(hours = 4, from = Date.now()) {
  let t = Math.ceil(from / 1_800_000) * 1_800_000 + hours * 3_600_000;
  while (wallParts(t, TZ).hh >= 21 || wallParts(t, TZ).hh < 1) t += 1_800_000;
  return t;
}

/** The reminder the worker would queue for booking b now (its snapshot as things are). */
function queueReminder(b) {
  sqlExec(`INSERT INTO notifications (clinic_id, kind, booking_id, recipient, dedupe_key)
    SELECT clinic_id, 'reminder', id, patient_email,
      'reminder:' || id || ':' || extract(epoch FROM lower(during))::bigint
    FROM bookings WHERE id = ${lit(b.id)}`);
}

before(async () => {
  smtp = await startSmtp();
  const practice = (label, policy, hours, tz = TZ) => createPractice({
    label, tz, policy: { slot_step_minutes: 30, ...policy }, services: { s60: { minutes: 60 } },
    practitioners: { a: hours },
  });
  R = practice('times-remind', { cancellation_notice_hours: 0, phone: PHONE }, ROUND_CLOCK);
  H = practice('times-hours', { reminder_hours: 2, phone: PHONE }, ROUND_CLOCK);
  K = practice('times-week', { phone: '+91 22 5555 0100' }, DAYTIME, 'Europe/Berlin');
  KOFF = practice('times-week-off', {}, DAYTIME, 'Europe/Berlin');
  // the fixtures know Berlin; these two clinics are in Kolkata, before anything is read
  sqlExec(`UPDATE locations SET timezone = ${lit(FAR)}, country = 'IN'
    WHERE id IN (${lit(K.locationId)}, ${lit(KOFF.locationId)});
    UPDATE clinics SET week_mail_hour = NULL WHERE id = ${lit(KOFF.clinicId)};`);
  K.tz = FAR;
  KOFF.tz = FAR;
  deliver(); // what other suites left goes out first
});

after(async () => {
  for (const p of [R, H, K, KOFF]) retirePractice(p);
  if (smtp) await smtp.stop();
});

describe('reminders that no longer hold', () => {
  test("a cancelled booking's queued reminder is not mailed; it is skipped, with why", async () => {
    const b = await book(R, soon());
    deliver(); // the confirmation
    sqlExec(`UPDATE bookings SET created_at = now() - interval '2 hours' WHERE id = ${lit(b.id)}`);
    queueReminder(b);
    const c = await post(`/api/v1/bookings/${b.id}/cancel`, {}, { headers: bearer(b.manage_token) });
    assert.equal(c.status, 200, c.text);
    deliver();
    deliver();
    assert.deepEqual(reminders(b.email).map((m) => m.headers.subject), [], subjects(mailsTo(b.email)));
    assert.ok(mailsTo(b.email).some((m) => /^Cancelled: /.test(m.headers.subject)), subjects(mailsTo(b.email)));
    const rows = sql(`SELECT status, last_error FROM notifications WHERE booking_id = ${lit(b.id)} AND kind = 'reminder'`);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].status, 'skipped');
    assert.match(rows[0].last_error, /cancelled after this reminder was queued/);
    // the clinic's staff see it where the states of notifications are
    clearThrottle();
    const admin = await signedIn(createUser({ clinic: R.clinicId, role: 'clinic_admin' }));
    const list = await get(`/api/v1/clinics/${R.clinicId}/notifications?status=skipped`, { headers: admin.auth });
    assert.equal(list.status, 200, list.text);
    const mine = list.json.items.filter((n) => n.booking_id === b.id);
    assert.equal(mine.length, 1, list.text);
    assert.equal(mine[0].kind, 'reminder');
    assert.equal(mine[0].status, 'skipped');
    assert.match(mine[0].reason, /cancelled after this reminder was queued/);
  });

  test('a moved booking is reminded of at its new time, once; the old reminder is skipped', async () => {
    const first = soon(4);
    const b = await book(R, first);
    deliver();
    sqlExec(`UPDATE bookings SET created_at = now() - interval '2 hours' WHERE id = ${lit(b.id)}`);
    queueReminder(b);
    const moved = soon(2, first);
    const m = await post(`/api/v1/bookings/${b.id}/reschedule`, { start: fmt(moved, TZ) }, { headers: bearer(b.manage_token) });
    assert.equal(m.status, 200, m.text);
    deliver();
    deliver();
    const rs = reminders(b.email);
    assert.deepEqual(rs.map((x) => x.headers.subject), [`Reminder: ${usWhen(moved)}`], subjects(mailsTo(b.email)));
    const rows = sql(`SELECT status, last_error FROM notifications WHERE booking_id = ${lit(b.id)}
      AND kind = 'reminder' ORDER BY created_at`);
    assert.deepEqual(rows.map((r) => r.status), ['skipped', 'sent']);
    assert.match(rows[0].last_error, /moved after this reminder was queued/);
    // the reminder carries a link that opens the booking
    const link = textOf(rs[0]).match(/\/manage#id=([0-9a-f-]{36})&token=([A-Za-z0-9_-]{43})/);
    assert.ok(link, textOf(rs[0]));
    assert.equal(link[1], b.id);
    assert.equal((await get(`/api/v1/bookings/${b.id}`, { headers: bearer(link[2]) })).status, 200);
  });

  test("each clinic's reminder_hours decides when its reminders go", async () => {
    const b = await book(H, soon(4));
    deliver();
    sqlExec(`UPDATE bookings SET created_at = now() - interval '2 hours' WHERE id = ${lit(b.id)}`);
    deliver(); // four hours away, the clinic says two: not yet (the global 24 would)
    assert.equal(reminders(b.email).length, 0, subjects(mailsTo(b.email)));
    sqlExec(`UPDATE clinics SET reminder_hours = 12 WHERE id = ${lit(H.clinicId)}`);
    deliver();
    deliver();
    assert.deepEqual(reminders(b.email).map((m) => m.headers.subject), [`Reminder: ${usWhen(b.startMs)}`]);
  });
});

describe("the plans' week mail", () => {
  let MON, plan, off, email, offEmail;

  async function bookPlan(practice, address) {
    const r = await post('/api/v1/booking-series', {
      practitioner_id: practice.practitioners.a, service_id: practice.services.s60,
      start: fmt(at(addDays(MON, 1), '10:00', FAR), FAR), patient: { name: 'Wen Week', email: address },
      rrule: 'FREQ=WEEKLY;COUNT=3', time_zone: 'America/New_York',
    });
    assert.equal(r.status, 201, r.text);
    return r.json;
  }

  const clockAt = (hhmm) => new Date(at(MON, hhmm, FAR)).toISOString();
  const weekMails = (address) => mailsTo(address).filter((m) => m.headers.subject === 'Your sessions this week');

  before(async () => {
    MON = nextWeekday(FAR, 1, 3);
    email = freshEmail('week');
    offEmail = freshEmail('weekoff');
    plan = await bookPlan(K, email);
    off = await bookPlan(KOFF, offEmail);
    deliver(); // the plans' confirmations
  });

  test('nothing before the hour on Monday in the clinic\'s zone', () => {
    deliver({ CLINICD_WORKER_CLOCK: clockAt('07:30') });
    assert.equal(weekMails(email).length, 0);
  });

  test("one mail per plan and week from the clinic's hour, listing the week's sessions with the link", async () => {
    deliver({ CLINICD_WORKER_CLOCK: clockAt('08:30') });
    deliver({ CLINICD_WORKER_CLOCK: clockAt('09:45') });
    const ms = weekMails(email);
    assert.equal(ms.length, 1, subjects(mailsTo(email)));
    assert.match(ms[0].headers.from, new RegExp(`^"Test clinic ${K.label}" <`));
    const text = textOf(ms[0]);
    const booked = plan.occurrences.filter((o) => o.status === 'booked').map((o) => Date.parse(o.start));
    assert.equal(booked.length, 3);
    // the first session is in the week, the others are not listed
    const p = parts(booked[0], FAR);
    const ny = parts(booked[0], 'America/New_York');
    const nyDay = ny.day !== p.day ? `${ny.weekday} ${ny.day} ${ny.month}, ` : '';
    const line = `${p.weekday} ${p.day} ${p.month} ${p.year}, 10:00 ${FAR} time (${nyDay}${Number(ny.hour)}:${ny.minute} ${ny.dayPeriod} EST, your time)`;
    assert.ok(text.includes(line), `${line}\n---\n${text}`);
    for (const later of booked.slice(1)) {
      const q = parts(later, FAR);
      assert.ok(!text.includes(`${q.weekday} ${q.day} ${q.month} ${q.year}`), text);
    }
    assert.ok(text.includes('+91 22 5555 0100'), text);
    assert.ok(text.includes('1 Test Street'), text);
    const link = text.match(/\/manage#id=([0-9a-f-]{36})&token=([A-Za-z0-9_-]{43})/);
    assert.ok(link, text);
    assert.equal((await get(`/api/v1/bookings/${link[1]}`, { headers: bearer(link[2]) })).status, 200);
    const rows = sql(`SELECT dedupe_key FROM notifications WHERE series_id = ${lit(plan.id)} AND kind = 'week_ahead'`);
    assert.equal(rows.length, 1);
    assert.match(rows[0].dedupe_key, /^week_ahead:[0-9a-f-]{36}:\d{4}-W\d{2}$/);
  });

  test('a clinic that turned the week mail off sends none', () => {
    deliver({ CLINICD_WORKER_CLOCK: clockAt('08:30') });
    assert.equal(weekMails(offEmail).length, 0, subjects(mailsTo(offEmail)));
    void off;
  });

  test('the worker refuses a test clock that is not a time', () => {
    const r = spawnSync(process.env.CLINICD_BIN, ['worker', '--once'], {
      cwd: REPO, encoding: 'utf8', timeout: 60_000,
      env: { ...process.env, CLINICD_SMTP_URL: smtp.url, CLINICD_WORKER_CLOCK: 'monday' },
    });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /worker_clock/);
  });
});

describe("the patient's time zone", () => {
  test('stored with the booking and written in its mail next to the clinic\'s time', async () => {
    const start = soon(30);
    const b = await book(R, start, { time_zone: 'America/New_York' });
    assert.deepEqual(sql(`SELECT patient_tz FROM bookings WHERE id = ${lit(b.id)}`), [{ patient_tz: 'America/New_York' }]);
    deliver();
    const [m] = mailsTo(b.email);
    assert.equal(m.headers.subject, `Booked: ${usWhen(start)}`);
    const ny = parts(start, 'America/New_York');
    const la = parts(start, TZ);
    const day = ny.day !== la.day ? `${ny.weekday} ${ny.day} ${ny.month}, ` : '';
    const abbr = ny.timeZoneName;
    assert.ok(textOf(m).includes(`When:  ${usWhen(start)} (${day}${Number(ny.hour)}:${ny.minute} ${ny.dayPeriod} ${abbr}, your time)`), textOf(m));
  });

  test('the same zone as the clinic adds nothing', async () => {
    const start = soon(36);
    const b = await book(R, start, { time_zone: TZ });
    deliver();
    const [m] = mailsTo(b.email);
    assert.ok(!textOf(m).includes('your time'), textOf(m));
  });

  test('a plan keeps it with the plan and its sessions', async () => {
    const email = freshEmail('plan');
    const r = await post('/api/v1/booking-series', {
      practitioner_id: R.practitioners.a, service_id: R.services.s60, start: fmt(soon(48), TZ),
      patient: { name: 'Pia Plan', email }, rrule: 'FREQ=WEEKLY;COUNT=2', time_zone: 'Europe/Berlin',
    });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(sql(`SELECT patient_tz FROM booking_series WHERE id = ${lit(r.json.id)}`), [{ patient_tz: 'Europe/Berlin' }]);
    const zones = sql(`SELECT DISTINCT patient_tz FROM bookings WHERE series_id = ${lit(r.json.id)}`);
    assert.deepEqual(zones, [{ patient_tz: 'Europe/Berlin' }]);
    deliver();
    const [m] = mailsTo(email);
    assert.match(textOf(m), /CET, your time\)|Europe\/Berlin, your time\)|, your time\)/);
  });

  for (const [label, tz] of [
    ['an unknown zone', 'Mars/Olympus_Mons'],
    ['a path', '../../etc/passwd'],
    ['a number', 5],
    ['too long', `Europe/${'x'.repeat(80)}`],
    ['empty', ''],
  ]) {
    test(`${label} is a 422 naming time_zone, and nothing is booked`, async () => {
      const email = freshEmail('badtz');
      for (const path of ['/api/v1/bookings', '/api/v1/booking-series']) {
        const body = {
          practitioner_id: R.practitioners.a, service_id: R.services.s60, start: fmt(soon(50), TZ),
          patient: { name: 'Bad Zone', email }, time_zone: tz,
        };
        if (path.endsWith('series')) body.rrule = 'FREQ=WEEKLY;COUNT=2';
        const r = await post(path, body);
        assertProblem(r, 422, 'time_zone');
      }
      assert.deepEqual(sql(`SELECT count(*)::int AS n FROM bookings WHERE patient_email = ${lit(email)}`), [{ n: 0 }]);
    });
  }
});

describe('lost-links mails and the hourly limit per person', () => {
  test('past the limit a lost-links mail waits like any other mail', async () => {
    const b = await book(R, soon(60));
    deliver({ CLINICD_MAIL_PER_ADDRESS_PER_HOUR: '1' }); // the confirmation: one this hour
    assert.equal(mailsTo(b.email).length, 1);
    // what POST /api/v1/lost-links writes (its own suite tests the request; the client's
    // hourly allowance of requests may be spent by it)
    sqlExec(`INSERT INTO notifications (clinic_id, kind, recipient, dedupe_key)
      VALUES (NULL, 'lost_links', ${lit(b.email)}, 'lost_links:' || gen_random_uuid())`);
    deliver({ CLINICD_MAIL_PER_ADDRESS_PER_HOUR: '1' });
    assert.equal(mailsTo(b.email).length, 1, subjects(mailsTo(b.email)));
    const rows = sql(`SELECT status, last_error FROM notifications WHERE kind = 'lost_links'
      AND recipient = ${lit(b.email)}`);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].status, 'pending');
    assert.match(rows[0].last_error, /^waiting: 1 mails went to this address in the last hour/);
    // within the limit it goes
    sqlExec(`UPDATE notifications SET next_attempt_at = now() WHERE kind = 'lost_links' AND recipient = ${lit(b.email)}`);
    deliver({ CLINICD_MAIL_PER_ADDRESS_PER_HOUR: '5' });
    assert.equal(mailsTo(b.email).length, 2, subjects(mailsTo(b.email)));
  });
});

describe("the clinic's staff set the mails' times", () => {
  let C;
  before(async () => {
    clearThrottle();
    C = await createStaffClinic('mail-times');
  });
  after(() => retireClinic(C));

  const patch = (body) => request('PATCH', `/api/v1/clinics/${C.clinicId}`, { body, headers: C.admin.auth });

  test('reminder_hours and week_mail_hour are kept and shown; null means the global and off', async () => {
    let r = await patch({ policy: { reminder_hours: 6, week_mail_hour: 7 } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.policy.reminder_hours, 6);
    assert.equal(r.json.policy.week_mail_hour, 7);
    r = await patch({ policy: { reminder_hours: null, week_mail_hour: null } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.policy.reminder_hours, null);
    assert.equal(r.json.policy.week_mail_hour, null);
    r = await patch({ policy: { cancellation_notice_hours: 12 } }); // others leave them be
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.policy.week_mail_hour, null);
  });

  for (const [field, value] of [
    ['reminder_hours', 0], ['reminder_hours', 169], ['reminder_hours', '24'], ['reminder_hours', 1.5],
    ['week_mail_hour', -1], ['week_mail_hour', 24], ['week_mail_hour', true],
  ]) {
    test(`policy.${field} = ${JSON.stringify(value)} is a 422 naming it, and nothing changes`, async () => {
      const before = (await request('GET', `/api/v1/clinics/${C.clinicId}`, { headers: C.admin.auth })).json.policy;
      const r = await patch({ policy: { [field]: value, cancellation_notice_hours: 3 } });
      assertProblem(r, 422, `policy.${field}`);
      const now = (await request('GET', `/api/v1/clinics/${C.clinicId}`, { headers: C.admin.auth })).json.policy;
      assert.deepEqual(now, before);
    });
  }
});
