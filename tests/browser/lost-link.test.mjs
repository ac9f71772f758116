// "Lost your link?" in a real browser: the manage page without a link leads to
// /lost-link; its form says what is wrong next to the field (tied to it for screen
// readers) and, once sent, says the same plain thing whatever the address.  Both
// widths pass axe-core and are photographed (tests/out/screenshots/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { launch, withPage, check, PHONE, DESKTOP } from './browser.mjs';

let B;
before(async () => { B = await launch(); });
after(async () => { await B?.close(); });

async function confirmationFor(page, email) {
  await page.goto('/lost-link');
  await page.getByLabel('Your email address').fill(email);
  await page.getByRole('button', { name: 'Send me my links' }).click();
  const done = page.locator('#lost-link-done');
  await done.waitFor();
  return done.innerText();
}

test('from the manage page to the form; errors tied to the field; one confirmation for every address', async () => {
  for (const vp of [PHONE, DESKTOP]) {
    await withPage(B.browser, vp, async (page) => {
      await page.goto('/manage');
      await page.getByRole('link', { name: /e-mail you a new link/ }).click();
      await page.waitForURL('**/lost-link');
      await page.getByRole('heading', { level: 1, name: 'Lost your link?' }).waitFor();
      await check(page, 'lost-link');

      // nothing typed: the error is next to the field and named by it
      await page.getByRole('button', { name: 'Send me my links' }).click();
      const email = page.getByLabel('Your email address');
      await page.locator('#email-error').waitFor();
      assert.equal(await email.getAttribute('aria-invalid'), 'true');
      assert.match(await email.getAttribute('aria-describedby'), /\bemail-error\b/);
      assert.match(await page.locator('#email-error').innerText(), /give your e-mail address/);
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'email');
      await email.fill('not an address');
      await page.getByRole('button', { name: 'Send me my links' }).click();
      await page.getByText('This does not look like an e-mail address').waitFor();
      await check(page, 'lost-link-error');
    });
  }
  await withPage(B.browser, PHONE, async (page) => {
    const a = await confirmationFor(page, `nobody.${randomUUID().slice(0, 8)}@example.org`);
    const b = await confirmationFor(page, `someone.${randomUUID().slice(0, 8)}@example.org`);
    assert.equal(a, b, 'the same words whatever the address');
    assert.match(a, /If there are bookings under this address/);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'done-heading');
    await check(page, 'lost-link-sent');
  });
});
