// "I'm having a flare" on the plan page, in a real browser: the preview lists the later
// days the session can move to as a radio list (the first chosen; day, date and time),
// says "Moved from <old> to <new>", follows the patient's choice, and the choice is what
// is made.  Checked with axe-core at 390 and 1280 px, photographed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, withPage, check, PHONE, DESKTOP } from './browser.mjs';
import { prepareDemoClinic, sql, lit, bookColleaguePlan } from './fixtures.mjs';

let B;
let F;
before(async () => {
  F = prepareDemoClinic();
  B = await launch();
});
after(async () => { await B?.close(); });

const norm = (s) => s.replace(/\s+/g, ' ').trim();
const fmt = (iso, tz, o) => norm(new Intl.DateTimeFormat('en-US', { timeZone: tz, ...o }).format(new Date(iso)));
const longWhen = (iso, tz) => `${fmt(iso, tz, { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' })}, ${fmt(iso, tz, { hour: 'numeric', minute: '2-digit' })}`;
const shortWhen = (iso, tz) => `${fmt(iso, tz, { weekday: 'short', month: 'short', day: 'numeric' })}, ${fmt(iso, tz, { hour: 'numeric', minute: '2-digit' })}`;

/** A weekly plan of 2 with the colleague from day today+n, its first free time from 10:00 local. */
const bookPlan = (n) => bookColleaguePlan(F, n, { count: 2, hhmm: '10:00', name: 'Fran Flare', mailbox: 'flare.page' });

async function openPreview(page, pl) {
  await page.goto(pl.link);
  await page.getByRole('heading', { level: 1, name: 'Your treatment plan' }).waitFor();
  await page.getByRole('button', { name: 'I\'m having a flare' }).click();
  const isPreview = (r) => r.url().endsWith(`/booking-series/${pl.id}/flare`) && r.request().method() === 'POST'
    && r.request().postDataJSON()?.dry_run === true;
  const [res] = await Promise.all([page.waitForResponse(isPreview),
    page.getByRole('button', { name: 'Show me what would change' }).click()]);
  assert.equal(res.status(), 200, await res.text());
  const answer = await res.json();
  await page.locator('#flare-choices').waitFor();
  return answer;
}

test('the flare preview offers later days as a radio list; the one chosen is made', async () => {
  const pl = await bookPlan(45);
  const tz = F.tz;
  await withPage(B.browser, DESKTOP, async (page) => {
    const answer = await openPreview(page, pl);
    const { choices } = answer;
    assert.ok(choices.length >= 2 && choices.length <= 3, JSON.stringify(choices));
    // a fieldset with its legend; one labelled radio per time, the first chosen
    assert.equal(norm(await page.locator('#flare-choices legend').innerText()), 'Choose the new time');
    const radios = page.locator('#flare-choices input[type="radio"]');
    assert.equal(await radios.count(), choices.length);
    for (const [i, c] of choices.entries()) {
      // (the page may write a narrow space before AM/PM: any space matches)
      const name = new RegExp(longWhen(c.start, tz).replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s'));
      const radio = page.getByRole('radio', { name });
      assert.equal(await radio.isChecked(), i === 0, `choice ${i + 1}: ${longWhen(c.start, tz)}`);
    }
    // the line says where from and where to
    const line = page.locator('#change-preview li[data-status="moved"]');
    assert.equal(norm(await line.innerText()), `Moved from ${shortWhen(pl.first.start, tz)} to ${longWhen(choices[0].start, tz)}`);
    await check(page, 'flare-choices');

    // the second time chosen: the line follows, and that is what is made
    await radios.nth(1).check();
    assert.equal(norm(await line.innerText()), `Moved from ${shortWhen(pl.first.start, tz)} to ${longWhen(choices[1].start, tz)}`);
    const isMade = (r) => r.url().endsWith(`/booking-series/${pl.id}/flare`) && r.request().method() === 'POST'
      && !r.request().postDataJSON()?.dry_run;
    const [made] = await Promise.all([page.waitForResponse(isMade),
      page.getByRole('button', { name: 'Yes, do this' }).click()]);
    assert.equal(made.status(), 200, await made.text());
    assert.equal(made.request().postDataJSON().start, choices[1].start);
    await page.locator('#change-done').waitFor();
    assert.match(await page.locator('#plan-list').innerText(), /flare/);
    const [row] = sql(`SELECT flare, lower(during) = ${lit(choices[1].start)}::timestamptz AS at_choice
      FROM bookings WHERE id = ${lit(pl.first.booking_id)}`);
    assert.deepEqual([row.flare, row.at_choice], [true, true]);
    await check(page, 'flare-done');
  });
});

test('the flare choices at 390 px: readable and accessible', async () => {
  const pl = await bookPlan(52);
  await withPage(B.browser, PHONE, async (page) => {
    await openPreview(page, pl);
    await check(page, 'flare-choices');
  });
});

test('a new cadence\'s preview says per session: unchanged, or moved from when to when', async () => {
  const pl = await bookColleaguePlan(F, 60, { count: 3, hhmm: '10:00', name: 'Cade Ence', mailbox: 'cadence.page', onConflict: 'skip' });
  const ids = pl.occurrences.map((o) => o.booking_id);
  assert.ok(ids.every(Boolean), JSON.stringify(pl.occurrences));
  const tz = F.tz;
  await withPage(B.browser, DESKTOP, async (page) => {
    await page.goto(`/manage#id=${ids[0]}&token=${pl.token}`);
    await page.getByRole('heading', { level: 1, name: 'Your treatment plan' }).waitFor();
    await page.getByRole('button', { name: 'Change how often' }).click();
    await page.getByLabel('From which session?').selectOption('2');
    await page.getByLabel('How often from then on?').selectOption('2');
    const [res] = await Promise.all([page.waitForResponse((x) => x.url().endsWith('/cadence') && x.request().postDataJSON()?.dry_run),
      page.getByRole('button', { name: 'Show me what would change' }).click()]);
    const { changes } = await res.json();
    await page.locator('#change-preview li').first().waitFor();
    const lines = (await page.locator('#change-preview li').allInnerTexts()).map(norm);
    assert.deepEqual(changes.map((c) => c.outcome), ['unchanged', 'moved']);
    assert.equal(lines[0], `Unchanged ${longWhen(changes[0].start, tz)}`);
    assert.equal(lines[1], `Moved from ${shortWhen(pl.occurrences[2].start, tz)} to ${longWhen(changes[1].start, tz)}`);
    assert.ok(!lines.some((l) => l.startsWith('Free')), lines.join(' | '));
    await check(page, 'cadence-preview');
  });
});
