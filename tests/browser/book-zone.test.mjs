// The patient's time zone (issue 14, item 4), in a real browser: the booking page sends
// the browser's own zone (Intl) with the booking, which keeps it, so that the mails can
// give each time in it too.  On a practice of its own (tests/api/fixtures.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, assertClean, DESKTOP } from './browser.mjs';
import { createPractice, retirePractice, availability, today } from '../api/fixtures.mjs';
import { sql, lit } from '../api/lib.mjs';

const TZ = 'America/Los_Angeles';
const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '07:00', end: '21:00' }));
let B;
let P;

before(async () => {
  P = createPractice({
    label: 'book zone', tz: TZ, policy: { phone: '+1 503 555 0177', slot_step_minutes: 30 },
    services: { s60: { minutes: 60 } }, practitioners: { a: EVERY_DAY },
  });
  B = await launch();
});
after(async () => { await B?.close(); retirePractice(P); });

for (const zone of ['America/New_York', 'Asia/Kolkata']) {
  test(`a browser in ${zone}: the booking keeps that zone`, async () => {
    const a = await availability(P.practitioners.a, { service: P.services.s60, from: today(TZ, 3), to: today(TZ, 4) });
    const start = a.slots[zone === 'America/New_York' ? 0 : 1].start;
    const email = `zone.${zone.replace(/\W/g, '-').toLowerCase()}.${Date.now()}@example.org`;
    const page = await newPage(B.browser, DESKTOP, { timezoneId: zone });
    let reported;
    try {
      await page.goto(`/book?${new URLSearchParams({ practitioner: P.practitioners.a, service: P.services.s60, start })}`);
      await page.getByRole('heading', { level: 1, name: 'Your details' }).waitFor();
      // what the browser itself calls its zone (Chromium says Asia/Calcutta for Kolkata)
      reported = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
      await page.getByLabel('Your name').fill('Zia Zone');
      await page.getByLabel('Your email address').fill(email);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { level: 1, name: 'Check and confirm' }).waitFor();
      await page.getByRole('button', { name: 'Book this time' }).click();
      await page.getByRole('heading', { level: 1, name: 'You are booked' }).waitFor();
      assertClean(page);
    } finally {
      await page.context().close();
    }
    assert.ok([zone, 'Asia/Calcutta'].includes(reported), `the browser says ${reported}`);
    assert.deepEqual(sql(`SELECT patient_tz FROM bookings WHERE patient_email = ${lit(email)}`), [{ patient_tz: reported }]);
  });
}
