// Honest booking pages (issue 14, item 5), in a real browser: a booking inside the
// clinic's cancellation notice says so before confirming, with the clinic's phone as a
// tap-to-call link; the confirmation says the real rule; the details typed are kept
// when the time is taken meanwhile (409) and another is chosen; an old /book link whose
// time has passed says so before anything is typed, and offers the next free times.
// On a practice of its own (tests/api/fixtures.mjs): open every day 07:00-21:00, one
// hour's minimum notice, 48 hours to cancel.  axe-core on every state.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, withPage, check, PHONE, DESKTOP } from './browser.mjs';
import { createPractice, retirePractice, availability, today, bookOk, HOUR } from '../api/fixtures.mjs';
import { sql, lit } from '../api/lib.mjs';

const TZ = 'America/Los_Angeles';
const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '07:00', end: '21:00' }));
const CLINIC_PHONE = '+1 503 555 0199';
const TEL = 'tel:+15035550199';
let B;
let P;

before(async () => {
  P = createPractice({
    label: 'honest pages', tz: TZ,
    policy: { phone: CLINIC_PHONE, min_notice_minutes: 60, cancellation_notice_hours: 48, slot_step_minutes: 30 },
    services: { s60: { minutes: 60 } }, practitioners: { a: EVERY_DAY },
  });
  B = await launch();
});
after(async () => { await B?.close(); retirePractice(P); });

const pid = () => P.practitioners.a;
const sid = () => P.services.s60;
const bookHref = (start) => `/book?${new URLSearchParams({ practitioner: pid(), service: sid(), start })}`;

async function freeStarts(fromDays, days = 1) {
  const a = await availability(pid(), { service: sid(), from: today(TZ, fromDays), to: today(TZ, fromDays + days - 1) });
  return a.slots.map((s) => s.start);
}

async function fillDetails(page, who) {
  await page.getByLabel('Your name').fill(who.name);
  await page.getByLabel('Your email address').fill(who.email);
  await page.getByLabel(/Your phone number/).fill(who.phone);
  await page.getByLabel(/Anything the practitioner should know/).fill(who.notes);
}

/** The clinic's phone as a tap-to-call link inside the element. */
async function assertCallLink(locator, what) {
  const link = locator.locator(`a[href="${TEL}"]`);
  assert.ok(await link.count() >= 1, `${what}: no tap-to-call link ${TEL}`);
  assert.equal((await link.first().innerText()).trim(), CLINIC_PHONE, `${what}: the link shows the number`);
}

test('inside the cancellation notice: said before confirming, with a tap-to-call link; the confirmation says the real rule', async () => {
  const soon = (await freeStarts(0, 2))[0];
  assert.ok(Date.parse(soon) - Date.now() < 48 * HOUR, `a slot within 48 hours: ${soon}`);
  await withPage(B.browser, PHONE, async (page) => {
    await page.goto(bookHref(soon));
    await page.getByRole('heading', { level: 1, name: 'Your details' }).waitFor();
    await fillDetails(page, { name: 'Wren Soon', email: 'wren.soon@example.org', phone: '+1 503 555 0150', notes: 'Tired today.' });
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Check and confirm' }).waitFor();
    const note = page.locator('#window-note');
    assert.match(await note.innerText(), /you will not be able to cancel or move this online/);
    assert.match(await note.innerText(), /less than 48 hours away/);
    await assertCallLink(note, 'the warning before confirming');
    await check(page, 'honest-confirm-window');
    await page.getByRole('button', { name: 'Book this time' }).click();
    await page.getByRole('heading', { level: 1, name: 'You are booked' }).waitFor();
    const main = page.locator('main');
    const text = await main.innerText();
    assert.doesNotMatch(text, /at any time/, 'the confirmation does not promise changes at any time');
    assert.match(await page.locator('#window-done').innerText(), /cannot be cancelled or moved online/);
    await assertCallLink(page.locator('#window-done'), 'the confirmation');
    await check(page, 'honest-done-window');
  });
});

test('outside the cancellation notice: no warning, and the confirmation gives the rule with the number', async () => {
  const later = (await freeStarts(5))[0];
  await withPage(B.browser, DESKTOP, async (page) => {
    await page.goto(bookHref(later));
    await page.getByRole('heading', { level: 1, name: 'Your details' }).waitFor();
    await assertCallLink(page.locator('main'), 'the details page');
    await fillDetails(page, { name: 'Ola Later', email: 'ola.later@example.org', phone: '', notes: '' });
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Check and confirm' }).waitFor();
    assert.equal(await page.locator('#window-note').count(), 0, 'no warning outside the notice');
    await page.getByRole('button', { name: 'Book this time' }).click();
    await page.getByRole('heading', { level: 1, name: 'You are booked' }).waitFor();
    assert.equal(await page.locator('#window-done').count(), 0);
    const hint = page.locator('#manage-hint');
    assert.match(await hint.innerText(), /until 48 hours before it starts/);
    await assertCallLink(hint, 'the rule on the confirmation');
  });
});

test('the time is taken while confirming (409): "Choose another time" keeps every detail typed', async () => {
  const [taken] = await freeStarts(6);
  const who = { name: 'Ines Kept', email: 'ines.kept@example.org', phone: '+1 503 555 0161', notes: 'Left hip flares after long drives.' };
  await withPage(B.browser, DESKTOP, async (page) => {
    await page.goto(bookHref(taken));
    await page.getByRole('heading', { level: 1, name: 'Your details' }).waitFor();
    await fillDetails(page, who);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Check and confirm' }).waitFor();
    // someone else books the very time through the API meanwhile
    await bookOk(pid(), sid(), Date.parse(taken), TZ);
    await page.getByRole('button', { name: 'Book this time' }).click();
    const box = page.locator('#confirm-problem');
    await box.getByText('Sorry, this time is no longer free.').waitFor();
    await assertCallLink(box, 'the 409 note');
    await check(page, 'honest-taken');
    await box.getByRole('button', { name: 'Choose another time' }).click();
    await page.getByRole('heading', { level: 1, name: 'Choose another time' }).waitFor();
    const pick = page.locator('#slots .times button').first();
    await pick.waitFor();
    await check(page, 'honest-choose-again');
    await pick.click();
    await page.getByRole('heading', { level: 1, name: 'Check and confirm' }).waitFor();
    const text = await page.locator('main').innerText();
    for (const v of Object.values(who)) assert.ok(text.includes(v), `"${v}" is kept after choosing another time`);
    const start = new URL(page.url()).searchParams.get('start');
    assert.notEqual(start, taken, 'the new time is in the URL');
    // and the fields of "your details" still hold them
    await page.getByRole('button', { name: 'Change my details' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your details' }).waitFor();
    assert.equal(await page.getByLabel('Your name').inputValue(), who.name);
    assert.equal(await page.getByLabel(/Anything the practitioner should know/).inputValue(), who.notes);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Book this time' }).click();
    await page.getByRole('heading', { level: 1, name: 'You are booked' }).waitFor();
    const [row] = sql(`SELECT patient_name, patient_phone, notes, lower(during) = ${lit(start)}::timestamptz AS at_new
      FROM bookings WHERE patient_email = ${lit(who.email)} AND practitioner_id = ${lit(pid())}`);
    assert.deepEqual(row, { patient_name: who.name, patient_phone: who.phone, notes: who.notes, at_new: true });
  });
});

test('"Choose another time" on the details page keeps what was typed', async () => {
  const [first] = await freeStarts(7);
  await withPage(B.browser, PHONE, async (page) => {
    await page.goto(bookHref(first));
    await page.getByRole('heading', { level: 1, name: 'Your details' }).waitFor();
    await fillDetails(page, { name: 'Noor Half', email: 'noor.half@example.org', phone: '', notes: 'Mornings are hard.' });
    await page.getByRole('button', { name: 'Choose another time' }).click();
    await page.locator('#slots .times button').first().waitFor();
    await page.locator('#slots .times button').nth(1).click();
    await page.getByRole('heading', { level: 1, name: 'Your details' }).waitFor();
    assert.equal(await page.getByLabel('Your name').inputValue(), 'Noor Half');
    assert.equal(await page.getByLabel('Your email address').inputValue(), 'noor.half@example.org');
    assert.equal(await page.getByLabel(/Anything the practitioner should know/).inputValue(), 'Mornings are hard.');
  });
});

test('an old /book link whose time has passed says so before anything is typed, and offers the next free times', async () => {
  const past = new Date(Date.now() - 3 * 86400000).toISOString().replace(/\.\d+Z$/, 'Z');
  await withPage(B.browser, PHONE, async (page) => {
    await page.goto(bookHref(past));
    await page.getByRole('heading', { level: 1, name: 'This time has passed' }).waitFor();
    assert.equal(await page.locator('#name').count(), 0, 'no form to type into for a time gone by');
    assert.match(await page.locator('main').innerText(), /in the past\. Nothing was booked/);
    await assertCallLink(page.locator('main'), 'the past link');
    const pick = page.locator('#slots .times button').first();
    await pick.waitFor();
    await check(page, 'honest-past-link');
    await pick.click();
    await page.getByRole('heading', { level: 1, name: 'Your details' }).waitFor();
    const start = new URL(page.url()).searchParams.get('start');
    assert.ok(Date.parse(start) > Date.now(), `a future time is chosen: ${start}`);
  });
});

test('the profile shows the clinic phone as a tap-to-call link, and the rule for moving and cancelling', async () => {
  await withPage(B.browser, PHONE, async (page) => {
    await page.goto(`/practitioners/${pid()}`);
    await page.locator('.times a').first().waitFor();
    await assertCallLink(page.locator('#clinic-phone'), 'the profile head');
    assert.match(await page.locator('#notice-rule').innerText(), /moved or cancelled online until 48 hours before it starts/);
    await assertCallLink(page.locator('#notice-rule'), 'the rule on the profile');
    await check(page, 'honest-profile');
  });
});
