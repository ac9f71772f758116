// A treatment plan's page in a real browser: the manage link of a plan opens the whole
// plan (next session first, progress, every session), and from there sessions are
// added, and a flare move is made, each shown as a preview before it is confirmed.  A
// single booking's link shows it as a plan of one, and adding sessions makes it a plan.
// Checked with axe-core and photographed at 390 and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, withPage, check, PHONE, DESKTOP } from './browser.mjs';
import { prepareDemoClinic, sql, lit, bookDirect, colleagueFreeFrom, bookColleaguePlan } from './fixtures.mjs';

let B;
let F;
before(async () => {
  F = prepareDemoClinic();
  B = await launch();
});
after(async () => { await B?.close(); });

/** A weekly plan of 4 with the colleague, from day today+n at 09:00 local. */
const bookPlan = (n) => bookColleaguePlan(F, n, { count: 4, hhmm: '09:00', name: 'Pat Plan Page', mailbox: 'plan.page' });

test('the plan link opens the whole plan; add a session and make a flare move, each previewed first', async () => {
  const pl = await bookPlan(30);
  await withPage(B.browser, DESKTOP, async (page) => {
    await page.goto(pl.link);
    await page.getByRole('heading', { level: 1, name: 'Your treatment plan' }).waitFor();
    assert.equal(await page.locator('#plan-list li').count(), 4);
    assert.match(await page.locator('#plan-progress').innerText(), /0 of 4 done/);
    assert.match(await page.locator('#next-session').innerText(), /with/);
    await check(page, 'plan');

    await page.getByRole('button', { name: 'Add sessions' }).click();
    await page.getByLabel('How many sessions?').fill('1');
    await page.getByRole('button', { name: 'Show me what would change' }).click();
    await page.locator('#change-preview li').first().waitFor();
    assert.equal(await page.locator('#change-preview li').count(), 1);
    assert.equal(sql(`SELECT count(*)::int AS n FROM bookings WHERE series_id = ${lit(pl.id)}`)[0].n, 4,
      'the preview wrote nothing');
    await check(page, 'plan-add-preview');
    await page.getByRole('button', { name: 'Yes, do this' }).click();
    await page.locator('#change-done').waitFor();
    assert.equal(await page.locator('#plan-list li').count(), 5);

    await page.getByRole('button', { name: 'I\'m having a flare' }).click();
    await page.getByRole('button', { name: 'Show me what would change' }).click();
    await page.locator('#change-preview li[data-status="moved"]').waitFor();
    await page.getByRole('button', { name: 'Yes, do this' }).click();
    await page.locator('#change-done').waitFor();
    assert.match(await page.locator('#plan-list').innerText(), /flare/);
    assert.equal(sql(`SELECT count(*)::int AS n FROM bookings WHERE series_id = ${lit(pl.id)} AND flare`)[0].n, 1);
  });
  await withPage(B.browser, PHONE, async (page) => {
    await page.goto(pl.link);
    await page.getByRole('heading', { level: 1, name: 'Your treatment plan' }).waitFor();
    await check(page, 'plan');
  });
});

/** A single booking with the colleague on day today+n (the first free time from 09:00). */
async function bookSingle(n) {
  const slot = await colleagueFreeFrom(F, n, '09:00');
  const b = await bookDirect(F.colleagueId, F.serviceId, slot.start);
  return { id: b.id, token: b.manage_token, link: `/manage#id=${b.id}&token=${b.manage_token}` };
}

test('a single booking is a plan of one: progress, policy and its session; adding sessions (previewed) makes it a plan', async () => {
  const one = await bookSingle(37);
  await withPage(B.browser, DESKTOP, async (page) => {
    await page.goto(one.link);
    await page.getByRole('heading', { level: 1, name: 'Your booking' }).waitFor();
    await page.locator('#plan-of-one').waitFor();
    assert.match(await page.locator('#plan-progress').innerText(), /0 of 1 done/);
    assert.equal(await page.locator('#plan-list li').count(), 1);
    assert.match(await page.locator('#plan-policy').innerText(), /hours before/);
    // the session's own actions stay: move and cancel
    assert.equal(await page.getByRole('button', { name: 'Move to another time' }).count(), 1);
    assert.equal(await page.getByRole('button', { name: 'Cancel this session' }).count(), 1);
    await check(page, 'plan-of-one');

    await page.getByRole('button', { name: 'Add sessions after this one' }).click();
    await page.getByLabel('How many sessions?').fill('2');
    await page.getByLabel('How often?').selectOption('2');
    await page.getByRole('button', { name: 'Show me what would change' }).click();
    await page.locator('#change-preview li').first().waitFor();
    assert.equal(await page.locator('#change-preview li').count(), 2);
    assert.equal(sql(`SELECT count(*)::int AS n FROM bookings WHERE id = ${lit(one.id)} AND series_id IS NULL`)[0].n, 1,
      'the preview wrote nothing');
    await check(page, 'plan-of-one-add-preview');
    await page.getByRole('button', { name: 'Yes, do this' }).click();
    await page.locator('#change-done').waitFor();
    await page.getByRole('heading', { level: 1, name: 'Your treatment plan' }).waitFor();
    assert.equal(await page.locator('#plan-list li').count(), 3);
    assert.match(await page.locator('#plan-progress').innerText(), /0 of 3 done/);
    const [row] = sql(`SELECT series_id FROM bookings WHERE id = ${lit(one.id)}`);
    assert.ok(row.series_id, 'the booking is in a plan now');
    assert.equal(sql(`SELECT count(*)::int AS n FROM bookings WHERE series_id = ${lit(row.series_id)}`)[0].n, 3);
    await check(page, 'plan-of-one-grown');
  });
  // the same link now opens the whole plan
  await withPage(B.browser, PHONE, async (page) => {
    await page.goto(one.link);
    await page.getByRole('heading', { level: 1, name: 'Your treatment plan' }).waitFor();
    assert.equal(await page.locator('#plan-list li').count(), 3);
  });
  const other = await bookSingle(38);
  await withPage(B.browser, PHONE, async (page) => {
    await page.goto(other.link);
    await page.locator('#plan-of-one').waitFor();
    await check(page, 'plan-of-one');
  });
});
