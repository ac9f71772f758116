// The mails of a plan's changes carry calendar files (issue 14, item 4), read from the
// real SMTP sink after `clinicd worker --once` and checked with an independent parser
// (python3-icalendar, tests/api/itip_order.py): a METHOD:REQUEST file of the sessions a
// change books or moves (one UID per session, the UID of the session's own mails, a
// SEQUENCE above every earlier one for it, a fresh DTSTAMP) and a METHOD:CANCEL file of
// those it cancels (newer than every REQUEST before); in every order of delivery a
// calendar ends with what the plan holds.  Likewise for a single booking that grows
// into a plan.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { post, get } from './lib.mjs';
import { at, fmt, addDays, nextWeekday, createPractice, retirePractice, bearer } from './fixtures.mjs';
import { startSmtp, allMails, textOf } from './smtp.mjs';
import { deliver, mailsTo, calendarFiles, itip } from './worker-mail.mjs';

const TZ = 'Europe/Berlin';
const PHONE = '+49 30 5550142';
const ALL_DAY = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '08:00', end: '18:00' }));

let P;
let smtp;
let DAY;
const seen = new Set();

/** Delivers what is due and returns the mails to address that arrived now. */
function newMailsTo(address) {
  deliver(smtp);
  const fresh = mailsTo(smtp, address).filter((m) => !seen.has(m.file));
  for (const m of fresh) seen.add(m.file);
  return fresh;
}

/** The one new mail to address, with subject. */
function oneMail(address, subject) {
  const ms = newMailsTo(address);
  assert.equal(ms.length, 1, `one mail, got: ${ms.map((m) => m.headers.subject).join(' | ')}`);
  assert.equal(ms[0].headers.subject, subject);
  return ms[0];
}

const uid = (bookingId) => `${bookingId}@clinicd`;

/** The calendar state a plan's sessions must leave: {uid: [status, start seconds]}. */
function expected(sessions) {
  const out = {};
  for (const s of sessions.filter((x) => x.booking_id)) {
    out[uid(s.booking_id)] = [s.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED', Date.parse(s.start) / 1000];
  }
  return out;
}

/** Every file ever sent, in every order of delivery, ends as the plan is. */
function assertEveryOrder(files, sessions) {
  const { files: parsed, orders } = itip(files.map((f) => f.text));
  const want = expected(sessions);
  for (const o of orders) assert.deepEqual(o.result, want, `order ${o.order}`);
  return parsed;
}

/** Each UID's SEQUENCE and DTSTAMP never go back across the files in sending order, and
 * a CANCEL is newer than every REQUEST before it. */
function assertNewer(parsed) {
  const last = new Map();
  for (const f of parsed) {
    for (const e of f.events) {
      const prev = last.get(e.uid);
      if (prev) {
        assert.ok(e.sequence > prev.sequence, `${e.uid}: SEQUENCE ${e.sequence} after ${prev.sequence}`);
        assert.ok(e.stamp_ts >= prev.stamp_ts, `${e.uid}: DTSTAMP goes back`);
      }
      last.set(e.uid, e);
    }
  }
}

before(async () => {
  smtp = await startSmtp();
  P = createPractice({
    label: 'plan-mails', tz: TZ, policy: { slot_step_minutes: 30, cancellation_notice_hours: 24, phone: PHONE },
    services: { s60: { minutes: 60 } }, practitioners: { a: ALL_DAY },
  });
  DAY = nextWeekday(TZ, 2, 5);
  deliver(smtp); // what other suites left goes out first
  for (const m of allMails(smtp.maildir)) seen.add(m.file);
});

after(async () => {
  retirePractice(P);
  if (smtp) await smtp.stop();
});

describe('a plan\'s changes, each with its calendar files', () => {
  test('cadence, flare, sessions added, cancel the rest: REQUEST and CANCEL files that end as the plan is in every order', async () => {
    const email = `plan.mails.${randomUUID().slice(0, 8)}@example.org`;
    const made = await post('/api/v1/booking-series', {
      practitioner_id: P.practitioners.a, service_id: P.services.s60, start: fmt(at(DAY, '09:00', TZ), TZ),
      patient: { name: 'Mo Mail', email }, rrule: 'FREQ=WEEKLY;COUNT=3', on_conflict: 'skip',
    });
    assert.equal(made.status, 201, made.text);
    const pl = { id: made.json.id, token: made.json.manage_token };
    const act = (what, body) => post(`/api/v1/booking-series/${pl.id}/${what}`, body, { headers: bearer(pl.token) });
    const ids = made.json.occurrences.map((o) => o.booking_id);
    const files = [];

    const first = newMailsTo(email);
    assert.equal(first.length, 1);
    files.push(...calendarFiles(first[0]));
    assert.deepEqual(files.map((f) => f.method), ['REQUEST']);

    // every 2 weeks from session 2: session 3 moves a week later
    const cad = await act('cadence', { from_session: 2, every_weeks: 2 });
    assert.equal(cad.status, 200, cad.text);
    const mc = oneMail(email, 'Your treatment plan has new dates');
    const cc = calendarFiles(mc);
    assert.deepEqual(cc.map((f) => f.method), ['REQUEST'], 'no CANCEL: nothing was cancelled');
    const text = textOf(mc);
    assert.match(text, /\(moved from \w+day \d+ \w+ \d{4}, \d+:\d\d\)/, 'the moved session names its time before');
    assert.ok(text.includes(PHONE), text);
    assert.match(text, /\/manage#id=[0-9a-f-]{36}&token=/);
    files.push(...cc);

    // a flare cancels session 1
    const fl = await act('flare', { action: 'cancel' });
    assert.equal(fl.status, 200, fl.text);
    const cf = calendarFiles(oneMail(email, 'Your flare move is done'));
    assert.deepEqual(cf.map((f) => f.method), ['CANCEL']);
    files.push(...cf);

    // one session added at the end
    const add = await act('sessions', { count: 1 });
    assert.equal(add.status, 200, add.text);
    const ca = calendarFiles(oneMail(email, 'Sessions added to your treatment plan'));
    assert.deepEqual(ca.map((f) => f.method), ['REQUEST']);
    files.push(...ca);

    let plan = (await get(`/api/v1/booking-series/${pl.id}`, { headers: bearer(pl.token) })).json;
    let parsed = assertEveryOrder(files, plan.sessions);
    assertNewer(parsed);
    // the cadence's file names exactly the session it moved (session 2 keeps its time), one more SEQUENCE
    assert.deepEqual(parsed[1].events.map((e) => [e.uid, e.sequence]), [[uid(ids[2]), 1]]);
    assert.deepEqual(parsed[2].events.map((e) => [e.uid, e.sequence, e.status]), [[uid(ids[0]), 1, 'CANCELLED']]);
    assert.equal(parsed[3].events.length, 1);
    assert.equal(parsed[3].events[0].uid, uid(plan.sessions[3].booking_id));
    assert.equal(parsed[3].events[0].sequence, 0);

    // the rest cancelled: one CANCEL file of the three left, each newer than its REQUESTs
    const cr = await act('cancel-rest', {});
    assert.equal(cr.status, 200, cr.text);
    const cx = calendarFiles(oneMail(email, 'The rest of your treatment plan is cancelled'));
    assert.deepEqual(cx.map((f) => f.method), ['CANCEL']);
    files.push(...cx);
    plan = (await get(`/api/v1/booking-series/${pl.id}`, { headers: bearer(pl.token) })).json;
    parsed = assertEveryOrder(files, plan.sessions);
    assertNewer(parsed);
    assert.equal(parsed[4].events.length, 3);
  });

  test('a single booking grown into a plan: its mail requests only the new sessions; the booking\'s own cancel still wins', async () => {
    const email = `plan.one.${randomUUID().slice(0, 8)}@example.org`;
    const r = await post('/api/v1/bookings', {
      practitioner_id: P.practitioners.a, service_id: P.services.s60, start: fmt(at(addDays(DAY, 1), '10:00', TZ), TZ),
      patient: { name: 'Una One', email },
    });
    assert.equal(r.status, 201, r.text);
    const b = r.json;
    const files = [];
    const booked = newMailsTo(email);
    assert.equal(booked.length, 1);
    files.push(...calendarFiles(booked[0]));

    const grow = await post(`/api/v1/bookings/${b.id}/sessions`, { count: 2, every_weeks: 1 }, { headers: bearer(b.manage_token) });
    assert.equal(grow.status, 200, grow.text);
    const mg = oneMail(email, 'Your booking is now a treatment plan');
    const cg = calendarFiles(mg);
    assert.deepEqual(cg.map((f) => f.method), ['REQUEST']);
    const text = textOf(mg);
    assert.equal((text.match(/\(new\)/g) ?? []).length, 2, text);
    assert.ok(text.includes(PHONE), text);
    assert.match(text, new RegExp(`/manage#id=${b.id}&token=`), 'the link opens the whole plan from the first session');
    files.push(...cg);

    const cancel = await post(`/api/v1/bookings/${b.id}/cancel`, {}, { headers: bearer(b.manage_token) });
    assert.equal(cancel.status, 200, cancel.text);
    files.push(...newMailsTo(email).flatMap(calendarFiles));
    assert.deepEqual(files.map((f) => f.method), ['REQUEST', 'REQUEST', 'CANCEL']);

    const plan = (await get(`/api/v1/booking-series/${grow.json.plan.id}`, { headers: bearer(b.manage_token) })).json;
    const parsed = assertEveryOrder(files, plan.sessions);
    assertNewer(parsed);
    assert.deepEqual(parsed[1].events.map((e) => e.uid).sort(),
      plan.sessions.slice(1).map((s) => uid(s.booking_id)).sort(), 'only the new sessions');
  });
});
