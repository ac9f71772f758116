// Drives Debian's chromium through playwright-core (no browser download): launching
// with a fresh profile, pages that fail the test on any CSP violation or script error,
// axe-core checks (WCAG 2.2 AA) and screenshots at phone and desktop widths.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

export const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:8080';
const here = dirname(fileURLToPath(import.meta.url));
export const SHOTS = join(here, '..', 'out', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

/** Launches chromium (playwright gives it a fresh user-data dir of its own, removed at
 * close); returns {browser, close}. */
export async function launch() {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: backend/scripts/deps.sh installs Debian's chromium`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  mkdirSync(SHOTS, { recursive: true });
  return {
    browser,
    async close() {
      await browser.close().catch(() => {});
    },
  };
}

/**
 * A new context and page at the given viewport. Map tiles (another origin) are refused
 * at once, as on a machine without internet: the pages must not mind. Console errors
 * other than refused tiles, CSP violations and uncaught exceptions are collected in
 * page.problems; assertClean(page) fails the test on them.
 */
export async function newPage(browser, viewport = DESKTOP, options = {}) {
  const context = await browser.newContext({ viewport, baseURL: BASE, locale: 'en-US',
    reducedMotion: 'reduce', ...options });
  await context.route((url) => !url.href.startsWith(BASE), (route) => route.abort('internetdisconnected'));
  // every wait is for a condition; on a busy two-core machine (chromium, clinicd and
  // PostgreSQL sharing it) a step that takes half a second alone can take several
  context.setDefaultTimeout(20000);
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    const t = m.text();
    if (m.type() === 'error' && !/Failed to load resource/.test(t)) page.problems.push(`console: ${t}`);
    if (/Content Security Policy/i.test(t)) page.problems.push(`CSP: ${t}`);
  });
  page.on('requestfailed', (r) => {
    // a request cut short by navigating on is no fault of the page
    if (r.url().startsWith(BASE) && r.failure()?.errorText !== 'net::ERR_ABORTED') page.problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => {
    // the pages' own files must all be there
    if (r.url().startsWith(`${BASE}/static/`) && r.status() >= 400) page.problems.push(`missing: ${r.url()} ${r.status()}`);
  });
  return page;
}

export function assertClean(page) {
  assert.deepEqual(page.problems, [], `the page reported problems:\n${page.problems.join('\n')}`);
}

/** Runs axe-core (WCAG 2.0-2.2 A and AA and best practices); fails on any violation. */
export async function assertAccessible(page, label) {
  const defined = await page.evaluate(() => typeof window.axe === 'object');
  if (!defined) await page.evaluate(AXE_SOURCE); // evaluated by the debugger protocol: not subject to the page's CSP
  const result = await page.evaluate(async () => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    resultTypes: ['violations'],
  }));
  const lines = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.slice(0, 5)
    .map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(0, 3).join(' / ')}`).join('\n')}`);
  assert.equal(result.violations.length, 0, `axe found problems on ${label}:\n${lines.join('\n')}`);
}

/** Screenshot of the whole page into tests/out/screenshots/NAME-WIDTH.png. */
export async function shot(page, name) {
  const w = page.viewportSize().width;
  const path = join(SHOTS, `${name}-${w}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Runs fn(page) on a fresh page of the browser at the viewport (newPage), then fails the
 * test on anything the page reported (assertClean); the page's context is closed
 * either way.  The page helper every suite uses.
 */
export async function withPage(browser, viewport, fn) {
  const page = await newPage(browser, viewport);
  try {
    await fn(page);
    assertClean(page);
  } finally {
    await page.context().close();
  }
}

/** Axe and a screenshot of the page as it is now, once its requests have settled. */
export async function check(page, name) {
  if (process.env.DEBUG_TIMES) console.log(new Date().toISOString(), 'check', name);
  await page.waitForLoadState('networkidle').catch(() => {});
  await assertAccessible(page, `${name} at ${page.viewportSize().width} px`);
  await shot(page, name);
}

/** Checks the page at both widths: axe at each, a screenshot at each. The callback
 * brings a fresh page of that width to the state to check. */
export async function checkBothWidths(browser, name, prepare) {
  for (const vp of [PHONE, DESKTOP]) {
    await withPage(browser, vp, async (page) => {
      await prepare(page);
      await check(page, name);
    });
  }
}
