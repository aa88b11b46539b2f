/**
 * Opens reports/index.html in headless Chromium: Debian's chromium package, driven by
 * Playwright (scripts/setup.sh installs it). The page comes from a hand-built run with
 * every verdict and, when reports/results.json exists, from the last real run of the
 * shipped matrix. Screenshots go to test-results/html-report/ for people to look at.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from '@playwright/test';
import { buildHtmlReport } from '../../src/report/html.js';
import type { RunReport } from '../../src/report/types.js';
import { everyVerdictReport } from '../unit/every-verdict-report.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const artifactsDir = join(repoRoot, 'test-results/html-report');
const realResults = join(repoRoot, 'reports/results.json');

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** What a page did that the report must never make it do. */
interface PageProblems {
  requests: string[];
  consoleErrors: string[];
  pageErrors: string[];
}

/** Writes the report's page into the artifacts folder and opens it, recording requests and errors. */
async function openReport(browser: Browser, report: RunReport, name: string): Promise<{ page: Page; problems: PageProblems; url: string }> {
  mkdirSync(artifactsDir, { recursive: true });
  const file = join(artifactsDir, `${name}.html`);
  writeFileSync(file, buildHtmlReport(report));
  const url = pathToFileURL(file).href;

  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const problems: PageProblems = { requests: [], consoleErrors: [], pageErrors: [] };
  page.on('request', (request) => {
    if (request.url() !== url) {
      problems.requests.push(request.url());
    }
  });
  page.on('console', (message) => {
    if (message.type() === 'error') {
      problems.consoleErrors.push(message.text());
    }
  });
  page.on('pageerror', (error) => problems.pageErrors.push(error.message));

  await page.goto(url);
  return { page, problems, url };
}

async function saveScreenshot(page: Page, name: string, diagnostic: (message: string) => void): Promise<void> {
  const path = join(artifactsDir, `${name}.png`);
  await page.screenshot({ path });
  diagnostic(`screenshot: ${path}`);
}

describe('index.html in Chromium', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} not found: run scripts/setup.sh as root` }, () => {
  let browser: Browser;

  before(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
  });

  describe('every verdict', () => {
    let page: Page;
    let problems: PageProblems;

    before(async () => {
      ({ page, problems } = await openReport(browser, everyVerdictReport(), 'every-verdict'));
    });

    after(async () => {
      await page?.close();
    });

    test('grid has nine cells', async () => {
      assert.equal(await page.locator('table.grid td.cell').count(), 9);
    });

    test('crash cell has crash class', async () => {
      const cell = page.locator('td.cell[data-image="postgres"][data-runtime="runsc"]');
      assert.match((await cell.getAttribute('class')) ?? '', /\bv-sandbox-crash\b/);
    });

    test('compatible cell is green', async () => {
      const cell = page.locator('td.cell[data-image="nginx"][data-runtime="runsc-20240729"]');
      assert.equal(await cell.evaluate((element) => getComputedStyle(element).backgroundColor), 'rgb(227, 243, 230)');
    });

    test('syscall cell is red', async () => {
      const cell = page.locator('td.cell[data-image="nginx"][data-runtime="runsc"]');
      assert.equal(await cell.evaluate((element) => getComputedStyle(element).backgroundColor), 'rgb(251, 228, 228)');
    });

    test('panels start hidden', async () => {
      assert.equal(await page.locator('.panel:visible').count(), 0);
    });

    test('cell opens its tests', async () => {
      await page.locator('td.cell[data-image="postgres"][data-runtime="runsc"] a').click();
      const panel = page.locator('.panel:visible');
      assert.equal(await panel.count(), 1);
      assert.match(await panel.innerText(), /postgres under runsc/);
      assert.match(await panel.innerText(), /restart\s+sandbox-crash\s+.*panic: running on goroutine 1207/);
    });

    test('test link opens details', async (t) => {
      await page.locator('.panel:visible').getByRole('link', { name: 'server version' }).click();
      const panel = page.locator('.panel:visible');
      assert.match(await panel.innerText(), /postgres › server version/);
      assert.match(await panel.innerText(), /stdout differs: runc "PostgreSQL 15\.8 on x86_64", runsc "PostgreSQL 15\.8 <on> x86_64"/);
      assert.match(await panel.innerText(), /\+PostgreSQL 15\.8 <on> x86_64/);
      await saveScreenshot(page, 'every-verdict-detail', (message) => t.diagnostic(message));
    });

    test('findings show support', async () => {
      await page.locator('#tests').getByRole('link', { name: 'configuration is valid' }).click();
      const card = page.locator('.panel:visible article[data-runtime="runsc"]');
      assert.match(await card.innerText(), /fanotify_init\s+Unimplemented\s+Needs CONFIG_FANOTIFY\./);
    });

    test('durations under each runtime', async () => {
      const rows = await page.locator('.panel:visible table.durations tbody tr').allInnerTexts();
      assert.deepEqual(rows.map((row) => row.replace(/\s+/g, ' ').trim()), [
        // The fixture's results carry no timing, so start, ready wait, check and the two ratios are blank.
        'runc passed passed 1.5 s baseline - - - baseline baseline',
        'runsc failed failed 1.7 s ×1.13 - - - - -',
        'runsc-20240729 passed passed 1.6 s ×1.07 - - - - -',
      ]);
    });

    test('escape closes the panel', async () => {
      await page.keyboard.press('Escape');
      await page.waitForFunction(() => document.querySelectorAll('.panel:target').length === 0);
      assert.equal(await page.locator('.panel:visible').count(), 0);
    });

    test('hostile text stays text', async () => {
      await page.locator('#tests').getByRole('link', { name: 'insert and select' }).click();
      const text = await page.locator('.panel:visible').innerText();
      assert.match(text, /<script>window\.gvmatrixInjected = true<\/script>/);
      assert.equal(await page.evaluate(() => 'gvmatrixInjected' in window), false);
      assert.equal(await page.locator('img').count(), 0);
    });

    test('hostile test name stays text', async () => {
      const link = page.locator('#tests').getByRole('link', { name: 'renders <b>bold</b> & "quotes"' });
      assert.equal(await link.count(), 1);
      assert.equal(await page.locator('#tests b').count(), 0);
    });

    test('filter hides compatible tests', async () => {
      await page.getByLabel('only tests with a verdict other than compatible').check();
      const visible = await page.locator('#tests tbody tr[data-panel]:visible').count();
      assert.equal(visible, 9);
      await page.getByLabel('only tests with a verdict other than compatible').uncheck();
    });

    test('full page screenshot', async (t) => {
      await page.goto(`${page.url().split('#')[0]}#closed`);
      const path = join(artifactsDir, 'every-verdict.png');
      await page.screenshot({ path, fullPage: true });
      t.diagnostic(`screenshot: ${path}`);
      assert.ok(existsSync(path));
    });

    test('no request leaves the page', () => {
      assert.deepEqual(problems.requests, []);
    });

    test('no console or page errors', () => {
      assert.deepEqual([...problems.consoleErrors, ...problems.pageErrors], []);
    });
  });

  describe('last real run', { skip: existsSync(realResults) ? false : `${realResults} not found: run bash scripts/run-matrix.sh first` }, () => {
    let page: Page;
    let problems: PageProblems;
    let report: RunReport;

    before(async () => {
      report = JSON.parse(readFileSync(realResults, 'utf8')) as RunReport;
      ({ page, problems } = await openReport(browser, report, 'real-run'));
    });

    after(async () => {
      await page?.close();
    });

    test('cell per image and runtime', async () => {
      const images = new Set(report.results.map((result) => result.image));
      const runtimes = new Set(report.results.map((result) => result.runtime));
      assert.equal(await page.locator('table.grid td.cell').count(), images.size * runtimes.size);
    });

    test('test row per test', async () => {
      const tests = new Set(report.results.map((result) => JSON.stringify([result.image, result.test])));
      assert.equal(await page.locator('#tests tbody tr[data-panel]').count(), tests.size);
    });

    test('worst cell opens its verdicts', async (t) => {
      const record = report.verdicts.find((candidate) => candidate.verdict !== 'compatible');
      if (!record) {
        t.skip('every verdict of the last run is compatible');
        return;
      }

      const cell = page.locator(`td.cell[data-image="${record.image}"][data-runtime="${record.runtime}"]`);
      assert.match((await cell.getAttribute('class')) ?? '', /\bv-(?!compatible)/);
      await cell.locator('a').click();
      assert.match(await page.locator('.panel:visible').innerText(), new RegExp(record.verdict));
      await saveScreenshot(page, 'real-run-cell', (message) => t.diagnostic(message));
    });

    test('full page screenshot', async (t) => {
      await page.goto(`${page.url().split('#')[0]}#closed`);
      const path = join(artifactsDir, 'real-run.png');
      await page.screenshot({ path, fullPage: true });
      t.diagnostic(`screenshot: ${path}`);
      assert.ok(existsSync(path));
    });

    test('no request leaves the page', () => {
      assert.deepEqual(problems.requests, []);
    });

    test('no console or page errors', () => {
      assert.deepEqual([...problems.consoleErrors, ...problems.pageErrors], []);
    });
  });
});
