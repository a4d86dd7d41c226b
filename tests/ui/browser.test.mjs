// Real-browser test of the dossier web UI.
//
// Drives headless Chromium (Debian's `chromium` package; nothing downloads a
// browser) through playwright-core against a running `dossier serve`, and
// checks what the page shows against the JSON API. Screenshots go to
// target/ui-screenshots/ at the repository root.
//
//   dossier serve &                       # http://127.0.0.1:7700 by default
//   cd tests/ui && npm ci && node browser.test.mjs
//
// Environment: DOSSIER_URL (default http://127.0.0.1:7700), CHROMIUM (default
// /usr/bin/chromium). Exit status 0 when every check passes, 1 otherwise.

import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHOTS = path.join(ROOT, 'target', 'ui-screenshots');
const BASE = (process.env.DOSSIER_URL || 'http://127.0.0.1:7700').replace(/\/+$/, '');
const EXECUTABLE = process.env.CHROMIUM || '/usr/bin/chromium';
const PAGE_SIZE = 20; // the UI's default page size
const TIMEOUT = 15000;

mkdirSync(SHOTS, { recursive: true });
rmSync(path.join(SHOTS, 'failure.png'), { force: true });

// ------------------------------------------------------------------ harness
let passed = 0;
const pageErrors = [];

class CheckError extends Error {}

function check(cond, message) {
  if (!cond) throw new CheckError(message);
}

function checkEqual(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new CheckError(`${what}: expected ${e}, got ${a}`);
}

async function step(name, fn) {
  try {
    await fn();
    passed += 1;
    console.log(`ok ${passed} - ${name}`);
  } catch (err) {
    console.log(`not ok ${passed + 1} - ${name}`);
    console.error(`\nFAILED: ${name}\n  ${err instanceof CheckError ? err.message : (err && err.stack) || err}`);
    throw err;
  }
}

async function api(pathAndQuery, { allowError = false } = {}) {
  let res;
  try {
    res = await fetch(BASE + pathAndQuery, { headers: { Accept: 'application/json' } });
  } catch (err) {
    throw new CheckError(`cannot reach ${BASE}${pathAndQuery}: ${err.cause ? err.cause.message : err.message}. ` +
      'Start the server first (`dossier serve`) or set DOSSIER_URL.');
  }
  const body = await res.json().catch(() => null);
  if (!res.ok && !allowError) throw new CheckError(`GET ${pathAndQuery} answered HTTP ${res.status}: ${JSON.stringify(body)}`);
  return { status: res.status, body };
}

// The page has finished rendering the current URL: the main view and, on the
// search views (passages, heatmap, timeline), the facet sidebar.
async function idle(page) {
  await page.waitForFunction(() => {
    const view = document.querySelector('#view');
    const aside = document.querySelector('#facets');
    const viewDone = document.body.dataset.ready === 'true' && view && view.getAttribute('aria-busy') === 'false' &&
      view.dataset.url === location.search;
    const facetsDone = document.body.dataset.mode !== 'search' ||
      (aside.getAttribute('aria-busy') === 'false' && aside.dataset.url === location.search);
    return viewDone && facetsDone;
  }, null, { timeout: TIMEOUT });
}

function params(page) {
  return new URL(page.url()).searchParams;
}

// The API query for the search the page shows: its URL minus the UI-only keys.
function searchQuery(page, extra = {}) {
  const p = new URLSearchParams(params(page));
  for (const k of ['view', 'passage', 'actor_view']) p.delete(k);
  if (!p.has('limit')) p.set('limit', String(PAGE_SIZE));
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  return '/api/search?' + p.toString();
}

async function shownResults(page) {
  return page.evaluate(() => {
    const summary = document.querySelector('#summary');
    return {
      total: summary ? Number(summary.dataset.total) : null,
      ids: Array.from(document.querySelectorAll('.results .hit')).map((el) => el.dataset.passage),
      texts: Array.from(document.querySelectorAll('.results .hit')).map((el) => {
        const t = el.querySelector('.ptext');
        return t && t.dataset.excerpt !== 'true' ? t.textContent : null;
      }),
      error: document.querySelector('#view .error-box') ? document.querySelector('#view .error-box').textContent : null,
    };
  });
}

async function checkResultsMatchApi(page, what) {
  const shown = await shownResults(page);
  check(!shown.error, `${what}: the page shows an error: ${shown.error}`);
  const { body } = await api(searchQuery(page));
  checkEqual(shown.total, body.total, `${what}: total shown vs API total`);
  checkEqual(shown.ids.length, Math.min(body.total, Number(params(page).get('limit') || PAGE_SIZE)), `${what}: number of result cards`);
  checkEqual(shown.ids, body.hits.map((h) => h.passage), `${what}: passages shown, in order`);
  body.hits.forEach((h, i) => {
    if (shown.texts[i] !== null) checkEqual(shown.texts[i], h.text, `${what}: text of ${h.passage}`);
  });
  return body;
}

async function noHorizontalOverflow(page, what) {
  const [scroll, client] = await page.evaluate(() => [
    Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
    document.documentElement.clientWidth,
  ]);
  check(scroll <= client, `${what}: the page is ${scroll}px wide in a ${client}px viewport (horizontal overflow)`);
}

async function shot(page, name) {
  await page.waitForTimeout(350); // let the loading bar fade out
  await page.screenshot({ path: path.join(SHOTS, name), fullPage: false });
}

function watch(page) {
  page.on('pageerror', (err) => pageErrors.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    // 4xx answers are expected (the error step); the browser logs each as "Failed to load resource".
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) pageErrors.push(`console error: ${msg.text()} (${page.url()})`);
  });
  page.on('response', (res) => {
    if (res.status() >= 500) pageErrors.push(`HTTP ${res.status()} from ${res.url()}`);
  });
  return page;
}

// ------------------------------------------------------------------ the test
const browser = await chromium.launch({
  executablePath: EXECUTABLE,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
}).catch((err) => {
  console.error(`cannot start Chromium at ${EXECUTABLE} (apt-get install chromium, or set CHROMIUM): ${err.message}`);
  process.exit(1);
});

let failed = false;
let page;
try {
  await step('the server answers /api/health', async () => {
    const { body } = await api('/api/health');
    check(['ready', 'refreshing', 'error'].includes(body.status), `unexpected health status ${JSON.stringify(body.status)}`);
  });

  const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  page = watch(await desktop.newPage());

  await step('loads / with every passage listed', async () => {
    await page.goto(BASE + '/');
    await idle(page);
    const { body } = await api('/api/search?limit=' + PAGE_SIZE);
    const shown = await shownResults(page);
    checkEqual(shown.total, body.total, 'total on the start page');
    check(await page.title() !== '', 'the page has a title');
  });

  await step('every form control has a label', async () => {
    const unlabelled = await page.evaluate(() => Array.from(document.querySelectorAll('input, select, textarea'))
      .filter((el) => el.type !== 'hidden' && !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
      .map((el) => el.id || el.name || el.outerHTML.slice(0, 60)));
    checkEqual(unlabelled, [], 'controls without a label');
  });

  let firstResults;
  await step('types a query, presses Enter, and shows exactly the API results', async () => {
    await page.getByLabel('Search passages').fill('security');
    await page.getByLabel('Search passages').press('Enter');
    await page.waitForURL((u) => u.searchParams.get('q') === 'security', { timeout: TIMEOUT });
    await idle(page);
    firstResults = await checkResultsMatchApi(page, 'query "security"');
    check(firstResults.total > 0, 'the query "security" finds nothing; the test needs a corpus where it does (the bundled one)');
    const kw = await page.locator('.results mark.kw').count();
    const apiHighlights = firstResults.hits.reduce((n, h) => n + h.snippet.highlights.length, 0);
    check(apiHighlights === 0 || kw > 0, 'keyword matches are not highlighted');
    const kwText = await page.locator('.results mark.kw').first().textContent();
    check(/securit/i.test(kwText), `the first highlighted keyword is ${JSON.stringify(kwText)}, not "security"`);
    await shot(page, 'results-1280.png');
  });

  let actorId;
  await step('clicking an actor facet filters, and the URL and results follow the API', async () => {
    const row = page.locator('.facet[data-by="actor"] .facet-row[aria-pressed="false"]').first();
    actorId = await row.getAttribute('data-value');
    check(actorId, 'no actor facet to click');
    await row.click();
    await page.waitForURL((u) => u.searchParams.getAll('actor').includes(actorId), { timeout: TIMEOUT });
    await idle(page);
    checkEqual(params(page).get('q'), 'security', 'the query stays in the URL');
    checkEqual(params(page).getAll('actor'), [actorId], 'actor filters in the URL');
    await checkResultsMatchApi(page, `actor facet ${actorId}`);
    checkEqual(await page.locator(`.facet[data-by="actor"] .facet-row[data-value="${actorId}"]`).getAttribute('aria-pressed'), 'true', 'the clicked facet shows as selected');
    check(await page.locator('#active-filters .filter-chip').count() === 1, 'the active filter is shown as a removable chip');
  });

  await step('clicking a topic chip on a result adds that filter; Back removes it', async () => {
    const before = page.url();
    const chip = page.locator('.results .hit .chip-topic[aria-pressed="false"]').first();
    const topic = (await chip.textContent()).trim();
    await chip.click();
    await page.waitForURL((u) => u.searchParams.getAll('topic').includes(topic), { timeout: TIMEOUT });
    await idle(page);
    await checkResultsMatchApi(page, `topic chip ${topic}`);
    await page.goBack({ waitUntil: 'commit' });
    await page.waitForURL(before, { timeout: TIMEOUT });
    await idle(page);
    await checkResultsMatchApi(page, 'after Back');
  });

  await step('opens a passage: its text is the API text and a stance quote is highlighted as evidence', async () => {
    const { body } = await api(searchQuery(page));
    const withStance = body.hits.find((h) => h.stances.length > 0);
    check(withStance, 'no result with a stance annotation to open');
    const resultsUrl = page.url();
    await page.locator(`.hit[data-passage="${withStance.passage}"] .hit-id`).click();
    await page.waitForURL((u) => u.searchParams.get('passage') === withStance.passage, { timeout: TIMEOUT });
    await idle(page);
    const { body: hit } = await api('/api/passages/' + encodeURIComponent(withStance.passage));
    checkEqual(await page.locator('#passage-text').textContent(), hit.text, 'passage text');
    checkEqual(await page.locator('#passage-title').textContent(), hit.passage, 'passage heading');
    for (let i = 0; i < hit.stances.length; i++) {
      const marked = await page.$$eval(`#passage-text mark.ev`, (els, n) => els
        .filter((el) => el.dataset.ev.split(' ').includes(String(n)))
        .map((el) => el.textContent).join(''), i);
      checkEqual(marked, hit.stances[i].quote, `highlighted evidence of stance ${i + 1}`);
    }
    checkEqual(await page.locator('.stance-table tbody tr').count(), hit.stances.length, 'rows in the stance table');
    const spanText = await page.locator('[data-span]').getAttribute('data-span');
    checkEqual(spanText, `${hit.span.start}-${hit.span.end}`, 'byte span shown');
    // Neighbouring passages of the article.
    await page.waitForSelector('.nb-row', { timeout: TIMEOUT });
    const { body: around } = await api(`/api/search?article=${encodeURIComponent(hit.article)}&sort=position&limit=1000`);
    const k = around.hits.findIndex((h) => h.passage === hit.passage);
    const expectPrev = k > 0 ? around.hits[k - 1].passage : null;
    const expectNext = k + 1 < around.hits.length ? around.hits[k + 1].passage : null;
    const shownPrev = await page.locator('a.nb-prev').count() ? (await page.locator('a.nb-prev .nb-id').textContent()).split(' ')[0] : null;
    const shownNext = await page.locator('a.nb-next').count() ? (await page.locator('a.nb-next .nb-id').textContent()).split(' ')[0] : null;
    checkEqual([shownPrev, shownNext], [expectPrev, expectNext], 'neighbouring passages');
    await shot(page, 'passage-1280.png');
    await page.keyboard.press('Escape');
    await page.waitForURL((u) => !u.searchParams.has('passage'), { timeout: TIMEOUT });
    await idle(page);
    checkEqual(page.url(), resultsUrl, 'Esc returns to the results');
  });

  let matrixUrl;
  let cell;
  await step('the heatmap shows the holder × stance counts of the API, and a cell opens those passages', async () => {
    await page.goto(BASE + '/?q=security');
    await idle(page);
    await page.getByRole('link', { name: 'Who holds which stance' }).click();
    await page.waitForURL((u) => u.searchParams.get('view') === 'matrix', { timeout: TIMEOUT });
    await idle(page);
    matrixUrl = page.url();
    const { body } = await api('/api/facets?q=security&by=holder&by=stance');
    const cells = await page.$$eval('.matrix a.cell', (els) => els.map((el) => [el.dataset.holder, el.dataset.stance, Number(el.textContent)]));
    const expected = body.counts.map((c) => [c.value[0], c.value[1], c.count]);
    const key = (x) => x.join('\u0000');
    const holders = new Set(expected.map((x) => x[0]));
    if (holders.size <= 30) checkEqual(cells.map(key).sort(), expected.map(key).sort(), 'matrix cells vs /api/facets');
    else for (const c of cells) check(expected.some((e) => key(e) === key(c)), `cell ${key(c)} is not in the API counts`);
    await shot(page, 'heatmap-1280.png');
    cell = cells.reduce((a, b) => (b[2] > a[2] ? b : a));
    await page.locator(`.matrix a.cell[data-holder="${cell[0]}"][data-stance="${cell[1]}"]`).click();
    await page.waitForURL((u) => u.searchParams.get('holder') === cell[0] && u.searchParams.get('stance') === cell[1], { timeout: TIMEOUT });
    await idle(page);
    check(!params(page).has('view'), 'a cell opens the passages view');
    const res = await checkResultsMatchApi(page, `cell ${cell[0]} × ${cell[1]}`);
    checkEqual(res.total, cell[2], 'passages behind the cell vs the cell count');
  });

  await step('Back restores the heatmap; Forward the filtered passages', async () => {
    await page.goBack({ waitUntil: 'commit' });
    await page.waitForURL(matrixUrl, { timeout: TIMEOUT });
    await idle(page);
    check(await page.locator('.matrix').isVisible(), 'the heatmap is shown again after Back');
    checkEqual(await page.locator('.tab[aria-current="page"]').textContent(), 'Who holds which stance', 'selected tab after Back');
    checkEqual(await page.locator('#q').inputValue(), 'security', 'search box after Back');
    await page.goForward({ waitUntil: 'commit' });
    await page.waitForURL((u) => u.searchParams.get('holder') === cell[0], { timeout: TIMEOUT });
    await idle(page);
    await checkResultsMatchApi(page, 'after Forward');
  });

  await step('the timeline lists the API events, undated ones apart, and an event opens its passage', async () => {
    await page.goto(BASE + '/?view=timeline');
    await idle(page);
    const { body } = await api('/api/timeline');
    const undated = body.events.filter((e) => e.date.startsWith('--'));
    checkEqual(await page.locator('.tl-item').count(), body.events.length, 'events listed');
    checkEqual(await page.locator('.tl-undated .tl-item').count(), undated.length, 'events whose year is not stated, listed apart');
    checkEqual(await page.locator('.tl-svg .tl-mark').count(), body.events.length - undated.length, 'events on the time axis');
    await shot(page, 'timeline-1280.png');
    const first = body.events[0];
    await page.locator('.tl-item .tl-link').first().click();
    await page.waitForURL((u) => u.searchParams.get('passage') === first.passage, { timeout: TIMEOUT });
    await idle(page);
    const { body: hit } = await api('/api/passages/' + encodeURIComponent(first.passage));
    checkEqual(await page.locator('#passage-text').textContent(), hit.text, 'passage opened from the timeline');
  });

  await step('an unknown actor shows the API error and its suggestions, and a suggestion applies', async () => {
    await page.goto(BASE + '/?actor=Zarif');
    await idle(page);
    const { status, body } = await api('/api/search?actor=Zarif&limit=20', { allowError: true });
    checkEqual(status, 400, 'HTTP status of an unknown actor');
    checkEqual(await page.locator('#view .error-message').textContent(), body.error.message, 'error message shown');
    const suggestions = await page.locator('#view .suggestion').allTextContents();
    checkEqual(suggestions, body.error.suggestions, 'suggestions shown');
    if (suggestions.length) {
      await page.locator('#view .suggestion').first().click();
      await page.waitForURL((u) => u.searchParams.get('actor') === suggestions[0], { timeout: TIMEOUT });
      await idle(page);
      await checkResultsMatchApi(page, `suggestion ${suggestions[0]}`);
    }
  });

  await step('keyboard: "/" focuses the search box, Enter searches, a facet toggles with Enter', async () => {
    await page.goto(BASE + '/');
    await idle(page);
    await page.locator('body').press('/');
    checkEqual(await page.evaluate(() => document.activeElement.id), 'q', 'focused element after "/"');
    await page.keyboard.type('revenge OR retaliation');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('q') === 'revenge OR retaliation', { timeout: TIMEOUT });
    await idle(page);
    await checkResultsMatchApi(page, 'keyboard search');
    const row = page.locator('.facet[data-by="stance"] .facet-row').first();
    const stance = await row.getAttribute('data-value');
    await row.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('stance') === stance, { timeout: TIMEOUT });
    await idle(page);
    await checkResultsMatchApi(page, 'facet chosen with the keyboard');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    check(outline !== 'none', 'the focused control has a visible focus outline');
  });

  await step('the filter form applies a holder, a stance and a date range', async () => {
    const { body: stances } = await api('/api/stances');
    const stance = stances.filter((x) => x.passages > 0).sort((a, b) => b.passages - a.passages)[0].id;
    const { body: holders } = await api(`/api/facets?by=holder&stance=${encodeURIComponent(stance)}`);
    const holder = holders.counts[0].value;
    await page.goto(BASE + '/');
    await idle(page);
    if (await page.locator('#filters').isHidden()) await page.locator('#filters-toggle').click();
    await page.getByLabel('Stance holder', { exact: true }).fill(holder);
    await page.getByLabel('Stance', { exact: true }).selectOption(stance);
    await page.getByLabel('Stance holder', { exact: true }).press('Enter');
    await page.waitForURL((u) => u.searchParams.get('holder') === holder && u.searchParams.get('stance') === stance, { timeout: TIMEOUT });
    await idle(page);
    const res = await checkResultsMatchApi(page, `holder ${holder} + stance ${stance}`);
    check(res.total > 0, `no passage where ${holder} takes ${stance}`);
    await page.getByRole('button', { name: 'Clear filters', exact: true }).click();
    await page.waitForURL((u) => !u.searchParams.has('holder'), { timeout: TIMEOUT });
    await idle(page);
    await page.getByLabel('Events since', { exact: true }).fill('2018');
    await page.getByLabel('Events until', { exact: true }).fill('2021');
    await page.getByLabel('Events until', { exact: true }).press('Enter');
    await page.waitForURL((u) => u.searchParams.get('since') === '2018' && u.searchParams.get('until') === '2021', { timeout: TIMEOUT });
    await idle(page);
    await checkResultsMatchApi(page, 'since 2018 until 2021');
    checkEqual(await page.locator('#active-filters .filter-chip').count(), 2, 'date filters shown as chips');
    await shot(page, 'filters-1280.png');
  });

  await step('the actor view shows aliases and stances', async () => {
    const { body: actors } = await api('/api/actors');
    const top = actors.slice().sort((a, b) => b.passages - a.passages)[0];
    await page.goto(BASE + '/?actor_view=' + encodeURIComponent(top.id));
    await idle(page);
    checkEqual(await page.locator('#view h1').textContent(), top.name, 'actor heading');
    for (const alias of top.aliases.slice(0, 3)) check(await page.locator('.alias', { hasText: alias }).count() > 0, `alias ${alias} shown`);
    await shot(page, 'actor-1280.png');
  });

  await step('no inline event handlers or scripts come from the data', async () => {
    await page.goto(BASE + '/?q=security');
    await idle(page);
    const bad = await page.evaluate(() => Array.from(document.querySelectorAll('#view *, #facets *'))
      .filter((el) => el.tagName === 'SCRIPT' || Array.from(el.attributes).some((a) => a.name.startsWith('on')))
      .map((el) => el.outerHTML.slice(0, 80)));
    checkEqual(bad, [], 'elements with inline handlers');
  });

  const phone = await browser.newContext({ viewport: { width: 400, height: 860 }, colorScheme: 'light', isMobile: false });
  const small = watch(await phone.newPage());
  await step('at 400 px wide, nothing overflows horizontally', async () => {
    const first = firstResults.hits.find((h) => h.stances.length) || firstResults.hits[0];
    const views = [
      ['/?q=security', 'results-400.png'],
      [`/?q=security&passage=${encodeURIComponent(first.passage)}`, 'passage-400.png'],
      ['/?q=security&view=matrix', 'heatmap-400.png'],
      ['/?view=timeline', 'timeline-400.png'],
      [`/?actor_view=${encodeURIComponent(actorId)}`, null],
    ];
    for (const [url, name] of views) {
      await small.goto(BASE + url);
      await idle(small);
      if (url.includes('passage=')) await small.waitForSelector('.nb-row', { timeout: TIMEOUT });
      await noHorizontalOverflow(small, `400 px ${url}`);
      if (name) await shot(small, name);
    }
    // The facets open on demand and still fit.
    await small.goto(BASE + '/?q=security');
    await idle(small);
    await small.getByRole('button', { name: 'Show facets' }).click();
    await noHorizontalOverflow(small, '400 px with the facets open');
    check(await small.locator('.facet-row').first().isVisible(), 'facets visible after "Show facets"');
  });

  await step('no JavaScript errors in the page', async () => {
    checkEqual(pageErrors, [], 'page errors');
  });
} catch (err) {
  failed = true;
  if (page) await page.screenshot({ path: path.join(SHOTS, 'failure.png'), fullPage: true }).catch(() => {});
  if (pageErrors.length) console.error('page errors so far:\n  ' + pageErrors.join('\n  '));
} finally {
  await browser.close();
}

if (failed) {
  console.error(`\nbrowser test FAILED after ${passed} passing checks (screenshots in ${SHOTS})`);
  process.exit(1);
}
console.log(`\nbrowser test passed: ${passed} checks; screenshots in ${SHOTS}`);
