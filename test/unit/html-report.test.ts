import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { buildHtmlReport } from '../../src/report/html.js';
import { formatDuration } from '../../src/report/html-parts.js';
import { SafeHtml, escapeHtml, html } from '../../src/report/html-text.js';
import type { TestRunResult } from '../../src/report/types.js';
import { HOSTILE_ERROR, HOSTILE_TEST, SANDBOX_2024, everyVerdictReport } from './every-verdict-report.js';

const page = buildHtmlReport(everyVerdictReport());

/** Returns the markup of the panel with this id. Panels never nest, so the first `</section>` ends it. */
function panel(id: string): string {
  const start = page.indexOf(`id="${id}"`);
  assert.notEqual(start, -1, `no element with id ${id}`);
  return page.slice(page.lastIndexOf('<section', start), page.indexOf('</section>', start));
}

/** Returns the id of the test panel for `image › test`. */
function testPanelId(image: string, name: string): string {
  const match = new RegExp(`id="(t-\\d+)" aria-label="${escapeHtml(`${image} › ${name}`)}"`).exec(page);
  assert.ok(match, `no panel for ${image} › ${name}`);
  return match[1] as string;
}

function count(pattern: RegExp): number {
  return [...page.matchAll(pattern)].length;
}

describe('escapeHtml', () => {
  test('escapes markup characters', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  test('drops ANSI and control characters', () => {
    assert.equal(escapeHtml('\u001b[31mred\u001b[39m\u0000\u0007 line\n'), 'red line\n');
  });

  test('drops C1 controls and noncharacters', () => {
    assert.equal(escapeHtml('a\u009b2Jb\u007f\ufffe\uffffc\u00e9'), 'a2Jbc\u00e9');
  });
});

describe('html template', () => {
  test('escapes interpolated text', () => {
    assert.equal(html`<p>${'<b>'}</p>`.markup, '<p>&lt;b&gt;</p>');
  });

  test('keeps SafeHtml as is', () => {
    assert.equal(html`<p>${new SafeHtml('<b>x</b>')}</p>`.markup, '<p><b>x</b></p>');
  });

  test('renders arrays, drops empty values', () => {
    assert.equal(html`${['<', html`<i>`, undefined, false, 2]}`.markup, '&lt;<i>2');
  });
});

describe('formatDuration', () => {
  test('milliseconds, seconds and minutes', () => {
    assert.deepEqual([formatDuration(850), formatDuration(1700), formatDuration(125_000)], ['850 ms', '1.7 s', '2 min 5 s']);
  });
});

describe('buildHtmlReport', () => {
  test('loads nothing from elsewhere', () => {
    // Text from containers is escaped, so every `<` left in the page opens a real tag.
    const loading = /<(link|iframe|img|object|embed)\b|<[a-z][^>]*\ssrc=/i.exec(page);
    assert.equal(loading?.[0], undefined);
  });

  test('links stay inside the page', () => {
    const targets = [...page.matchAll(/href="([^"]*)"/g)].map((match) => match[1] as string);
    assert.deepEqual(targets.filter((target) => !target.startsWith('#')), []);
  });

  test('policy hashes match the page', () => {
    const style = /<style>([\s\S]*?)<\/style>/.exec(page)?.[1] ?? '';
    const script = /<script>([\s\S]*?)<\/script>/.exec(page)?.[1] ?? '';
    const sha = (text: string) => `sha256-${createHash('sha256').update(text).digest('base64')}`;
    assert.match(page, new RegExp(`style-src &#39;${sha(style).replace(/[+/]/g, '\\$&')}&#39;`));
    assert.match(page, new RegExp(`script-src &#39;${sha(script).replace(/[+/]/g, '\\$&')}&#39;`));
  });

  test('one script element', () => {
    assert.equal(count(/<script\b/g), 1);
  });

  test('hostile error stays text', () => {
    assert.equal(page.includes('<script>window.gvmatrixInjected'), false);
    assert.equal(page.includes(escapeHtml(HOSTILE_ERROR.split('\n')[0] as string)), true);
  });

  test('hostile test name stays text', () => {
    assert.equal(page.includes(HOSTILE_TEST), false);
    assert.equal(page.includes('renders &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quotes&quot;'), true);
  });

  test('grid cell per image and runtime', () => {
    assert.equal(count(/<td class="cell[ "]/g), 9);
  });

  test('cell takes most severe verdict', () => {
    assert.match(page, /<td class="cell v-sandbox-crash" data-image="postgres" data-runtime="runsc">/);
  });

  test('compatible cell is green', () => {
    assert.match(page, /<td class="cell v-compatible" data-image="nginx" data-runtime="runsc-20240729">/);
  });

  test('baseline cell counts passes', () => {
    assert.match(page, /data-image="postgres" data-runtime="runc"><a [^>]*><span class="badge o-failed">4\/5 passed</);
  });

  test('legend lists every verdict', () => {
    const legend = /<ul class="legend"[\s\S]*?<\/ul>/.exec(page)?.[0] ?? '';
    assert.equal([...legend.matchAll(/<li>/g)].length, 9);
  });

  test('panel per test', () => {
    assert.equal(count(/<section class="panel test-panel"/g), 12);
  });

  test('findings show decoded feature', () => {
    const text = panel(testPanelId('nginx', 'serves the default page'));
    assert.match(text, /<code>ioctl\(TIOCSTI\)<\/code>/);
  });

  test('findings show support level', () => {
    const text = panel(testPanelId('nginx', 'configuration is valid'));
    assert.match(text, /<td>Unimplemented<\/td><td>Needs CONFIG_FANOTIFY\.<\/td>/);
  });

  test('benign finding is marked', () => {
    const text = panel(testPanelId('nginx', 'serves the default page'));
    assert.match(text, /<code>rseq<\/code><div class="benign">benign: glibc/);
  });

  test('differences show the diff', () => {
    const text = panel(testPanelId('postgres', 'server version'));
    assert.match(text, /<span class="add">\+PostgreSQL 15\.8 &lt;on&gt; x86_64<\/span>/);
  });

  test('crash shows the stack excerpt', () => {
    const text = panel(testPanelId('postgres', 'restart'));
    assert.match(text, /pkg\/sentry\/kernel\/task_run\.go:98/);
  });

  test('durations compare with baseline', () => {
    const text = panel(testPanelId('nginx', 'configuration is valid'));
    assert.match(text, /<th scope="row">runsc<\/th><td><span class="badge o-failed">failed<\/span><\/td><td>failed<\/td><td>1\.7 s<\/td><td>×1\.13<\/td>/);
  });

  test('verdict changes are listed', () => {
    assert.match(page, /<h2>Verdicts that differ between sandbox runtimes<\/h2>/);
  });

  test('empty run says so', () => {
    const empty = buildHtmlReport({ runId: 'empty', matrixFile: '/work/matrix.yaml', startedAt: '', finishedAt: '', runtimes: [], results: [], verdicts: [] });
    assert.match(empty, /<span class="muted">no verdicts<\/span>/);
    assert.doesNotMatch(empty, /<td class="cell/);
  });

  test('same report, same page', () => {
    assert.equal(buildHtmlReport(everyVerdictReport()), page);
  });
});

describe('timing in the report', () => {
  test('slow badge in three places', () => {
    // nginx › serves the default page is the one slow verdict (×3.5 under runsc, above slowRatio 3): in the test list, its cell panel and its test panel.
    assert.equal(count(/<span class="badge slow" title="the check took ×3\.50 the baseline's time, above slowRatio 3">slow<\/span>/g), 3);
  });

  test('test list shows both ratios', () => {
    assert.match(page, /check ×3\.50, start ×2\.40/);
    assert.match(page, /check ×1\.25, start ×1\.80/);
  });

  test('panel lists durations per runtime', () => {
    const markup = panel(testPanelId('nginx', 'serves the default page'));
    assert.match(markup, /<th scope="row">runc<\/th>.*?<td>400 ms<\/td><td>100 ms<\/td><td>120 ms<\/td><td>baseline<\/td><td>baseline<\/td><\/tr>/);
    assert.match(markup, /<th scope="row">runsc<\/th>.*?<td>900 ms<\/td><td>300 ms<\/td><td>420 ms<\/td><td>×3\.50<span class="badge slow"/);
  });

  test('untimed test shows dashes', () => {
    const markup = panel(testPanelId('redis', 'saves to disk'));
    assert.match(markup, /<th scope="row">runsc<\/th>.*?<td>-<\/td><td>-<\/td><td>-<\/td><td>-<\/td><td>-<\/td><\/tr>/);
  });
});

describe('steps in the report', () => {
  /** Returns the markup of one runtime's card in a test panel. */
  function card(image: string, name: string, runtime: string): string {
    const markup = panel(testPanelId(image, name));
    const start = markup.indexOf(`data-runtime="${runtime}"`);
    assert.notEqual(start, -1, `no card for ${runtime} in ${image} › ${name}`);
    return markup.slice(start, markup.indexOf('</article>', start));
  }

  test('table per runtime with steps', () => {
    const markup = panel(testPanelId('nginx', 'configuration is valid'));
    assert.equal([...markup.matchAll(/<table class="steps">/g)].length, 2);
    assert.doesNotMatch(card('nginx', 'configuration is valid', SANDBOX_2024), /<table class="steps">/);
  });

  test('baseline card shows exit code and output', () => {
    const markup = card('nginx', 'configuration is valid', 'runc');
    assert.match(markup, /<tr class=""><td>3 <code>reload<\/code><\/td><td><code>exec nginx -s reload<\/code><\/td><td>exit 0<\/td><td>340 ms<\/td><td><code>stdout: reloaded &lt;ok&gt;<\/code><\/td><\/tr>/);
  });

  test('stat step shows owner', () => {
    assert.match(card('nginx', 'configuration is valid', 'runc'), /<td>owner 0:101<\/td>/);
    assert.match(card('nginx', 'configuration is valid', 'runsc'), /<td>owner 65534:65534<\/td>/);
  });

  test('failed step shows its error', () => {
    const markup = card('nginx', 'configuration is valid', 'runsc');
    assert.match(markup, /<tr class="failed"><td>3 <code>reload<\/code><\/td>.*?<td>exit 1<\/td><td>5\.1 s<\/td><td><code>error: exit code 1, expected 0<\/code><\/td><\/tr>/);
  });

  test('step output stays text', () => {
    const report = everyVerdictReport();
    const sandbox = report.results.find((result) => result.steps && !result.baseline) as TestRunResult;
    sandbox.steps = sandbox.steps?.map(({ index, kind, description, stderr, durationMs }) => ({ index, kind, description, stderr, durationMs }));
    const markup = buildHtmlReport(report);

    assert.match(markup, /<code>stderr: &lt;script&gt;window\.gvmatrixInjected = true&lt;\/script&gt;<\/code>/);
    assert.doesNotMatch(markup, /<script>window\.gvmatrixInjected/);
  });

  test('long first line is cut', () => {
    const report = everyVerdictReport();
    const baseline = report.results.find((result) => result.steps && result.baseline) as TestRunResult;
    baseline.steps = [{ index: 1, kind: 'exec', description: 'exec yes', exitCode: 0, stdout: 'y'.repeat(500), durationMs: 10 }];
    assert.match(buildHtmlReport(report), new RegExp(`<code>stdout: ${'y'.repeat(200)}\\.\\.\\.</code>`));
  });
});
