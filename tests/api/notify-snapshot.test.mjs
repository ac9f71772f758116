// Mails that are right (issue 14, item 4): each notification's content is fixed when
// the change happens (a snapshot in the outbox row's payload, written in the change's
// transaction), so that a booking made, moved twice and cancelled within a second gets
// four mails that each describe their own change; the calendar files keep iTIP order
// (SEQUENCE grows with every update, DTSTAMP is the change's time, the CANCEL is the
// newest), checked with an independent parser (Debian's python3-icalendar,
// tests/api/itip_order.py) in every order of delivery; every mail comes from the
// clinic's name, names its address and phone number and carries the manage link, with
// times as a US clinic writes them; a booking made inside the cancellation window says
// the real rule; a plan's mail carries one calendar file with every session and lists
// moved and unbookable dates with why.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { post, sql, sqlExec, lit } from './lib.mjs';
import { at, fmt, addDays, nextWeekday, createPractice, retirePractice, addTimeOff, bearer } from './fixtures.mjs';
import { startSmtp, textOf } from './smtp.mjs';
import { deliver, mailsTo, calendarFiles, itip } from './worker-mail.mjs';

const TZ = 'America/Los_Angeles';
const PHONE = '+1 503 555 0142';
const ALL_DAY = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '08:00', end: '18:00' }));

let P, W, R; // a clinic with 24 hours' notice, one with 720, one open day and night
let smtp;
let DAY;

/** "Monday, November 23, 2026, 9:00 AM PST": how a US clinic's mail writes a time. */
function usWhen(ms, tz = TZ) {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone: tz, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric',
    minute: '2-digit', hour12: true, timeZoneName: 'short',
  }).formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.weekday}, ${p.month} ${p.day}, ${p.year}, ${Number(p.hour)}:${p.minute} ${p.dayPeriod} ${p.timeZoneName}`;
}

let seq = 0;
async function book(practice, startMs) {
  seq += 1;
  const email = `snap.${seq}.${randomUUID().slice(0, 8)}@example.org`;
  const r = await post('/api/v1/bookings', {
    practitioner_id: practice.practitioners.a, service_id: practice.services.s60,
    start: fmt(startMs, TZ), patient: { name: 'Sol Snapshot', email },
  });
  assert.equal(r.status, 201, r.text);
  return { ...r.json, email, startMs };
}

before(async () => {
  smtp = await startSmtp();
  P = createPractice({
    label: 'notify-snap', tz: TZ, policy: { slot_step_minutes: 30, cancellation_notice_hours: 24, phone: PHONE },
    services: { s60: { minutes: 60 } }, practitioners: { a: ALL_DAY },
  });
  W = createPractice({
    label: 'notify-window', tz: TZ, policy: { slot_step_minutes: 30, cancellation_notice_hours: 720, phone: PHONE },
    services: { s60: { minutes: 60 } }, practitioners: { a: ALL_DAY },
  });
  R = createPractice({
    label: 'notify-remind', tz: TZ, policy: { slot_step_minutes: 30, cancellation_notice_hours: 24, phone: PHONE },
    services: { s60: { minutes: 60 } },
    practitioners: { a: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '23:30' })) },
  });
  DAY = nextWeekday(TZ, 2, 5);
  deliver(smtp); // what other suites left goes out first
});

after(async () => {
  retirePractice(P);
  retirePractice(W);
  retirePractice(R);
  if (smtp) await smtp.stop();
});

describe('booked, moved twice and cancelled within a second', () => {
  let b, A, B, C, mails;

  before(async () => {
    A = at(DAY, '09:00', TZ);
    B = at(addDays(DAY, 1), '10:00', TZ);
    C = at(addDays(DAY, 2), '11:00', TZ);
    const t0 = Date.now();
    b = await book(P, A);
    const m1 = await post(`/api/v1/bookings/${b.id}/reschedule`, { start: fmt(B, TZ) }, { headers: bearer(b.manage_token) });
    assert.equal(m1.status, 200, m1.text);
    const m2 = await post(`/api/v1/bookings/${b.id}/reschedule`, { start: fmt(C, TZ) }, { headers: bearer(b.manage_token) });
    assert.equal(m2.status, 200, m2.text);
    const c = await post(`/api/v1/bookings/${b.id}/cancel`, { reason: 'flare' }, { headers: bearer(b.manage_token) });
    assert.equal(c.status, 200, c.text);
    test.diagnostic?.(`four changes in ${Date.now() - t0} ms`);
    deliver(smtp); // all four sent after the last change: only the snapshots tell them apart
    mails = mailsTo(smtp, b.email);
  });

  test('each outbox row holds the snapshot of its own change', () => {
    const rows = sql(`SELECT kind, payload->'snapshot' AS s FROM notifications
      WHERE booking_id = ${lit(b.id)} ORDER BY created_at, (payload->'snapshot'->>'sequence')::int`);
    assert.deepEqual(rows.map((r) => r.kind),
      ['booking_confirmed', 'booking_rescheduled', 'booking_rescheduled', 'booking_cancelled']);
    assert.deepEqual(rows.map((r) => Number(r.s.start) * 1000), [A, B, C, C]);
    assert.deepEqual(rows.map((r) => r.s.status), ['booked', 'booked', 'booked', 'cancelled']);
    assert.deepEqual(rows.map((r) => r.s.sequence), [0, 1, 2, 3]);
    assert.deepEqual(rows.map((r) => (r.s.previous_start ?? 0) * 1000), [0, A, B, 0]);
    for (const r of rows) {
      assert.equal(r.s.clinic_phone, PHONE);
      assert.equal(r.s.clinic_name, `Test clinic ${P.label}`);
      assert.equal(r.s.country, 'US');
    }
  });

  test('four mails, each describing its own change', () => {
    assert.equal(mails.length, 4, mails.map((m) => m.headers.subject).join(' | '));
    const subjects = mails.map((m) => m.headers.subject).sort();
    assert.deepEqual(subjects, [
      `Booked: ${usWhen(A)}`, `Cancelled: ${usWhen(C)}`, `Moved to ${usWhen(B)}`, `Moved to ${usWhen(C)}`,
    ].sort());
    const bySubj = (s) => mails.find((m) => m.headers.subject === s);
    const booked = textOf(bySubj(`Booked: ${usWhen(A)}`));
    assert.ok(booked.includes(`When:  ${usWhen(A)} to`), booked);
    assert.ok(!booked.includes(usWhen(B)) && !booked.includes(usWhen(C)), booked);
    const ab = textOf(bySubj(`Moved to ${usWhen(B)}`));
    assert.ok(ab.includes(`moved from ${usWhen(A)} to ${usWhen(B)}.`), ab);
    const bc = textOf(bySubj(`Moved to ${usWhen(C)}`));
    assert.ok(bc.includes(`moved from ${usWhen(B)} to ${usWhen(C)}.`), bc);
    assert.notEqual(ab, bc, 'no two identical "Moved" mails');
    const cancelled = textOf(bySubj(`Cancelled: ${usWhen(C)}`));
    assert.ok(cancelled.includes('is cancelled'), cancelled);
    // every one of them keeps the manage link and the clinic's phone number
    for (const m of mails) {
      const text = textOf(m);
      assert.match(text, new RegExp(`/manage#id=${b.id}&token=[A-Za-z0-9_-]{43,}`), text);
      assert.ok(text.includes(PHONE), text);
    }
  });

  test('no CONFIRMED REQUEST for the cancelled state; SEQUENCE and DTSTAMP grow; the CANCEL is newest', () => {
    const order = [`Booked: ${usWhen(A)}`, `Moved to ${usWhen(B)}`, `Moved to ${usWhen(C)}`, `Cancelled: ${usWhen(C)}`];
    const files = order.map((s) => {
      const parts = calendarFiles(mails.find((m) => m.headers.subject === s));
      assert.equal(parts.length, 1, s);
      return parts[0].text;
    });
    const { files: parsed, orders } = itip(files);
    assert.deepEqual(parsed.map((f) => f.method), ['REQUEST', 'REQUEST', 'REQUEST', 'CANCEL']);
    const evs = parsed.map((f) => { assert.equal(f.events.length, 1); return f.events[0]; });
    for (const e of evs) assert.equal(e.uid, `${b.id}@clinicd`);
    assert.deepEqual(evs.map((e) => e.sequence), [0, 1, 2, 3]);
    assert.deepEqual(evs.map((e) => e.status), ['CONFIRMED', 'CONFIRMED', 'CONFIRMED', 'CANCELLED']);
    assert.deepEqual(evs.map((e) => e.dtstart * 1000), [A, B, C, C]);
    for (let i = 1; i < evs.length; i++) assert.ok(evs[i].stamp_ts >= evs[i - 1].stamp_ts, 'DTSTAMP never goes back');
    // out-of-order delivery: whatever order the four arrive in, it stays cancelled
    assert.equal(orders.length, 24);
    for (const o of orders)
      assert.deepEqual(o.result, { [`${b.id}@clinicd`]: ['CANCELLED', C / 1000] }, `order ${o.order}`);
  });

  test('a later move of a booking sends a higher SEQUENCE than the mails before it', async () => {
    const x = await book(P, at(addDays(DAY, 3), '09:00', TZ));
    const to = at(addDays(DAY, 3), '13:00', TZ);
    const r = await post(`/api/v1/bookings/${x.id}/reschedule`, { start: fmt(to, TZ) }, { headers: bearer(x.manage_token) });
    assert.equal(r.status, 200, r.text);
    deliver(smtp);
    const ms = mailsTo(smtp, x.email);
    assert.equal(ms.length, 2);
    const { orders } = itip(ms.map((m) => calendarFiles(m)[0].text));
    for (const o of orders)
      assert.deepEqual(o.result, { [`${x.id}@clinicd`]: ['CONFIRMED', to / 1000] }, `order ${o.order}`);
  });
});

describe('every mail: the clinic as sender, its address and phone, the manage link', () => {
  test('From is the clinic\'s name; the text names its address and phone and has the link', async () => {
    const b = await book(P, at(addDays(DAY, 4), '09:00', TZ));
    deliver(smtp);
    const [m] = mailsTo(smtp, b.email);
    assert.ok(m, 'the confirmation');
    assert.match(m.headers.from, new RegExp(`^"Test clinic ${P.label}" <[^<>\\s]+@[^<>\\s]+>$`), m.headers.from);
    const text = textOf(m);
    assert.ok(text.includes(`Test clinic ${P.label}\n1 Test Street, Los Angeles\nPhone: ${PHONE}\n`), text);
    assert.match(text, new RegExp(`/manage#id=${b.id}&token=[A-Za-z0-9_-]{43,}`), text);
    assert.ok(text.includes(`until 24 hours before the session. After that, please call Test clinic ${P.label} on ${PHONE}.`), text);
  });

  test('a clinic name outside ASCII is an RFC 2047 encoded display name', async () => {
    const name = `Praxis für Faszien ${P.label} – Süd`;
    sqlExec(`UPDATE clinics SET name = ${lit(name)} WHERE id = ${lit(P.clinicId)}`);
    try {
      const b = await book(P, at(addDays(DAY, 4), '11:00', TZ));
      deliver(smtp);
      const [m] = mailsTo(smtp, b.email);
      const words = [...m.headers.from.matchAll(/=\?utf-8\?B\?([A-Za-z0-9+/=]+)\?=/g)];
      assert.ok(words.length >= 1, m.headers.from);
      assert.equal(words.map((w) => Buffer.from(w[1], 'base64').toString('utf8')).join(''), name);
      assert.match(m.headers.from, /\?= <[^<>\s]+@[^<>\s]+>$/);
      assert.ok(/^[\x20-\x7e]*$/.test(m.head.replace(/\n/g, ' ')), 'the header block is ASCII');
    } finally {
      sqlExec(`UPDATE clinics SET name = ${lit(`Test clinic ${P.label}`)} WHERE id = ${lit(P.clinicId)}`);
    }
  });

  test('a booking inside the cancellation window says the real rule, with the phone number', async () => {
    const b = await book(W, at(addDays(DAY, 1), '15:00', TZ)); // 720 hours (30 days) of notice asked
    deliver(smtp);
    const [m] = mailsTo(smtp, b.email);
    const text = textOf(m);
    assert.ok(text.includes('can no longer be moved or cancelled online'), text);
    assert.ok(text.includes(`call Test clinic ${W.label} on ${PHONE}`), text);
    assert.ok(!/at any time/i.test(text), text);
    assert.ok(!text.includes('To cancel or move it, open this link'), text);
  });
});

describe('a plan\'s mail', () => {
  test('one calendar file with every booked session; moved and unbookable dates listed with why', async () => {
    const first = at(addDays(DAY, 7), '10:00', TZ);
    // the second week's 10:00 is taken: the plan moves it; the third week is all taken
    const taken = await book(P, first + 7 * 86400_000);
    const day3 = addDays(DAY, 21);
    addTimeOff(P, P.practitioners.a, at(day3, '00:00', TZ) - 4 * 86400_000, at(day3, '00:00', TZ) + 5 * 86400_000);
    const email = `plan.${randomUUID().slice(0, 8)}@example.org`;
    const r = await post('/api/v1/booking-series', {
      practitioner_id: P.practitioners.a, service_id: P.services.s60, start: fmt(first, TZ),
      patient: { name: 'Sol Snapshot', email }, rrule: 'FREQ=WEEKLY;COUNT=4', on_conflict: 'nearest',
    });
    assert.equal(r.status, 201, r.text);
    const occ = r.json.occurrences;
    const booked = occ.filter((o) => o.booking_id);
    assert.ok(occ.some((o) => o.status === 'moved'), JSON.stringify(occ));
    assert.ok(occ.some((o) => o.status === 'skipped'), JSON.stringify(occ));
    deliver(smtp);
    const ms = mailsTo(smtp, email);
    assert.equal(ms.length, 1, ms.map((m) => m.headers.subject).join(' | '));
    const parts = calendarFiles(ms[0]);
    assert.equal(parts.length, 1, 'one calendar file');
    const { files } = itip([parts[0].text]);
    assert.equal(files[0].method, 'REQUEST');
    assert.deepEqual(files[0].events.map((e) => e.uid).sort(), booked.map((o) => `${o.booking_id}@clinicd`).sort());
    assert.deepEqual(files[0].events.map((e) => e.dtstart * 1000).sort(), booked.map((o) => Date.parse(o.start)).sort());
    const text = textOf(ms[0]);
    const moved = occ.find((o) => o.status === 'moved');
    assert.ok(text.includes(`${usWhen(Date.parse(moved.start))} (moved: ${usWhen(Date.parse(moved.requested_start))} was not free)`), text);
    const skipped = occ.find((o) => o.status === 'skipped');
    assert.ok(text.includes(`${usWhen(Date.parse(skipped.start))}: could not be booked (${skipped.reason})`), text);
    assert.ok(!text.includes('each have their own link'), text);
    assert.ok(text.includes(`Phone: ${PHONE}`), text);
    void taken;
  });
});

describe('reminders', () => {
  test('a booking due within reminder_hours gets its reminder in the SMTP sink, once', async () => {
    const HALF = 30 * 60_000;
    const start = Math.ceil(Date.now() / HALF) * HALF + 4 * 3600_000;
    const b = await book(R, start);
    deliver(smtp);
    assert.equal(mailsTo(smtp, b.email).length, 1, 'the confirmation');
    // booked more than an hour ago (a booking made just now is not reminded of)
    sqlExec(`UPDATE bookings SET created_at = now() - interval '2 hours' WHERE id = ${lit(b.id)}`);
    deliver(smtp);
    deliver(smtp);
    const ms = mailsTo(smtp, b.email);
    const reminders = ms.filter((m) => /^Reminder: /.test(m.headers.subject));
    assert.equal(reminders.length, 1, ms.map((m) => m.headers.subject).join(' | '));
    assert.equal(reminders[0].headers.subject, `Reminder: ${usWhen(start)}`);
    const text = textOf(reminders[0]);
    assert.ok(text.includes('A reminder of your next session'), text);
    // four hours away, the clinic asks for 24: the real rule, with the number
    assert.ok(text.includes(`can no longer be moved or cancelled online. To change it, please call Test clinic ${R.label} on ${PHONE}.`), text);
    const [ics] = calendarFiles(reminders[0]);
    const { files } = itip([ics.text]);
    assert.equal(files[0].events[0].uid, `${b.id}@clinicd`);
    assert.equal(files[0].events[0].sequence, 0);
    const rows = sql(`SELECT status FROM notifications WHERE booking_id = ${lit(b.id)} AND kind = 'reminder'`);
    assert.deepEqual(rows, [{ status: 'sent' }]);
  });
});
