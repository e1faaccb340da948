// End-to-end test of the dashboard in the system's headless Chromium, driven by
// playwright-core. Started by tests/api/dashboard.rs with a running server and loopback
// fixture sites; it exits non-zero on the first failed check.
//
// Environment: DASHBOARD_URL (the server), SITE_URL (a small fixture site), SLOW_URL (a
// slow, large fixture site), API_TOKEN (empty when the server has none), ARTIFACTS (where
// screenshots go), CHROMIUM (the browser binary).

import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const base = process.env.DASHBOARD_URL;
const siteUrl = process.env.SITE_URL;
const slowUrl = process.env.SLOW_URL;
const token = process.env.API_TOKEN || '';
const artifacts = process.env.ARTIFACTS;
const mode = token ? 'token' : 'open';
const TIMEOUT = 60_000;

let checks = 0;
function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
  checks += 1;
}
function step(message) {
  console.log(`[${mode}] ${message}`);
}

mkdirSync(artifacts, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), 'docscrape-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
  viewport: { width: 1366, height: 900 },
  acceptDownloads: true,
});
context.setDefaultTimeout(TIMEOUT);

// Nothing may leave this machine: no CDN, no fonts, no images of crawled sites.
const foreign = [];
await context.route('**/*', (route) => {
  const url = new URL(route.request().url());
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (local || url.protocol === 'data:' || url.protocol === 'blob:') return route.continue();
  foreign.push(url.href);
  return route.abort();
});

const problems = [];
const cspReports = [];
const page = context.pages()[0] || (await context.newPage());
page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
page.on('console', (message) => {
  // Chromium logs every 4xx answer; a 401 (the dashboard then asks for the token) and a
  // 422 (it shows the field's error) are expected, anything else is a fault.
  // Chromium also reports the inline handlers and styles of hostile crawled Markdown
  // while DOMPurify parses it in its inert document: the page's CSP refusing them is
  // expected; that none of them reaches the page is checked below.
  const text = message.text();
  if (/violates the following Content Security Policy directive '(script|style)-src 'self''/.test(text)) {
    cspReports.push(text);
    return;
  }
  // Failed loads are judged by their answers (below), with their URLs.
  if (message.type() === 'error' && !/^Failed to load resource/.test(text)) {
    problems.push(`console: ${message.text()}`);
  }
});

page.on('response', (response) => {
  // A 401 (the dashboard then asks for the token), a 422 (it shows the field's error)
  // and the 404 of a deleted session are answers the page expects.
  const status = response.status();
  const expected = [401, 422].includes(status) || (status === 404 && response.url().includes('/api/v1/'));
  if (status >= 400 && !expected) problems.push(`HTTP ${status} for ${response.url()}`);
});

async function shot(name) {
  await page.waitForTimeout(300); // let the last bar transition settle
  // A notice from the step before would cover the view; it fades within seconds.
  await page.locator('.toast.shown').waitFor({ state: 'detached', timeout: 7000 }).catch(() => {});
  await page.screenshot({ path: join(artifacts, `${name}.png`) });
}

async function noHorizontalScroll(what) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  const viewport = page.viewportSize().width;
  check(width <= viewport, `${what}: no horizontal scrolling at ${viewport} px (page is ${width} px wide)`);
}

/** The token dialog: a wrong token is refused, then the right one, by keyboard only. */
async function giveToken() {
  const dialog = page.locator('#token-dialog');
  await dialog.waitFor({ state: 'visible' });
  step('the dashboard asks for the API token');
  await page.locator('#token-input').fill('wrong-token');
  await page.keyboard.press('Enter');
  await page.locator('#token-error', { hasText: 'refused' }).waitFor();
  check(await dialog.isVisible(), 'a wrong token is refused and asked again');
  await page.locator('#token-input').fill(token);
  await page.keyboard.press('Enter');
  await dialog.waitFor({ state: 'hidden' });
  // The dialog hides as it closes, and its close event (which stores the token) is a
  // task of its own after that: wait for the token rather than read it once.
  const kept = await page
    .waitForFunction((expected) => sessionStorage.getItem('docscrape.apiToken') === expected, token, { timeout: 5_000 })
    .then(() => true, () => false);
  check(kept, 'the token is kept in the tab (sessionStorage)');
}

/** Fills the scrape form with the keyboard and submits it with Enter. */
async function startScrape(url, maxPages) {
  await page.goto(`${base}/#/`);
  if (token && !(await page.evaluate(() => sessionStorage.getItem('docscrape.apiToken')))) await giveToken();
  // Each field: focus, select what is there, type over it.
  await page.locator('#f-links').focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(url);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('Acme Directory');
  await page.keyboard.press('Tab'); // version
  await page.keyboard.press('Tab'); // max pages
  await page.keyboard.press('Control+A');
  await page.keyboard.type(String(maxPages));
  await page.locator('#f-session').selectOption('');
  await page.locator('#f-app').focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/#\/session\/[0-9a-f-]{36}$/);
  const sessionId = page.url().split('/').pop();
  step(`started a scrape of ${url} in session ${sessionId}`);
  return sessionId;
}

/** Searches the saved pages and waits until exactly the page titled `title` is listed. */
async function searchPages(text, title) {
  await page.locator('#page-search').fill(text);
  await page.waitForFunction(
    (title) => {
      const links = [...document.querySelectorAll('#page-list .page-link .title')];
      return links.length === 1 && links[0].textContent === title;
    },
    title,
  );
  check((await page.locator('#pages-range').innerText()) === '1–1 of 1', `the search for "${text}" finds one page`);
}

async function apiGet(path) {
  return page.evaluate(
    async ([path, token]) => {
      const response = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
      return { status: response.status, body: await response.json() };
    },
    [path, token],
  );
}

try {
  // ------------------------------------------------------------ desktop, 1366 px
  await page.goto(`${base}/`);
  if (token) await giveToken();
  await page.locator('#scrape-form').waitFor();
  await shot(`${mode}-desktop-home`);
  await noHorizontalScroll('home, desktop');

  // Form errors are shown beside their fields.
  await page.locator('#f-links').fill('htp:/not-a-url');
  await page.locator('#f-app').fill('Acme Directory');
  await page.locator('#start-button').click();
  await page.locator('#e-starterLinks', { hasText: 'Line 1' }).waitFor();
  check((await page.locator('#f-links').getAttribute('aria-invalid')) === 'true', 'a bad URL is marked invalid');
  step('a bad starter URL is refused beside its field');

  // A crawl started from the form; its bar reaches the end.
  const sessionId = await startScrape(siteUrl, 20);
  const card = page.locator('.job').first();
  await page.locator('.job[data-status="finished"] .bar[aria-valuenow="100"]').waitFor();
  step('the job finished and its bar reached the end');
  const finished = await apiGet(`/api/v1/scrape/${sessionId}/scrape`);
  check(finished.body.status === 'finished', 'the API agrees that the job finished');
  const savedCount = finished.body.result.savedPagesCount;
  await page.locator('#pages-count', { hasText: `(${savedCount})` }).waitFor();
  check((await page.locator('.page-link').count()) === savedCount, 'every saved page is listed');
  await shot(`${mode}-desktop-session`);

  // Failed pages, with their reasons.
  await page.locator('#tab-failed').click();
  await page.locator('#failed-list li', { hasText: 'HTTP 404 Not Found' }).waitFor();
  check(await card.locator('.job-failures').isVisible(), 'the job card lists its failures');
  step('failed pages are listed with their reasons');
  await page.keyboard.press('ArrowLeft');
  check((await page.locator('#tab-pages').getAttribute('aria-selected')) === 'true', 'tabs move with the arrow keys');

  // Search by title, then open a page by keyboard.
  await searchPages('install', 'Installation - Acme Directory');
  await page.locator('.page-link').first().focus();
  await page.keyboard.press('Enter');
  await page.locator('#page-title', { hasText: 'Installation - Acme Directory' }).waitFor();
  await page.locator('#panel-rendered h1', { hasText: 'Installation' }).waitFor();
  check((await page.locator('#panel-rendered table td', { hasText: 'PostgreSQL' }).count()) === 1, 'tables render');
  check((await page.locator('#panel-rendered pre code').count()) >= 1, 'code blocks render');
  step('a page opened by keyboard shows its rendered Markdown');
  await shot(`${mode}-desktop-page`);
  await page.locator('#tab-rendered').focus();
  await page.keyboard.press('ArrowRight');
  await page.locator('#chunk-list .chunk').first().waitFor();
  const chunkHeader = await page.locator('#chunk-list .chunk header').first().innerText();
  check(/\d+ tokens/.test(chunkHeader), `chunks show their token counts (${chunkHeader})`);
  await shot(`${mode}-desktop-chunks`);
  step('the chunks tab shows token counts');

  // Crawled Markdown cannot run script in the dashboard.
  check(cspReports.length === 0, `the dashboard's own pages break no CSP rule:\n${cspReports.join('\n')}`);
  await page.goto(`${base}/#/session/${sessionId}`);
  await searchPages('contributed', 'Notes contributed by users');
  await page.locator('.page-link').first().click();
  await page.locator('#panel-rendered h1', { hasText: 'Notes contributed by users' }).waitFor();
  await page.locator('#panel-rendered', { hasText: 'Hover here' }).hover();
  await page.locator('#panel-rendered', { hasText: 'Another one' }).waitFor();
  for (const link of await page.locator('#panel-rendered a').all()) {
    const href = (await link.getAttribute('href')) || '';
    check(!/^\s*javascript:/i.test(href), `no javascript: link survives (${href})`);
  }
  await page.waitForTimeout(500);
  const pwned = await page.evaluate(() => window.__pwned);
  check(pwned === undefined, `no crawled script ran (window.__pwned = ${pwned})`);
  const dangerous = await page.evaluate(() => {
    const root = document.getElementById('panel-rendered');
    const handlers = [...root.querySelectorAll('*')].filter((node) =>
      [...node.attributes].some((attribute) => attribute.name.startsWith('on')),
    );
    return {
      scripts: root.querySelectorAll('script, iframe, svg, form, style').length,
      handlers: handlers.length,
    };
  });
  check(dangerous.scripts === 0 && dangerous.handlers === 0, `no script, frame or handler is rendered (${JSON.stringify(dangerous)})`);
  check((await page.locator('#panel-rendered pre code', { hasText: 'alert("this one is only code")' }).count()) === 1, 'script shown as code stays readable');
  step('hostile Markdown is rendered without running anything');

  // Export: JSON Lines download (a link, or a fetch with the token).
  await page.goto(`${base}/#/session/${sessionId}`);
  await page.locator('.job[data-status="finished"]').waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-jsonl').click()]);
  check(download.suggestedFilename() === `docscrape-${sessionId}.jsonl`, `the export is named (${download.suggestedFilename()})`);
  const exported = readFileSync(await download.path(), 'utf8').trim().split('\n');
  check(exported.length >= savedCount && JSON.parse(exported[0]).url.startsWith(siteUrl.replace(/\/$/, '')), 'the export has a chunk a line');
  step(`exported ${exported.length} chunks as JSON Lines`);

  // A second job on a slow site: watch it run, then cancel it with confirmation.
  const slowSession = await startScrape(slowUrl, 300);
  const running = page.locator('.job[data-status="running"]');
  await running.waitFor();
  await page.waitForFunction(() => {
    const bar = document.querySelector('.job[data-status="running"] .bar');
    return bar && Number(bar.getAttribute('aria-valuenow')) > 0;
  });
  await page.locator('.job[data-status="running"] .stats', { hasText: /pages\/s \d/ }).waitFor();
  step('the slow job is running: its bar moves and pages/s shows');
  await shot(`${mode}-desktop-running`);
  await running.locator('.cancel-job').click();
  await page.locator('#confirm-dialog').waitFor({ state: 'visible' });
  await shot(`${mode}-desktop-confirm`);
  await page.keyboard.press('Escape');
  await page.locator('#confirm-dialog').waitFor({ state: 'hidden' });
  check((await page.locator('.job[data-status="running"]').count()) === 1, 'Escape keeps the job running');
  await running.locator('.cancel-job').click();
  await page.locator('#confirm-yes').click();
  await page.locator('.job[data-status="cancelled"]').waitFor();
  const cancelled = await apiGet(`/api/v1/scrape/${slowSession}/scrape`);
  check(cancelled.body.result && cancelled.body.result.finishReason === 'cancelled', 'the API says the job was cancelled');
  check(cancelled.body.result.savedPagesCount < 300, 'the job stopped before its budget');
  step(`cancelled the slow job after ${cancelled.body.result.savedPagesCount} pages`);

  // ------------------------------------------------------------ phone, 390 px
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${base}/#/`);
  await page.locator('.session-link').first().waitFor();
  await shot(`${mode}-phone-home`);
  await noHorizontalScroll('home, phone');
  await page.goto(`${base}/#/session/${sessionId}`);
  await page.locator('.job[data-status="finished"]').waitFor();
  check(!(await page.locator('.sidebar').isVisible()), 'on a phone a session hides the sidebar');
  check(await page.locator('#view-session .back-link').isVisible(), 'and offers a way back');
  await shot(`${mode}-phone-session`);
  await noHorizontalScroll('session, phone');
  await searchPages('install', 'Installation - Acme Directory');
  await page.locator('.page-link').first().click();
  await page.locator('#panel-rendered h1', { hasText: 'Installation' }).waitFor();
  await shot(`${mode}-phone-page`);
  await noHorizontalScroll('page, phone');

  // Deleting a session asks first, then it is gone.
  await page.goto(`${base}/#/session/${slowSession}`);
  await page.locator('.job[data-status="cancelled"]').waitFor();
  await page.locator('#delete-session').click();
  await page.locator('#confirm-yes').click();
  await page.waitForURL(`${base}/#/`);
  const gone = await apiGet(`/api/v1/session/${slowSession}`);
  check(gone.status === 404, 'the deleted session is gone');
  step('deleted the slow session after confirming');

  // ------------------------------------------------------------ the API reference
  await page.setViewportSize({ width: 1366, height: 900 });
  await page.goto(`${base}/docs`);
  await page.locator('h2', { hasText: 'Start a scrape job' }).waitFor();
  await page.locator('h2', { hasText: 'Download a session\'s pages' }).waitFor();
  await shot(`${mode}-desktop-docs`);
  step('the API reference renders /openapi.json');

  check(foreign.length === 0, `no request left the machine (${foreign.join(', ')})`);
  check(problems.length === 0, `no script error or console error:\n${problems.join('\n')}`);
  console.log(`[${mode}] dashboard: ${checks} passed, 0 failed`);
} catch (error) {
  await page.screenshot({ path: join(artifacts, `${mode}-failure.png`) }).catch(() => {});
  console.error(`[${mode}] ${error.stack || error}`);
  if (problems.length) console.error(problems.join('\n'));
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
