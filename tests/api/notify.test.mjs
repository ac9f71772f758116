// Notifications end to end, through a real SMTP server: aiosmtpd (Debian's
// python3-aiosmtpd, tests/api/smtp.mjs) listens on a free loopback port and writes what
// it receives into a Maildir; `clinicd worker --once` delivers the outbox to it.  The
// confirmation of a booking arrives with a plain-text part naming the service, the
// practitioner and the time, and a text/calendar attachment (method=REQUEST) that
// ical.js parses, UID <booking id>@clinicd; cancelling sends a CANCEL with the same UID;
// rows end `sent` and a second pass sends nothing; an unreachable server leaves rows
// pending with the attempt counted and the error recorded; a row whose worker died
// mid-delivery (`sending`, lease expired) is queued again with its attempts kept and
// sent once, and fails only once its attempts are used up.  A permanent refusal (550
// to RCPT TO) fails at once with the server's reason, is listed for the clinic's staff
// (and no other clinic's), counted in /metrics and can be sent again.  Mails to one
// person (contact key: name+1@, name+2@ ... are one) are limited per hour; past the
// limit they wait, and those due together go out folded into one mail that lists each,
// every manage link kept.  A name with CR, LF and other controls never starts a line.
// The crash cases (kill -9, SIGTERM, PostgreSQL restarted) are in
// tests/faults/notify-delivery.test.mjs.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import { post, get, request, sql, sqlExec, lit } from './lib.mjs';
import {
  HOUR, at, fmt, addDays, nextWeekday, createPractice, retirePractice, addPractitioner, bearer,
} from './fixtures.mjs';
import { createUser, signedIn, api, clearThrottle } from './staff-fixtures.mjs';
import { startSmtp, freePort, mailFiles as filesIn, parseMail, param, textOf, countByMessageId } from './smtp.mjs';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const TZ = 'America/Los_Angeles';
const WEEKDAYS = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '12:00' }));
const ALL_DAY = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '06:00', end: '22:00' }));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let P, Q;     // this suite's practice, and another clinic's
let smtp;      // {proc, port, dir, maildir, url, ...}
let MON;

// ---------------------------------------------------------------------------------------
// the worker and the Maildir

/** `clinicd worker --once` against smtpUrl; returns {status, stderr}. */
function worker(smtpUrl, env = {}) {
  assert.ok(process.env.CLINICD_BIN, 'CLINICD_BIN must be set (tests/run.sh sets it)');
  assert.ok(process.env.DATABASE_URL, 'DATABASE_URL must be set');
  const r = spawnSync(process.env.CLINICD_BIN, ['worker', '--once'], {
    cwd: REPO, encoding: 'utf8', timeout: 300_000,
    env: { ...process.env, CLINICD_SMTP_URL: smtpUrl, ...env },
  });
  assert.equal(r.error, undefined, String(r.error));
  return { status: r.status, stderr: r.stderr };
}

function deliver(env = {}) {
  const r = worker(smtp.url, env);
  assert.equal(r.status, 0, `worker --once: exit ${r.status}: ${r.stderr.slice(-2000)}`);
  return r;
}

const bySubject = (mails, re) => {
  const found = mails.filter((m) => re.test(m.headers.subject ?? ''));
  assert.equal(found.length, 1, `one mail with a subject like ${re}: ${mails.map((m) => m.headers.subject)}`);
  return found[0];
};

const mailFiles = () => filesIn(smtp.maildir);

/** The mails in the Maildir sent to address (parsed; Maildir names do not keep the
 * order they came in: find them by subject). */
function mailsTo(address) {
  return mailFiles().map((f) => parseMail(readFileSync(join(smtp.maildir, 'new', f), 'utf8')))
    .filter((m) => (m.headers.to ?? '').toLowerCase().includes(address.toLowerCase()));
}

/** What mail_when_in writes for a US clinic: "Monday, November 23, 2026, 9:00 AM PST"
 * in tz (12-hour, with the zone's name). */
function mailWhen(ms, tz) {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone: tz, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric',
    minute: '2-digit', hour12: true, timeZoneName: 'short',
  }).formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.weekday}, ${p.month} ${p.day}, ${p.year}, ${Number(p.hour)}:${p.minute} ${p.dayPeriod} ${p.timeZoneName}`;
}
/** The clock part of it: "11:00 AM PST". */
const clockOf = (ms, tz) => mailWhen(ms, tz).split(', ').pop();

// ---------------------------------------------------------------------------------------
// bookings

let seq = 0;
async function bookOne(day, time) {
  seq += 1;
  const email = `notify.${seq}.${randomUUID().slice(0, 8)}@example.org`;
  const start = at(day, time, TZ);
  const r = await post('/api/v1/bookings', {
    practitioner_id: P.practitioners.a, service_id: P.services.s60, start: fmt(start, TZ),
    patient: { name: 'Rowan Ashby', email },
  });
  assert.equal(r.status, 201, r.text);
  return { ...r.json, email, startMs: start };
}

/** Rows of other suites that a pass may still deliver (due now; none after the drain
 * in before(), unless one was backed off meanwhile). */
const dueNow = () => sql(`SELECT count(*)::int AS n FROM notifications
  WHERE status = 'pending' AND next_attempt_at <= now()`)[0].n;

/** Runs a pass that must send nothing new; checks the Maildir. */
function passSendsNothing(address, mailsBefore) {
  const files = mailFiles().length;
  const due = dueNow();
  deliver();
  assert.ok(mailFiles().length - files <= due, `${mailFiles().length - files} mails sent, ${due} rows were due`);
  assert.equal(mailsTo(address).length, mailsBefore, 'nothing more to this patient');
}

const rows = (bookingId) => sql(`SELECT kind, status, attempts, last_error, sent_at, lease_until,
    next_attempt_at > now() AS later, payload ? 'manage_token_sealed' AS sealed
  FROM notifications WHERE booking_id = ${lit(bookingId)} ORDER BY created_at, kind`);

/** Parses the text/calendar part; returns {cal, event, zone}. */
function calendarOf(mail, method) {
  const part = mail.parts.find((p) => p.type === 'text/calendar');
  assert.ok(part, `a text/calendar part in ${mail.parts.map((p) => p.type)}`);
  assert.equal(param(part.contentType, 'method')?.toUpperCase(), method, part.contentType);
  assert.match(part.disposition, /attachment/);
  const cal = new ICAL.Component(ICAL.parse(part.text));
  assert.equal(cal.getFirstPropertyValue('method'), method);
  const vtz = cal.getFirstSubcomponent('vtimezone');
  assert.ok(vtz, 'a VTIMEZONE');
  ICAL.TimezoneService.reset();
  ICAL.TimezoneService.register(vtz);
  const vevent = cal.getFirstSubcomponent('vevent');
  assert.ok(vevent, 'a VEVENT');
  return { cal, vevent, event: new ICAL.Event(vevent), zone: ICAL.TimezoneService.get(TZ) };
}

// ---------------------------------------------------------------------------------------

before(async () => {
  smtp = await startSmtp();
  P = createPractice({
    label: 'notify', tz: TZ, policy: { slot_step_minutes: 30, cancellation_notice_hours: 24 },
    services: { s60: { minutes: 60 } }, practitioners: { a: WEEKDAYS },
  });
  MON = nextWeekday(TZ, 1, 3);
  // what other suites left in the outbox goes out first, so that each pass below has
  // only this suite's rows to deliver
  deliver();
});

after(async () => {
  retirePractice(P);
  retirePractice(Q);
  if (smtp) await smtp.stop();
});

describe('a booking\'s mails, through a real SMTP server', () => {
  let b;

  test('the confirmation arrives: plain words naming service, practitioner and time; a REQUEST calendar', async () => {
    b = await bookOne(MON, '10:00');
    const [row] = rows(b.id);
    assert.equal(row.kind, 'booking_confirmed');
    assert.equal(row.status, 'pending');
    const sealed = row.sealed; // a manage link can be mailed only when the server has a notification key
    const before = mailFiles().length, due = dueNow();
    deliver();
    assert.ok(mailFiles().length - before >= 1 && mailFiles().length - before <= due,
      `${mailFiles().length - before} new mails for ${due} rows due`);
    const mails = mailsTo(b.email);
    assert.equal(mails.length, 1);
    const m = mails[0];
    assert.match(m.headers.subject, /^Booked: /);
    assert.match(m.headers['message-id'] ?? '', /^<booking_confirmed\..+@clinicd>$/);
    assert.match(m.headers['content-type'], /^multipart\/mixed/i);
    const textPart = m.parts.find((p) => p.type === 'text/plain');
    assert.ok(textPart, 'a plain-text part');
    assert.match(textPart.contentType, /charset="?utf-8/i);
    const text = textPart.text;
    const service = `s60 ${P.label}`, practitioner = `Pat a ${P.label}`;
    assert.ok(text.includes('Hello Rowan Ashby'), text);
    assert.ok(text.includes(`What:  ${service} with ${practitioner}`), text);
    assert.ok(text.includes(`When:  ${mailWhen(b.startMs, TZ)} to ${clockOf(b.startMs + HOUR, TZ)}`), `${mailWhen(b.startMs, TZ)} in:\n${text}`);
    assert.ok(text.includes('24 hours before'), text);
    if (sealed) {
      assert.match(text, new RegExp(`/manage#id=${b.id}&token=[A-Za-z0-9_-]{43,}`), text);
    } else {
      assert.ok(text.includes('use the link you were shown when you booked'), text);
      assert.ok(!text.includes('/manage#'), text);
    }

    const { event, vevent, zone } = calendarOf(m, 'REQUEST');
    assert.equal(event.uid, `${b.id}@clinicd`);
    assert.equal(event.startDate.zone.tzid, TZ);
    assert.equal(event.startDate.toUnixTime() * 1000, Date.parse(b.start));
    assert.equal(event.endDate.toUnixTime() * 1000, Date.parse(b.end));
    assert.equal(event.startDate.utcOffset(), zone.utcOffset(event.startDate));
    assert.equal(event.summary, `${service} with ${practitioner}`);
    assert.equal(vevent.getFirstPropertyValue('status'), 'CONFIRMED');
    assert.equal(vevent.getFirstPropertyValue('attendee'), `mailto:${b.email}`);
    assert.match(vevent.getFirstPropertyValue('organizer'), /^mailto:/);
    assert.equal(vevent.getFirstPropertyValue('sequence'), 0);
  });

  test('the row is sent (once, the sealed token dropped) and a second pass sends nothing', async () => {
    const [row] = rows(b.id);
    assert.equal(row.status, 'sent');
    assert.equal(row.attempts, 1);
    assert.ok(row.sent_at);
    assert.equal(row.last_error, null);
    assert.equal(row.sealed, false, 'the sealed manage token is not kept once mailed');
    passSendsNothing(b.email, 1);
    assert.equal(rows(b.id)[0].attempts, 1, 'not tried again');
  });

  test('cancelling sends a CANCEL with the same UID', async () => {
    const c = await post(`/api/v1/bookings/${b.id}/cancel`, { reason: 'feeling better' },
      { headers: bearer(b.manage_token) });
    assert.equal(c.status, 200, c.text);
    deliver();
    const mails = mailsTo(b.email);
    assert.equal(mails.length, 2);
    const m = bySubject(mails, /^Cancelled: /);
    bySubject(mails, /^Booked: /);
    const text = m.parts.find((p) => p.type === 'text/plain').text;
    assert.ok(text.includes(`is cancelled`), text);
    assert.ok(text.includes(mailWhen(b.startMs, TZ)), text);
    const { event, vevent } = calendarOf(m, 'CANCEL');
    assert.equal(event.uid, `${b.id}@clinicd`, 'the same UID as the REQUEST');
    assert.equal(vevent.getFirstPropertyValue('status'), 'CANCELLED');
    assert.equal(event.startDate.toUnixTime() * 1000, Date.parse(b.start));
    const all = rows(b.id);
    assert.deepEqual(all.map((r) => [r.kind, r.status]).sort(),
      [['booking_cancelled', 'sent'], ['booking_confirmed', 'sent']]);
    passSendsNothing(b.email, 2);
  });
});

describe('moves and waitlist offers', () => {
  test('moving a booking sends a REQUEST with the same UID, the next SEQUENCE and the new time', async () => {
    const b = await bookOne(addDays(MON, 7), '09:00');
    deliver();
    const to = at(addDays(MON, 7), '11:00', TZ);
    const r = await post(`/api/v1/bookings/${b.id}/reschedule`, { start: fmt(to, TZ) }, { headers: bearer(b.manage_token) });
    assert.equal(r.status, 200, r.text);
    deliver();
    const mails = mailsTo(b.email);
    assert.equal(mails.length, 2, 'the confirmation, then the move');
    const m = bySubject(mails, /^Moved to /);
    const text = m.parts.find((p) => p.type === 'text/plain').text;
    assert.ok(text.includes(`moved from ${mailWhen(b.startMs, TZ)} to ${mailWhen(to, TZ)}.`), text);
    assert.ok(text.includes(`When:  ${mailWhen(to, TZ)} to ${clockOf(to + HOUR, TZ)}`), text);
    const first = calendarOf(bySubject(mails, /^Booked: /), 'REQUEST');
    const moved = calendarOf(m, 'REQUEST');
    assert.equal(moved.event.uid, first.event.uid);
    assert.equal(moved.event.uid, `${b.id}@clinicd`);
    assert.equal(moved.vevent.getFirstPropertyValue('sequence'), 1);
    assert.equal(moved.event.startDate.toUnixTime() * 1000, to);
    assert.equal(moved.event.endDate.toUnixTime() * 1000, Date.parse(r.json.end));
  });

  test('a freed time is offered to the waitlist by mail, with a link to book it', async () => {
    const day = addDays(MON, 8);
    const b = await bookOne(day, '10:00');
    const email = `waiting.${randomUUID().slice(0, 8)}@example.org`;
    const w = await post('/api/v1/waitlist', {
      practitioner_id: P.practitioners.a, service_id: P.services.s60,
      from: fmt(at(day, '09:00', TZ), TZ), to: fmt(at(day, '12:00', TZ), TZ),
      patient: { name: 'Wren Waiting', email },
    });
    assert.equal(w.status, 201, w.text);
    deliver();
    const c = await post(`/api/v1/bookings/${b.id}/cancel`, {}, { headers: bearer(b.manage_token) });
    assert.equal(c.status, 200, c.text);
    deliver();
    const mails = mailsTo(email);
    assert.equal(mails.length, 1, 'one offer');
    const m = mails[0];
    assert.match(m.headers.subject, /^An earlier time is free: /);
    assert.equal(m.parts.length, 1);
    assert.equal(m.parts[0].type, 'text/plain');
    const text = m.parts[0].text;
    assert.ok(text.includes('Hello Wren Waiting'), text);
    assert.ok(text.includes(mailWhen(b.startMs, TZ)), text);
    assert.match(text, new RegExp(`https?://[^\\s]+/practitioners/${P.practitioners.a}\\b`), text);
    const [row] = sql(`SELECT status FROM notifications WHERE kind = 'waitlist_offer'
      AND waitlist_id = ${lit(w.json.id)}`);
    assert.equal(row.status, 'sent');
  });
});

describe('delivery failures', () => {
  test('an unreachable mail server: the row stays pending, the attempt counted, the error recorded', async () => {
    const b = await bookOne(addDays(MON, 1), '10:00');
    const closed = await freePort(); // nothing listens there
    const before = mailFiles().length;
    const r = worker(`smtp://127.0.0.1:${closed}`);
    assert.equal(r.status, 0, r.stderr);
    const [row] = rows(b.id);
    assert.equal(row.status, 'pending');
    assert.equal(row.attempts, 1);
    assert.ok(row.last_error && row.last_error.length > 0, 'last_error says what happened');
    assert.equal(row.later, true, 'the next attempt is backed off');
    assert.equal(row.lease_until, null);
    assert.equal(mailFiles().length, before);
    // the server is back: the retry goes out, once
    sqlExec(`UPDATE notifications SET next_attempt_at = now() WHERE booking_id = ${lit(b.id)}`);
    deliver();
    const [again] = rows(b.id);
    assert.equal(again.status, 'sent');
    assert.equal(again.attempts, 2);
    assert.equal(again.last_error, null);
    assert.equal(mailsTo(b.email).length, 1);
  });

  test('a row left `sending` by a worker that died (lease over) is queued again, its attempt kept, and sent once', async () => {
    const b = await bookOne(addDays(MON, 2), '10:00');
    sqlExec(`UPDATE notifications SET status = 'sending', attempts = 1, lease_token = gen_random_uuid(),
      lease_until = now() - interval '1 minute' WHERE booking_id = ${lit(b.id)}`);
    deliver();
    const [row] = rows(b.id);
    assert.equal(row.status, 'sent', JSON.stringify(row));
    assert.equal(row.attempts, 2, 'the interrupted attempt counts, and the one that went out');
    assert.equal(mailsTo(b.email).length, 1);
    passSendsNothing(b.email, 1);
  });

  test('a row interrupted on its last attempt fails ("gave up after 8 attempts"), visibly', async () => {
    const b = await bookOne(addDays(MON, 2), '11:00');
    sqlExec(`UPDATE notifications SET status = 'sending', attempts = 8, lease_token = gen_random_uuid(),
      lease_until = now() - interval '1 minute' WHERE booking_id = ${lit(b.id)}`);
    passSendsNothing(b.email, 0);
    const [row] = rows(b.id);
    assert.equal(row.status, 'failed');
    assert.equal(row.attempts, 8);
    assert.match(row.last_error ?? '', /gave up after 8 attempts.*interrupted/);
  });

  test('retries used up against an unreachable server: failed, with the last error', async () => {
    const b = await bookOne(addDays(MON, 2), '09:00');
    sqlExec(`UPDATE notifications SET attempts = 7 WHERE booking_id = ${lit(b.id)}`);
    const r = worker(`smtp://127.0.0.1:${await freePort()}`);
    assert.equal(r.status, 0, r.stderr);
    const [row] = rows(b.id);
    assert.equal(row.status, 'failed');
    assert.equal(row.attempts, 8);
    assert.match(row.last_error ?? '', /^gave up after 8 attempts; the last: .*(connect|Connection)/i);
  });

  test('a row still leased (`sending`, lease not over) is left alone', async () => {
    const b = await bookOne(addDays(MON, 3), '10:00');
    sqlExec(`UPDATE notifications SET status = 'sending', attempts = 1, lease_token = gen_random_uuid(),
      lease_until = now() + interval '10 minutes' WHERE booking_id = ${lit(b.id)}`);
    deliver();
    const [row] = rows(b.id);
    assert.equal(row.status, 'sending');
    assert.equal(mailsTo(b.email).length, 0);
    sqlExec(`UPDATE notifications SET status = 'sent', lease_until = NULL, lease_token = NULL
      WHERE booking_id = ${lit(b.id)}`);
  });
});

// ---------------------------------------------------------------------------------------
// what cannot be delivered, as the clinic sees it

const notificationRow = (id) => sql(`SELECT id, status, attempts, last_error, failed_at, message_id
  FROM notifications WHERE id = ${lit(id)}`)[0];
const confirmationOf = (bookingId) => sql(`SELECT id FROM notifications
  WHERE booking_id = ${lit(bookingId)} AND kind = 'booking_confirmed'`)[0].id;

/** The clinic's list, every page walked with limit; returns the items in order. */
async function walkNotifications(who, clinicId, { status = 'failed', limit = 200 } = {}) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < 100; page++) {
    const q = new URLSearchParams({ status, limit: String(limit), ...(cursor ? { cursor } : {}) });
    const r = await who.get(`/api/v1/clinics/${clinicId}/notifications?${q}`);
    assert.equal(r.status, 200, r.text);
    items.push(...r.json.items);
    cursor = r.json.next_cursor;
    if (!cursor) return items;
  }
  assert.fail('more than 100 pages');
}

/** The /metrics figures for the outbox: {pending, sending, failed, oldest, readAge} or null. */
async function outboxMetrics() {
  const r = await get('/metrics');
  assert.equal(r.status, 200, r.text);
  const num = (re) => { const m = re.exec(r.text); return m ? Number(m[1]) : null; };
  const failed = num(/^clinicd_notifications\{status="failed"\} (\d+)$/m);
  if (failed === null) return null;
  return { pending: num(/^clinicd_notifications\{status="pending"\} (\d+)$/m),
    sending: num(/^clinicd_notifications\{status="sending"\} (\d+)$/m), failed,
    oldest: num(/^clinicd_notifications_oldest_pending_seconds (\d+)$/m),
    readAge: num(/^clinicd_notifications_read_age_seconds ([\d.]+)$/m) };
}

describe('undeliverable mail: failed at once, shown to the clinic\'s staff (only), counted, sent again', () => {
  let refused;     // a booking whose address the server refuses
  let nid;         // its confirmation
  let adminP, adminQ, pratA, pratB;

  before(async () => {
    Q = createPractice({
      label: 'notify-other', tz: TZ, services: { s60: { minutes: 60 } }, practitioners: { q: WEEKDAYS },
    });
    P.practitioners.b ??= addPractitioner(P, 'b', WEEKDAYS);
    clearThrottle();
    adminP = await signedIn(createUser({ clinic: P.clinicId, role: 'clinic_admin' }));
    adminQ = await signedIn(createUser({ clinic: Q.clinicId, role: 'clinic_admin' }));
    pratA = await signedIn(createUser({ clinic: P.clinicId, role: 'practitioner', practitioner: P.practitioners.a }));
    pratB = await signedIn(createUser({ clinic: P.clinicId, role: 'practitioner', practitioner: P.practitioners.b }));
  });

  test('a permanent refusal (550 to RCPT TO) fails at once, with the server\'s reason; nothing is retried', async () => {
    const start = at(addDays(MON, 4), '09:00', TZ);
    const email = `nobody.${randomUUID().slice(0, 8)}@example.org`;
    const r = await post('/api/v1/bookings', {
      practitioner_id: P.practitioners.a, service_id: P.services.s60, start: fmt(start, TZ),
      patient: { name: 'Noor Nobody', email },
    });
    assert.equal(r.status, 201, r.text);
    refused = { ...r.json, email };
    nid = confirmationOf(refused.id);
    deliver();
    const row = notificationRow(nid);
    assert.equal(row.status, 'failed');
    assert.equal(row.attempts, 1, 'one attempt: a refusal for good is not retried');
    assert.ok(row.failed_at);
    assert.match(row.last_error, /^the mail server refused it: 550 5\.1\.1 <nobody\.[^>]+>: Recipient address rejected: User unknown$/);
    assert.equal(mailsTo(email).length, 0);
    deliver();
    assert.equal(notificationRow(nid).attempts, 1, 'a failed row stays failed');
  });

  test('the clinic\'s staff list it with the reason (newest first, keyset pages); the read is audited', async () => {
    const admin = api(adminP.auth);
    const all = await walkNotifications(admin, P.clinicId);
    const it = all.find((n) => n.id === nid);
    assert.ok(it, `not listed: ${JSON.stringify(all.map((n) => n.id))}`);
    assert.equal(it.kind, 'booking_confirmed');
    assert.equal(it.status, 'failed');
    assert.equal(it.recipient, refused.email);
    assert.equal(it.patient_name, 'Noor Nobody');
    assert.equal(it.booking_id, refused.id);
    assert.equal(it.practitioner_id, P.practitioners.a);
    assert.equal(Date.parse(it.session_start), Date.parse(refused.start));
    assert.match(it.reason, /550 5\.1\.1/);
    assert.ok(all.length >= 3, 'the other failures of this suite are listed too');
    const [{ n: failedInClinic }] = sql(`SELECT count(*)::int AS n FROM notifications
      WHERE clinic_id = ${lit(P.clinicId)} AND status = 'failed'`);
    assert.equal(all.length, failedInClinic);
    for (let i = 1; i < all.length; i++)
      assert.ok(Date.parse(all[i - 1].created_at) >= Date.parse(all[i].created_at), 'newest first');
    // one at a time: the same items, in the same order, each once
    const paged = await walkNotifications(admin, P.clinicId, { limit: 1 });
    assert.deepEqual(paged.map((n) => n.id), all.map((n) => n.id));
    // a cursor of the failed list is not one of the pending list
    const first = await admin.get(`/api/v1/clinics/${P.clinicId}/notifications?status=failed&limit=1`);
    const wrong = await admin.get(`/api/v1/clinics/${P.clinicId}/notifications?status=pending&cursor=${encodeURIComponent(first.json.next_cursor)}`);
    assert.equal(wrong.status, 422, wrong.text);
    assert.equal((await admin.get(`/api/v1/clinics/${P.clinicId}/notifications?status=sent`)).status, 422);
    assert.equal((await admin.get(`/api/v1/clinics/${P.clinicId}/notifications?stauts=failed`)).status, 422);
    for (const [query, field] of [['limit=0', 'limit'], ['limit=1001', 'limit'], ['limit=ten', 'limit'],
      ['cursor=not-a-cursor', 'cursor'], ['status=', 'status']]) {
      const bad = await admin.get(`/api/v1/clinics/${P.clinicId}/notifications?${query}`);
      assert.ok([400, 422].includes(bad.status), `${query}: ${bad.status} ${bad.text}`);
      assert.ok(bad.json.errors.some((e) => e.field === field), `${query}: ${bad.text}`);
    }
    const [audit] = sql(`SELECT action, patient_data, actor_id, outcome FROM audit_log
      WHERE clinic_id = ${lit(P.clinicId)} AND action = 'read_notifications' ORDER BY id DESC LIMIT 1`);
    assert.deepEqual(audit, { action: 'read_notifications', patient_data: true, actor_id: adminP.id, outcome: 'success' });
  });

  test('another clinic\'s staff never see it; a practitioner sees only their own', async () => {
    const other = api(adminQ.auth);
    assert.equal((await other.get(`/api/v1/clinics/${P.clinicId}/notifications`)).status, 404);
    const theirs = await walkNotifications(other, Q.clinicId);
    assert.ok(!theirs.some((n) => n.id === nid), 'listed for another clinic');
    assert.ok((await walkNotifications(api(pratA.auth), P.clinicId)).some((n) => n.id === nid), 'its practitioner sees it');
    assert.ok(!(await walkNotifications(api(pratB.auth), P.clinicId)).some((n) => n.id === nid), 'another practitioner sees it');
    assert.equal((await request('GET', `/api/v1/clinics/${P.clinicId}/notifications`)).status, 401);
  });

  test('/metrics counts the outbox by status and the oldest pending age, read at most every few seconds', async () => {
    let m = null;
    const [{ failed }] = sql(`SELECT count(*)::int AS failed FROM notifications WHERE status = 'failed'`);
    for (let i = 0; i < 60 && !(m && m.failed === failed); i++) {
      m = await outboxMetrics();
      if (!(m && m.failed === failed)) await sleep(250);
    }
    assert.ok(m, '/metrics has no clinicd_notifications lines');
    assert.equal(m.failed, failed, `/metrics says ${m.failed} failed, the table ${failed}`);
    assert.ok(m.failed >= 1);
    for (const k of ['pending', 'sending', 'oldest', 'readAge']) assert.equal(typeof m[k], 'number', k);
    // scrapes do not read the database each time: 20 scrapes in 2 s see at most two reads
    // (when each was read, from the age the page gives: equal within 0.5 s is one read)
    const readAt = [];
    const t0 = Date.now();
    for (let i = 0; i < 20; i++) {
      const x = await outboxMetrics();
      readAt.push((Date.now() - t0) / 1000 - x.readAge);
      await sleep(100);
    }
    readAt.sort((a, b) => a - b);
    const reads = readAt.filter((t, i) => i === 0 || t - readAt[i - 1] > 0.5).length;
    assert.ok(reads <= 2, `the figures were read ${reads} times in 2 s of scraping: ${readAt.map((t) => t.toFixed(1))}`);
    // a notification waiting shows in pending and in the oldest pending age
    const b = await bookOne(addDays(MON, 4), '10:00');
    sqlExec(`UPDATE notifications SET created_at = now() - interval '10 minutes',
      next_attempt_at = now() + interval '1 hour' WHERE booking_id = ${lit(b.id)}`);
    for (let i = 0; i < 60; i++) {
      m = await outboxMetrics();
      if (m.oldest >= 600) break;
      await sleep(250);
    }
    assert.ok(m.pending >= 1 && m.oldest >= 600, JSON.stringify(m));
    sqlExec(`UPDATE notifications SET status = 'sent', sent_at = now() WHERE booking_id = ${lit(b.id)}`);
  });

  test('resend: 404 for another clinic or practitioner, 202 and queued again with fresh attempts (audited), 409 once not failed', async () => {
    const path = `/api/v1/clinics/${P.clinicId}/notifications/${nid}/resend`;
    assert.equal((await api(adminQ.auth).post(path, {})).status, 404, 'another clinic');
    assert.equal((await api(adminQ.auth).post(`/api/v1/clinics/${Q.clinicId}/notifications/${nid}/resend`, {})).status, 404);
    assert.equal((await api(pratB.auth).post(path, {})).status, 404, 'another practitioner');
    assert.equal((await api(adminP.auth).post(`/api/v1/clinics/${P.clinicId}/notifications/not-an-id/resend`, {})).status, 404);
    assert.equal(notificationRow(nid).status, 'failed', 'refused attempts changed nothing');
    const r = await api(adminP.auth).post(path, {});
    assert.equal(r.status, 202, r.text);
    assert.deepEqual(r.json, { id: nid, status: 'pending' });
    const row = notificationRow(nid);
    assert.equal(row.status, 'pending');
    assert.equal(row.attempts, 0);
    assert.equal(row.failed_at, null);
    const again = await api(adminP.auth).post(path);
    assert.equal(again.status, 409, again.text);
    const [audit] = sql(`SELECT action, resource_id, patient_data, actor_id FROM audit_log
      WHERE clinic_id = ${lit(P.clinicId)} AND action = 'resend_notification' ORDER BY id DESC LIMIT 1`);
    assert.deepEqual(audit, { action: 'resend_notification', resource_id: nid, patient_data: true, actor_id: adminP.id });
    // still an unknown mailbox: failed again, once
    deliver();
    assert.equal(notificationRow(nid).status, 'failed');
    assert.equal(notificationRow(nid).attempts, 1);
  });

  test('a resend of what failed for a server that was down goes out, once', async () => {
    const b = await bookOne(addDays(MON, 4), '11:00');
    const id = confirmationOf(b.id);
    sqlExec(`UPDATE notifications SET attempts = 7 WHERE id = ${lit(id)}`);
    worker(`smtp://127.0.0.1:${await freePort()}`);
    assert.equal(notificationRow(id).status, 'failed');
    const r = await api(pratA.auth).post(`/api/v1/clinics/${P.clinicId}/notifications/${id}/resend`, {});
    assert.equal(r.status, 202, r.text);
    deliver();
    const row = notificationRow(id);
    assert.equal(row.status, 'sent');
    assert.equal(row.attempts, 1);
    const mails = mailsTo(b.email);
    assert.equal(mails.length, 1);
    assert.equal(mails[0].headers['message-id'], `<${row.message_id}>`);
  });
});

// ---------------------------------------------------------------------------------------
// one person, many addresses: limited per hour, folded past it

describe('mails to one person are limited per hour; past the limit one address\'s mails are folded', () => {
  const LIMIT = 3;
  const base = `fold.${randomUUID().slice(0, 8)}`;
  const booked = []; // {id, email, start}
  let day;

  // name+N@ are one contact key (one person for the limit) but maybe not one mailbox
  const plus = (n) => `${base}+${n}@example.org`;
  const exact = (i) => (i % 5 === 0 ? `${base.toUpperCase()}@EXAMPLE.org` : `${base}@example.org`);
  const bookAs = async (email) => {
    const slot = booked.length;
    const start = at(addDays(day, Math.floor(slot / 14)), '07:00', TZ) + (slot % 14) * HOUR;
    const r = await post('/api/v1/bookings', {
      practitioner_id: P.practitioners.f, service_id: P.services.s60, start: fmt(start, TZ),
      patient: { name: 'Fay Folded', email },
    });
    assert.equal(r.status, 201, r.text);
    const b = { id: r.json.id, email, start };
    booked.push(b);
    return b;
  };
  const isTheirs = (m) => new RegExp(`^${base}(\\+\\d+)?@example\\.org$`, 'i').test(m.headers.to ?? '');
  const theirMails = () => mailFiles().map((f) => parseMail(readFileSync(join(smtp.maildir, 'new', f), 'utf8'))).filter(isTheirs);
  const limited = { CLINICD_MAIL_PER_ADDRESS_PER_HOUR: String(LIMIT) };
  /** Every manage link in a mail is of a booking made with the address the mail went to. */
  const linksStayWithTheirAddress = (mails) => {
    for (const m of mails) {
      for (const [, id] of textOf(m).matchAll(/\/manage#id=([0-9a-f-]{36})&token=/g)) {
        const b = booked.find((x) => x.id === id);
        assert.ok(b, `a link to an unknown booking ${id}`);
        assert.equal(b.email.toLowerCase(), m.headers.to.toLowerCase(), `${id}'s link went to another spelling`);
      }
    }
  };
  const waitingRows = (list) => sql(`SELECT status, last_error, attempts,
      next_attempt_at > now() + interval '55 minutes' AS later
    FROM notifications WHERE booking_id IN (${list.map((b) => lit(b.id)).join(',')})`);

  before(async () => {
    P.practitioners.f ??= addPractitioner(P, 'f', ALL_DAY);
    day = addDays(MON, 14);
    deliver(); // what is due from elsewhere first
  });

  test(`25 bookings of one person, all due together: ${LIMIT} mails; the last folds the 20 to one address; other spellings wait`, async () => {
    await bookAs(plus(1));
    await bookAs(plus(2));
    const same = [];
    for (let i = 1; i <= 20; i++) same.push(await bookAs(exact(i)));
    const others = [await bookAs(plus(3)), await bookAs(plus(4)), await bookAs(plus(5))];
    deliver(limited);
    const mails = theirMails();
    assert.equal(mails.length, LIMIT, mails.map((m) => m.headers.subject).join('; '));
    const single = mails.filter((m) => /^Booked: /.test(m.headers.subject));
    const folded = mails.filter((m) => /^20 updates about your sessions$/.test(m.headers.subject));
    assert.equal(single.length, LIMIT - 1);
    assert.equal(folded.length, 1);
    linksStayWithTheirAddress(mails);
    const f = folded[0];
    const body = textOf(f);
    assert.match(body, /^Hello Fay Folded,\n\nHere are 20 messages for you in one e-mail/);
    for (let i = 1; i <= 20; i++) assert.match(body, new RegExp(`^${i}\\. Booked: `, 'm'));
    for (const b of same) assert.match(body, new RegExp(`/manage#id=${b.id}&token=[A-Za-z0-9_-]{43,}`));
    assert.equal(f.parts.filter((p) => p.type === 'text/calendar').length, 20, 'a calendar file per session');
    assert.match(f.headers['message-id'], /^<folded\.[0-9a-f]{32}@clinicd>$/);
    const sent = sql(`SELECT status, message_id, attempts FROM notifications
      WHERE booking_id IN (${booked.slice(0, 22).map((b) => lit(b.id)).join(',')})`);
    assert.ok(sent.every((r) => r.status === 'sent' && r.attempts === 1), JSON.stringify(sent));
    assert.equal(new Set(sent.map((r) => r.message_id)).size, LIMIT, 'the 20 folded rows share one Message-ID');
    const waiting = waitingRows(others);
    assert.ok(waiting.every((w) => w.status === 'pending' && w.later && w.attempts === 0 &&
      /waiting: 3 mails went to this address in the last hour/.test(w.last_error)), JSON.stringify(waiting));
  });

  test('an hour after the first mail: one more, folding only what went to one spelling', async () => {
    const more = [await bookAs(plus(3)), await bookAs(plus(3))];
    deliver(limited);
    assert.equal(theirMails().length, LIMIT, 'nothing more within the hour');
    // an hour passes for the first mail only: room for one more
    const waitingIds = booked.filter((b) => /\+[345]@/.test(b.email));
    sqlExec(`UPDATE notifications SET sent_at = sent_at - interval '1 hour' WHERE booking_id = ${lit(booked[0].id)};
      UPDATE notifications SET next_attempt_at = now() WHERE booking_id IN (${waitingIds.map((b) => lit(b.id)).join(',')})`);
    deliver(limited);
    const mails = theirMails();
    assert.equal(mails.length, LIMIT + 1, mails.map((m) => m.headers.subject).join('; '));
    const last = mails.filter((m) => /^3 updates about your sessions$/.test(m.headers.subject));
    assert.equal(last.length, 1, mails.map((m) => m.headers.subject).join('; '));
    assert.equal(last[0].headers.to.toLowerCase(), plus(3));
    for (const b of [booked[22], ...more]) assert.match(textOf(last[0]), new RegExp(`/manage#id=${b.id}&token=`));
    linksStayWithTheirAddress(mails);
    const still = waitingRows(booked.filter((b) => /\+[45]@/.test(b.email)));
    assert.ok(still.length === 2 && still.every((w) => w.status === 'pending' && w.later), JSON.stringify(still));
    const counts = countByMessageId(smtp.maildir);
    assert.deepEqual(counts.duplicates, [], 'no mail twice');
  });
});

// ---------------------------------------------------------------------------------------
// names holding line breaks and other controls (rows written before input refused them)

describe('control characters in stored fields never reach a header or start a line', () => {
  test('a name with CR, LF, NEL, U+2028 and a tab: one line in the mail, no header added', async () => {
    const b = await bookOne(addDays(MON, 9), '09:00');
    const evil = 'Eve\r\nBcc: victim@example.org\r\n\r\nInjected line\u0085NEL\u2028LS\tend\u202eevil';
    // the mail says what the row's snapshot says (taken when the booking was made)
    sqlExec(`UPDATE notifications SET payload = jsonb_set(payload, '{snapshot,patient_name}', to_jsonb(${lit(evil)}::text))
      WHERE booking_id = ${lit(b.id)}`);
    deliver();
    const [m] = mailsTo(b.email);
    assert.ok(m, 'delivered');
    assert.ok(!/^bcc:/im.test(m.head), `a header was added:\n${m.head}`);
    assert.equal(m.headers.bcc, undefined);
    const text = textOf(m);
    assert.ok(text.startsWith('Hello Eve Bcc: victim@example.org Injected line NEL LS end evil,\n'), text.slice(0, 200));
    assert.ok(!/^(Bcc|Injected|NEL|LS)/m.test(text), text);
    const cal = m.parts.find((p) => p.type === 'text/calendar').text;
    assert.ok(!/^(Bcc|Injected)/m.test(cal.replace(/\r\n[ \t]/g, '')), cal);
    new ICAL.Component(ICAL.parse(cal)); // still a calendar
  });

  test('a recipient holding CR LF fails at once; no SMTP command is injected', async () => {
    const b = await bookOne(addDays(MON, 9), '10:00');
    const id = confirmationOf(b.id);
    const victim = `victim.${randomUUID().slice(0, 8)}@example.org`;
    sqlExec(`UPDATE notifications SET recipient = ${lit(`${b.email}>\r\nRCPT TO:<${victim}`)} WHERE id = ${lit(id)}`);
    deliver();
    const row = notificationRow(id);
    assert.equal(row.status, 'failed');
    assert.match(row.last_error, /not one mail can be sent to/);
    assert.equal(mailsTo(victim).length, 0);
    assert.equal(mailsTo(b.email).length, 0);
  });
});

test('the booking times in the mails are the API\'s (one hour)', () => {
  // a guard on the helper that formats the expected "When:" line
  const t = at(MON, '09:00', TZ);
  assert.match(mailWhen(t, TZ), /^Monday, [A-Z][a-z]+ \d{1,2}, \d{4}, 9:00 AM P[SD]T$/);
  assert.match(mailWhen(t + HOUR, TZ), /, 10:00 AM P[SD]T$/);
});
