// A treatment plan followed the way a tired patient would, in a real browser, with the
// mails a real worker (`clinicd worker`) delivers to a real SMTP sink (tests/api/smtp.mjs):
// find a practitioner by place, book a 10-session weekly plan through the booking pages
// (one date taken by someone else, one in the practitioner's time off), get one mail
// with one calendar file holding every booked session, open its link, see the whole
// plan, make a flare move, add a session, change the cadence for the rest; each change
// is previewed before it is made and sends a mail, whose facts (dates and times as the
// clinic's country writes them, the clinic as sender, its phone, the manage link) are
// checked against what the pages showed.  The calendar files (the plan's, and each
// change's REQUEST and CANCEL) are read with Debian's python3-icalendar
// (tests/api/itip_order.py), not a regex.
//
// Each run makes a practice of its own (a fresh clinic, at a place no other active
// practice is near) and a fresh patient address, so it runs twice on one database.
// Every page is checked with axe-core; mails are waited for by polling the sink.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { launch, withPage, check, PHONE, DESKTOP, BASE } from './browser.mjs';
import {
  createPractice, retirePractice, addTimeOff, availability, bookOk, at, today, addDays, localDate,
} from '../api/fixtures.mjs';
import { sql, sqlExec, lit, get } from '../api/lib.mjs';
import { startSmtp, allMails, textOf } from '../api/smtp.mjs';
import { calendarsOf } from '../api/worker-mail.mjs';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const OUT = join(REPO, 'tests', 'out');
const TZ = 'America/Los_Angeles'; // a US clinic: mails write 12-hour times with the zone's name
const CLINIC_PHONE = '+1 541 555 0123';
const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '09:00', end: '17:00' }));
const SESSIONS = 10;
const MAIL_WAIT_MS = 60_000; // a busy two-core machine; the worker polls every 200 ms

let B;       // the browser
let P;       // the practice of this run
let smtp;    // the sink
let worker;  // `clinicd worker`, delivering into the sink
const S = {}; // what one step leaves for the next

// ---------------------------------------------------------------------------------------
// the practice, the patient and the worker

const tag = randomUUID().slice(0, 8);
const ME = {
  name: 'Jo Marsh', email: `jo.marsh.${tag}@example.org`, phone: '+1 541 555 0177',
  notes: 'Fibromyalgia; mornings are hard. Please go gently on my shoulders.',
  tz: TZ, // lives near the clinic: the mails write each time once, on the clinic's clock
};

/** The patient's browser in the patient's time zone, whatever the machine's: the
 * booking pages send it with the booking, and a mail adds the patient's clock to each
 * time where it differs from the clinic's. */
async function inPatientZone(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setTimezoneOverride', { timezoneId: ME.tz });
}

/** A town of the gazetteer in the clinic's time zone with no active practice within
 * 60 km, so that a search there finds this run's practitioner (a killed run's practice
 * stays active and makes the next run choose another town). */
function quietTown() {
  const [town] = sql(`SELECT p.name, p.region_code, p.region_name, p.lat, p.lon FROM places p
    WHERE p.kind = 'city' AND p.country_code = 'US' AND p.region_code IN ('OR', 'WA', 'CA')
      AND p.population BETWEEN 5000 AND 200000
      AND NOT EXISTS (SELECT 1 FROM locations l WHERE l.active
        AND ST_DWithin(l.geog, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326)::geography, 60000))
    ORDER BY p.population DESC, p.id LIMIT 1`);
  assert.ok(town, 'no town without a practice nearby in the gazetteer');
  return town;
}

function makePractice() {
  const p = createPractice({
    label: 'journey', tz: TZ,
    policy: { phone: CLINIC_PHONE, min_notice_minutes: 60, cancellation_notice_hours: 24,
      booking_horizon_days: 400, slot_step_minutes: 30, max_open_bookings_per_contact: 100 },
    services: { s60: { minutes: 60 } }, practitioners: { a: EVERY_DAY },
  });
  const town = quietTown();
  p.town = town;
  p.practitionerName = `Mira Okafor ${tag}`;
  p.clinicName = `Gentle Fascia Rooms ${tag}`;
  sqlExec(`BEGIN;
    UPDATE clinics SET name = ${lit(p.clinicName)} WHERE id = ${lit(p.clinicId)};
    UPDATE practitioners SET name = ${lit(p.practitionerName)}, accepting_new = true
      WHERE id = ${lit(p.practitioners.a)};
    UPDATE locations SET city = ${lit(town.name)}, region = ${lit(town.region_code)},
      geog = ST_SetSRID(ST_MakePoint(${town.lon}, ${town.lat}), 4326)::geography
      WHERE id = ${lit(p.locationId)};
    INSERT INTO practitioner_techniques (clinic_id, practitioner_id, technique_id)
      SELECT ${lit(p.clinicId)}, ${lit(p.practitioners.a)}, id FROM techniques
      WHERE slug = 'myofascial-release';
    UPDATE practitioners SET search_doc = search_doc WHERE id = ${lit(p.practitioners.a)};
    COMMIT;`);
  return p;
}

/** `clinicd worker` (not --once) against the sink, as `make run` runs it: the links in
 * its mails lead to this test server. */
function startWorker() {
  assert.ok(process.env.CLINICD_BIN, 'CLINICD_BIN must be set (tests/run.sh sets it)');
  mkdirSync(OUT, { recursive: true });
  const log = join(OUT, 'journey-worker.log');
  const fd = openSync(log, 'w');
  const proc = spawn(process.env.CLINICD_BIN, ['worker'], {
    cwd: REPO, stdio: ['ignore', fd, fd],
    env: { ...process.env, CLINICD_SMTP_URL: smtp.url, CLINICD_WORKER_POLL_MS: '200',
      CLINICD_PUBLIC_BASE_URL: BASE },
  });
  closeSync(fd);
  proc.log = log;
  // a run cut short does not leave it behind
  process.on('exit', () => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL'); });
  return proc;
}

async function stopWorker() {
  if (!worker || worker.exitCode !== null || worker.signalCode !== null) return;
  const gone = new Promise((r) => worker.once('exit', r));
  worker.kill('SIGTERM');
  const timer = setTimeout(() => worker.kill('SIGKILL'), 20_000);
  await gone;
  clearTimeout(timer);
}

before(async () => {
  smtp = await startSmtp();
  P = makePractice();
  worker = startWorker();
  B = await launch();
});

after(async () => {
  await B?.close();
  await stopWorker();
  await smtp?.stop();
  retirePractice(P);
});

// ---------------------------------------------------------------------------------------
// times, as the pages and the mails write them

const norm = (s) => s.replace(/\s+/g, ' ').trim();
const inTz = (iso, opts) => new Intl.DateTimeFormat('en-US', { timeZone: TZ, ...opts }).format(new Date(iso));
const LONG_DATE = { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' };
const WEEKDAY_DATE = { weekday: 'long', month: 'long', day: 'numeric' };
const TIME = { hour: 'numeric', minute: '2-digit' };
/** "Monday, December 14, 2026, 10:00 AM": a session in the plan's lists. */
const pageWhen = (iso) => norm(`${inTz(iso, LONG_DATE)}, ${inTz(iso, TIME)}`);
/** "Monday, December 14 at 10:00 AM": the next session, the slot links. */
const pageDayAt = (iso) => norm(`${inTz(iso, WEEKDAY_DATE)} at ${inTz(iso, TIME)}`);
/** "Monday, December 14, 2026, 10:00 AM PST": how a mail of a US clinic writes it. */
const mailWhen = (iso) => norm(`${inTz(iso, LONG_DATE)}, ${inTz(iso, { ...TIME, timeZoneName: 'short' })}`);

const sameInstant = (a, b) => Date.parse(a) === Date.parse(b);
const literally = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// ---------------------------------------------------------------------------------------
// the mails

const mine = () => allMails(smtp.maildir).filter((m) => (m.headers.to ?? '').toLowerCase() === ME.email);
const seen = new Set();

function workerLog() {
  try { return readFileSync(worker.log, 'utf8').split('\n').slice(-15).join('\n'); } catch { return ''; }
}

/**
 * Waits (polling the sink, up to MAIL_WAIT_MS) for the next mail to the patient that no
 * earlier step took; fails when it does not come, or when more than one came.
 */
async function nextMail(what) {
  const deadline = Date.now() + MAIL_WAIT_MS;
  for (;;) {
    const fresh = mine().filter((m) => !seen.has(m.file));
    if (fresh.length) {
      fresh.forEach((m) => seen.add(m.file));
      assert.equal(fresh.length, 1, `one mail for ${what}, got: ${fresh.map((m) => m.headers.subject).join(' | ')}`);
      return fresh[0];
    }
    assert.ok(worker.exitCode === null, `the worker stopped (${worker.exitCode}):\n${workerLog()}`);
    assert.ok(Date.now() < deadline, `no mail for ${what} within ${MAIL_WAIT_MS / 1000} s; the worker said:\n${workerLog()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The manage link of a mail's text: {url, id, token}. */
function linkOf(text) {
  const m = /(\S+\/manage#id=([0-9a-f-]{36})&token=([A-Za-z0-9_-]+))/.exec(text);
  assert.ok(m, `no manage link in the mail:\n${text}`);
  return { url: m[1], id: m[2], token: m[3] };
}

/** What every mail of the plan must have: sent to the patient by the clinic (its name
 * as the sender's display name), its phone, and the plan's manage link on this server. */
function checkMailBasics(mail, subject) {
  const text = textOf(mail);
  assert.match(mail.headers.subject ?? '', subject);
  assert.equal(mail.headers.to.toLowerCase(), ME.email);
  const from = /^"(.*)" <[^>]+>$/.exec(mail.headers.from ?? '');
  assert.ok(from, `the sender has a display name: ${mail.headers.from}`);
  assert.equal(from[1], P.clinicName, 'the clinic\'s name is the sender\'s display name');
  assert.ok(text.includes(ME.name), 'the mail greets the patient by name');
  assert.ok(text.includes(CLINIC_PHONE), `the clinic's phone is in the mail:\n${text}`);
  const link = linkOf(text);
  assert.ok(link.url.startsWith(`${BASE}/manage#`), `the link leads to this server: ${link.url}`);
  if (S.link) assert.equal(link.token, S.link.token, 'the same plan link in every mail');
  return { text: norm(text), link };
}

/**
 * Checks the mail of a change of the plan, in test t: the basics, then (subtests) that
 * it names every time in `times` (ISO instants, as the change's answer and the page had
 * them) as a mail of the clinic's country writes it, and each in `movedFrom` (the times
 * given up) likewise, and that its calendar files hold what the change made between the
 * plans `before` and `after` (checkChangeCalendars).
 */
async function checkChangeMail(t, mail, { subject, times, movedFrom = [], what, before, after }) {
  const { text } = checkMailBasics(mail, subject);
  const names = (x) => assert.ok(text.includes(mailWhen(x)), `the mail of ${what} names ${mailWhen(x)}:\n${textOf(mail)}`);
  await t.test(`the mail names the times of ${what}`, () => times.forEach(names));
  if (movedFrom.length) await t.test(`the mail names the time ${what} gave up`, () => movedFrom.forEach(names));
  await t.test(`the mail's calendar files hold ${what}`, () => checkChangeCalendars(mail, before, after));
}

// What the patient's calendar holds of each session, by booking id: its UID (as the plan
// mail's calendar file named it, or the change's mail that added it) and the SEQUENCE of
// the last file that named it.  Filled by the plan mail's step, kept up by each change.
const held = new Map();

/** What a change made, from the plan before and after it: the sessions it added, those
 * it moved (same booking, another start) and those it cancelled. */
function changeOf(before, after) {
  const was = new Map(before.sessions.filter((s) => s.booking_id).map((s) => [s.booking_id, s]));
  const now = after.sessions.filter((s) => s.booking_id);
  return {
    added: now.filter((s) => !was.has(s.booking_id) && s.status !== 'cancelled'),
    moved: now.filter((s) => was.has(s.booking_id) && s.status !== 'cancelled'
      && !sameInstant(s.start, was.get(s.booking_id).start)),
    cancelled: now.filter((s) => s.status === 'cancelled' && was.get(s.booking_id)?.status !== 'cancelled'),
  };
}

/**
 * The calendar files of a change's mail: a METHOD:REQUEST file whose VEVENTs are the
 * sessions the change added or moved (a moved one under the UID the plan mail gave it,
 * with a higher SEQUENCE than its last file, DTSTART its new start; an added one under a
 * UID of its own), and a METHOD:CANCEL file of those it cancelled (each with a higher
 * SEQUENCE than the REQUEST before); no other file.  Records what the calendar holds now.
 */
function checkChangeCalendars(mail, before, after) {
  const { added, moved, cancelled } = changeOf(before, after);
  const files = calendarsOf(mail);
  const want = [...(added.length || moved.length ? ['REQUEST'] : []), ...(cancelled.length ? ['CANCEL'] : [])];
  assert.deepEqual(files.map((f) => f.method).sort(), want.sort(), 'a REQUEST file of what was booked or moved, a CANCEL file of what was cancelled');
  const request = files.find((f) => f.method === 'REQUEST')?.events ?? [];
  const cancel = files.find((f) => f.method === 'CANCEL')?.events ?? [];
  const known = (s) => {
    const h = held.get(s.booking_id);
    assert.ok(h, `the plan mail's calendar file named the session of ${pageWhen(s.start)}`);
    return h;
  };
  assert.equal(request.length, added.length + moved.length, `the REQUEST names only the sessions added or moved: ${JSON.stringify(request)}`);
  for (const s of moved) {
    const h = known(s);
    const e = request.find((x) => x.uid === h.uid);
    assert.ok(e, `the REQUEST names the moved session (${pageWhen(s.start)}) by the UID of the plan mail: ${h.uid}`);
    assert.ok(e.sequence > h.sequence, `${h.uid}: the REQUEST's SEQUENCE (${e.sequence}) must be above the last one sent (${h.sequence})`);
    assert.equal(e.dtstart * 1000, Date.parse(s.start), `${h.uid}: DTSTART must be the new time, ${pageWhen(s.start)}`);
    assert.equal(e.status, 'CONFIRMED');
    held.set(s.booking_id, { uid: e.uid, sequence: e.sequence });
  }
  const uids = new Set([...held.values()].map((h) => h.uid));
  for (const s of added) {
    const e = request.find((x) => x.dtstart * 1000 === Date.parse(s.start) && !uids.has(x.uid));
    assert.ok(e, `the REQUEST names the added session (${pageWhen(s.start)}) under a UID of its own: ${JSON.stringify(request)}`);
    assert.equal(e.status, 'CONFIRMED');
    held.set(s.booking_id, { uid: e.uid, sequence: e.sequence });
  }
  assert.equal(cancel.length, cancelled.length, `the CANCEL names only the sessions cancelled: ${JSON.stringify(cancel)}`);
  for (const s of cancelled) {
    const h = known(s);
    const e = cancel.find((x) => x.uid === h.uid);
    assert.ok(e, `the CANCEL names the cancelled session (${pageWhen(s.start)}) by its UID ${h.uid}`);
    assert.ok(e.sequence > h.sequence, `${h.uid}: the CANCEL's SEQUENCE (${e.sequence}) must be above the REQUEST's before (${h.sequence})`);
    assert.equal(e.status, 'CANCELLED');
    held.set(s.booking_id, { uid: e.uid, sequence: e.sequence });
  }
}

// ---------------------------------------------------------------------------------------
// the plan, as the API has it (to tie what the page shows to instants)

async function planNow() {
  const r = await get(`/api/v1/booking-series/${S.seriesId}`, { headers: { authorization: `Bearer ${S.link.token}` } });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

/** The plan page's list as the patient reads it: one line a session. */
const planLines = async (page) => (await page.locator('#plan-list li').allInnerTexts()).map(norm);

/** Opens the plan from the mail's link and checks the whole plan is shown. */
async function openPlan(page, name) {
  await page.goto(S.link.url);
  await page.getByRole('heading', { level: 1, name: 'Your treatment plan' }).waitFor();
  await page.locator('#plan-list li').first().waitFor();
  await check(page, name);
}

/**
 * One change from the plan page, as the patient makes it: the button, the fields
 * (fill), "Show me what would change" (the preview, which must change nothing), then
 * "Yes, do this" (whatever the preview offers first stays chosen).  Returns {changes
 * (the preview's, with ISO times), before and plan (the plan before and after)}.
 */
async function previewAndConfirm(page, button, path, fill, name) {
  await page.getByRole('button', { name: button, exact: true }).click();
  await page.locator('#change-form').waitFor();
  await fill?.(page);
  const isChange = (dry) => (r) => r.url().endsWith(`/booking-series/${S.seriesId}/${path}`)
    && r.request().method() === 'POST' && Boolean(r.request().postDataJSON()?.dry_run) === dry;
  const before = await planNow();
  const [previewed] = await Promise.all([page.waitForResponse(isChange(true)),
    page.getByRole('button', { name: 'Show me what would change' }).click()]);
  assert.equal(previewed.status(), 200, await previewed.text());
  const { changes } = await previewed.json();
  const items = page.locator('#change-preview li');
  await items.first().waitFor();
  assert.equal(await items.count(), changes.length, 'the preview shows every change');
  const lines = (await items.allInnerTexts()).map(norm);
  changes.forEach((c, i) => assert.ok(lines[i].includes(pageWhen(c.start)), `preview line ${i + 1} shows ${pageWhen(c.start)}: ${lines[i]}`));
  assert.match(await page.locator('#change-result').innerText(), /Nothing has changed yet/);
  assert.deepEqual(await planNow(), before, 'the preview changed nothing');
  await check(page, `${name}-preview`);
  const [made] = await Promise.all([page.waitForResponse(isChange(false)),
    page.getByRole('button', { name: 'Yes, do this' }).click()]);
  assert.equal(made.status(), 200, await made.text());
  await page.locator('#change-done').waitFor();
  await check(page, `${name}-done`);
  return { changes, before, plan: (await made.json()).plan };
}

// ---------------------------------------------------------------------------------------
// the walk

test('find a practitioner by the town, open the profile, choose the first session\'s time', async () => {
  // the first session is next week or the week after, at 10:00; someone else has the
  // third date's time, and the sixth date falls in a week the practitioner is away
  const first = today(TZ, 9);
  const slot = (await availability(P.practitioners.a, { service: P.services.s60, from: first, to: first }))
    .slots.find((s) => sameInstant(s.start, new Date(at(first, '10:00', TZ)).toISOString()));
  assert.ok(slot, `10:00 on ${first} is free`);
  S.first = slot.start;
  await bookOk(P.practitioners.a, P.services.s60, at(addDays(first, 14), '10:00', TZ), TZ);
  addTimeOff(P, P.practitioners.a, at(addDays(first, 32), '00:00', TZ), at(addDays(first, 39), '00:00', TZ));

  await withPage(B.browser, PHONE, async (page) => {
    await page.goto('/');
    await page.locator('#place').pressSequentially(P.town.name);
    const option = page.getByRole('option', { name: new RegExp(`^${literally(`${P.town.name}, ${P.town.region_name}`)}`) });
    await option.first().click();
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const result = page.getByRole('link', { name: P.practitionerName, exact: true });
    await result.waitFor();
    await check(page, 'journey-search');
    await result.click();
    await page.getByRole('heading', { level: 1, name: P.practitionerName }).waitFor();
    await page.locator('.times a').first().waitFor();
    // the week of the first session: "Next week" until its day is shown
    const day = page.locator(`.day[data-day="${first}"]`);
    for (let i = 0; i < 3 && !(await day.count()); i++) {
      const week = await page.locator('#week-heading').innerText();
      await page.locator('#next-week').click();
      await page.waitForFunction((w) => document.querySelector('#week-heading')?.textContent !== w, week);
      await page.locator('.days').waitFor();
    }
    await check(page, 'journey-profile');
    const time = day.getByRole('link', { name: `Book ${pageDayAt(slot.start)}` });
    if (!(await time.count())) await day.getByRole('button', { name: /Show all/ }).click();
    await time.click();
    await page.getByRole('heading', { level: 1, name: 'Your details' }).waitFor();
    S.bookUrl = page.url();
  });
});

test('book a weekly plan of 10: details typed, every date previewed, the taken date moved, the away date named', async (t) => {
  assert.ok(S.bookUrl, 'the first step ran');
  await withPage(B.browser, PHONE, async (page) => {
    await inPatientZone(page);
    await page.goto(S.bookUrl);
    await page.getByRole('heading', { level: 1, name: 'Your details' }).waitFor();
    await page.getByLabel('Your name').pressSequentially(ME.name);
    await page.getByLabel('Your email address').pressSequentially(ME.email);
    await page.getByLabel(/Your phone number/).pressSequentially(ME.phone);
    await page.getByLabel(/Anything the practitioner should know/).pressSequentially(ME.notes);
    await page.getByLabel(/Make it a plan/).check();
    await page.selectOption('#every', '1');
    await page.getByLabel('Number of sessions').fill(String(SESSIONS));
    await check(page, 'journey-details');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Check and confirm' }).waitFor();
    await page.locator('#plan-preview').waitFor();
    const rows = await page.locator('#plan-preview tbody tr').evaluateAll((trs) => trs.map((t) => t.dataset.status));
    assert.equal(rows.length, SESSIONS);
    assert.equal(rows[2], 'move', `the taken date offers a nearby time: ${rows}`);
    assert.equal(rows[5], 'none', `the date in the time off cannot be had: ${rows}`);
    assert.equal(rows.filter((r) => r === 'free').length, SESSIONS - 2);
    S.previewAway = norm(await page.locator('#plan-preview tbody tr').nth(5).innerText());
    await check(page, 'journey-confirm');
    await page.getByLabel(/Book the nearest free time instead/).check();
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/booking-series') && r.request().method() === 'POST'),
      page.getByRole('button', { name: /Book the sessions shown/ }).click(),
    ]);
    assert.equal(answer.status(), 201, await answer.text());
    const plan = await answer.json();
    await page.getByRole('heading', { level: 1, name: 'Your plan is booked' }).waitFor();
    const occ = plan.occurrences;
    assert.deepEqual(occ.map((o) => o.status), ['booked', 'booked', 'moved', 'booked', 'booked', 'skipped',
      'booked', 'booked', 'booked', 'booked']);
    const lines = (await page.locator('#plan-result li').allInnerTexts()).map(norm);
    occ.forEach((o, i) => {
      if (o.status !== 'skipped') assert.ok(lines[i].includes(pageWhen(o.start)), `the page shows ${pageWhen(o.start)}: ${lines[i]}`);
    });
    S.doneAway = lines[5];
    await check(page, 'journey-booked');
    S.seriesId = plan.id;
    S.occurrences = occ;
    S.pageLink = await page.locator('#manage-link').inputValue();
  });
  await t.test('the pages say why the date in the time off cannot be had', () => {
    const away = S.occurrences.find((o) => o.status === 'skipped');
    assert.ok(away.reason, 'the answer gives the reason');
    assert.ok(S.previewAway.includes(away.reason), `the preview before booking: "${S.previewAway}" (the reason: ${away.reason})`);
    assert.ok(S.doneAway.includes(away.reason), `the confirmation: "${S.doneAway}"`);
  });
});

test('one mail for the plan: every date, the moved and the away one with why, one calendar file of every session', async () => {
  assert.ok(S.occurrences, 'the plan was booked');
  const mail = await nextMail('the plan');
  const { text, link } = checkMailBasics(mail, /^Your treatment plan is booked, starting /);
  const shown = new URLSearchParams(new URL(S.pageLink).hash.slice(1));
  assert.deepEqual([link.id, link.token], [shown.get('id'), shown.get('token')], 'the mail has the link the page gave');
  S.link = link;
  const booked = S.occurrences.filter((o) => o.booking_id);
  for (const o of booked) assert.ok(text.includes(mailWhen(o.start)), `the mail lists ${mailWhen(o.start)}:\n${textOf(mail)}`);
  const moved = S.occurrences.find((o) => o.status === 'moved');
  assert.ok(text.includes(`${mailWhen(moved.start)} (moved: ${mailWhen(moved.requested_start)} was not free)`),
    `the moved date, with the time asked for:\n${textOf(mail)}`);
  const away = S.occurrences.find((o) => o.status === 'skipped');
  S.awayReason = away.reason;
  assert.ok(away.reason, 'the answer gives the reason of the date not booked');
  assert.ok(text.includes(`${mailWhen(away.requested_start)}: could not be booked (${away.reason})`),
    `the date not booked, with why:\n${textOf(mail)}`);
  assert.match(text, new RegExp(`all ${booked.length} sessions to your calendar`));

  const files = calendarsOf(mail);
  assert.equal(files.length, 1, 'one calendar file');
  assert.equal(files[0].method, 'REQUEST');
  const events = files[0].events;
  assert.equal(events.length, booked.length, 'one VEVENT per booked session');
  assert.equal(new Set(events.map((e) => e.uid)).size, events.length, 'each session its own UID');
  assert.deepEqual(events.map((e) => e.dtstart * 1000).sort(), booked.map((o) => Date.parse(o.start)).sort(),
    'the calendar file holds the booked times');
  assert.ok(events.every((e) => e.status === 'CONFIRMED'));
  for (const o of booked) {
    const e = events.find((x) => x.dtstart * 1000 === Date.parse(o.start));
    held.set(o.booking_id, { uid: e.uid, sequence: e.sequence });
  }
});

test('the mail\'s link opens the whole plan: every session, progress, the next session first, the clinic\'s phone', async () => {
  assert.ok(S.link, 'the plan mail came');
  const p = await planNow();
  assert.equal(p.sessions.length, SESSIONS);
  const next = S.occurrences.find((o) => o.booking_id);
  for (const vp of [PHONE, DESKTOP]) {
    await withPage(B.browser, vp, async (page) => {
      await openPlan(page, 'journey-plan');
      const lines = await planLines(page);
      assert.equal(lines.length, SESSIONS, 'every session of the plan');
      p.sessions.forEach((s, i) => assert.ok(lines[i].includes(pageWhen(s.start)), `session ${i + 1}: ${lines[i]}`));
      assert.match(lines[5], new RegExp(`Could not be booked.*${literally(S.awayReason)}`));
      assert.match(norm(await page.locator('#plan-progress').innerText()), /\b0 of \d+ done\b/);
      const nextText = norm(await page.locator('#next-session').innerText());
      assert.ok(nextText.includes(pageDayAt(next.start)), `the next session first: ${nextText}`);
      const first = await page.evaluate(() => {
        const a = document.querySelector('#next-session');
        const b = document.querySelector('#plan-list');
        return Boolean(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
      });
      assert.ok(first, 'the next session comes before the list');
      const tel = page.locator('#plan-policy a[href^="tel:"]');
      assert.equal(norm(await tel.innerText()), `${P.clinicName}: ${CLINIC_PHONE}`);
    });
  }
  S.page = p;
});

test('"I\'m having a flare" moves the next session to the time the preview offers first; a mail names its old and new time', async (t) => {
  assert.ok(S.page, 'the plan was opened');
  let result, next, offered;
  await withPage(B.browser, PHONE, async (page) => {
    await openPlan(page, 'journey-plan');
    result = await previewAndConfirm(page, 'I\'m having a flare', 'flare', null, 'journey-flare');
    // the next session moves: to the first time the preview offers, whichever it is
    next = result.before.next_session;
    offered = result.changes.find((c) => c.status === 'moved');
    assert.ok(offered, `the preview offers a time: ${JSON.stringify(result.changes)}`);
    assert.ok(sameInstant(offered.requested_start, next.start), 'the preview names the time it moves from');
    assert.ok(Date.parse(offered.start) > Date.parse(next.start), 'a later time');
    const lines = await planLines(page);
    const moved = lines.find((l) => l.includes(pageWhen(offered.start)));
    assert.ok(moved, `the list shows the new time: ${lines.join(' | ')}`);
    assert.match(moved, /flare/);
  });
  const now = result.plan.sessions.find((s) => s.booking_id === next.booking_id);
  assert.ok(sameInstant(now.start, offered.start), `the session is at the time the preview offered: ${now.start}`);
  assert.ok(now.flare, 'recorded as a flare');
  S.flare = { from: next.start, to: now.start };
  const mail = await nextMail('the flare move');
  await checkChangeMail(t, mail, { subject: /^Your flare move is done$/, times: [S.flare.to], movedFrom: [S.flare.from],
    what: 'the flare move', before: result.before, after: result.plan });
});

test('add a session at the end, keeping the weekly cadence, previewed first; a mail names the added date', async (t) => {
  assert.ok(S.flare, 'the flare step ran');
  const before = await planNow();
  const last = before.sessions.filter((s) => s.status !== 'cancelled').at(-1);
  let result;
  await withPage(B.browser, PHONE, async (page) => {
    await openPlan(page, 'journey-plan');
    result = await previewAndConfirm(page, 'Add sessions', 'sessions',
      (pg) => pg.getByLabel('How many sessions?').fill('1'), 'journey-add');
    assert.equal(result.changes.length, 1);
    assert.equal(result.changes[0].status, 'free');
    const added = result.changes[0].start;
    assert.deepEqual([localDate(Date.parse(added), TZ), inTz(added, TIME)],
      [addDays(localDate(Date.parse(last.start), TZ), 7), inTz(last.start, TIME)], 'a week after the last session, at its time');
    assert.equal((await planLines(page)).length, SESSIONS + 1);
  });
  S.added = result.changes[0].start;
  const mail = await nextMail('the added session');
  await checkChangeMail(t, mail, { subject: /^Sessions added to your treatment plan$/, times: [S.added],
    what: 'the added session', before: result.before, after: result.plan });
});

test('every 2 weeks from session 7 on: the new dates previewed, then made; a mail lists the changed dates', async (t) => {
  assert.ok(S.added, 'the add step ran');
  const before = await planNow();
  const from = before.sessions[6];
  let result;
  await withPage(B.browser, PHONE, async (page) => {
    await openPlan(page, 'journey-plan');
    result = await previewAndConfirm(page, 'Change how often', 'cadence', async (pg) => {
      await pg.getByLabel('From which session?').selectOption('7');
      await pg.getByLabel('How often from then on?').selectOption('2');
    }, 'journey-cadence');
    // sessions 7 to 11 (the added one too), every 2 weeks from session 7, at its time
    const moved = result.changes.filter((c) => c.status !== 'cancelled');
    const days = moved.map((c) => localDate(Date.parse(c.start), TZ)).sort();
    const want = Array.from({ length: 5 }, (_, k) => addDays(localDate(Date.parse(from.start), TZ), 14 * k));
    assert.deepEqual(days, want, `the new dates: ${JSON.stringify(result.changes)}`);
    assert.ok(moved.every((c) => inTz(c.start, TIME) === inTz(from.start, TIME)), 'at the same time of day');
    const lines = await planLines(page);
    for (const c of moved) assert.ok(lines.some((l) => l.includes(pageWhen(c.start))), `the list shows ${pageWhen(c.start)}`);
  });
  // the changed dates: each session the new cadence moved (its booking keeps its id),
  // and any it added
  const { moved, added } = changeOf(result.before, result.plan);
  S.cadence = [...moved, ...added].map((x) => x.start);
  assert.equal(S.cadence.length, 4, `sessions 8 to 11 get new dates: ${JSON.stringify(result.plan.sessions)}`);
  const mail = await nextMail('the new cadence');
  await checkChangeMail(t, mail, { subject: /^Your treatment plan has new dates$/, times: S.cadence,
    what: 'the new cadence', before: result.before, after: result.plan });
});

test('the walk sent the patient four mails, one per change, none twice', async () => {
  assert.ok(S.cadence, 'the walk ran to its end');
  const all = mine();
  assert.deepEqual(all.map((m) => m.headers.subject).sort(), [
    'Sessions added to your treatment plan',
    'Your flare move is done',
    'Your treatment plan has new dates',
    all.find((m) => /^Your treatment plan is booked/.test(m.headers.subject))?.headers.subject,
  ].sort());
  assert.equal(new Set(all.map((m) => m.headers['message-id'])).size, all.length, 'no mail twice');
});
