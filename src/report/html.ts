import { createHash } from 'node:crypto';
import { renderTestPanel } from './html-detail.js';
import { renderCellPanels, renderGrid, renderLegend } from './html-grid.js';
import { durationText, formatDuration, outcomeBadge, slowBadge, verdictBadge } from './html-parts.js';
import { REPORT_SCRIPT } from './html-script.js';
import { REPORT_CSS } from './html-style.js';
import { SafeHtml, html } from './html-text.js';
import { buildReportView, countVerdicts, type ReportView, type TestRow } from './report-view.js';
import type { RunReport } from './types.js';
import { verdictChanges } from './upgrade.js';

/**
 * Builds reports/index.html: one self-contained page with the images × runtimes grid, the
 * list of tests with their verdicts and durations, and a detail panel per grid cell and
 * per test. Every text from the report goes through the `html` template, which escapes
 * it. The page loads nothing: its Content-Security-Policy allows only its own style sheet
 * and script, by hash, so it works offline from file://.
 */
export function buildHtmlReport(report: RunReport): string {
  const view = buildReportView(report);
  const testPanels = view.tests.map((test) => renderTestPanel(view, test));

  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy()}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gvmatrix ${report.runId}</title>
<style>${new SafeHtml(REPORT_CSS)}</style>
</head>
<body>
<header>
<h1>gvmatrix report</h1>
${renderRunMeta(report)}
${renderTotals(report)}
</header>
<h2>Runtimes</h2>
${renderRuntimes(report)}
<h2>Images × runtimes</h2>
<p class="muted">Select a cell for its tests, a test for its details.</p>
${renderLegend()}
${renderGrid(view)}
${renderVerdictChanges(report, view)}
<h2>Tests</h2>
<label class="filter" id="only-problems" hidden><input type="checkbox"> only tests with a verdict other than compatible</label>
${renderTestList(view)}
${renderCellPanels(view)}
${testPanels}
<script>${new SafeHtml(REPORT_SCRIPT)}</script>
</body>
</html>
`;
  return page.markup;
}

/** Returns the page's Content-Security-Policy: its own style element and script, by hash, and nothing else, so no request leaves the page. */
function contentSecurityPolicy(): string {
  return [
    "default-src 'none'",
    `style-src '${sha256(REPORT_CSS)}'`,
    `script-src '${sha256(REPORT_SCRIPT)}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

function sha256(text: string): string {
  return `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;
}

function renderRunMeta(report: RunReport): SafeHtml {
  const took = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  const duration = Number.isFinite(took) && took >= 0 ? html`<span>took ${formatDuration(took)}</span>` : '';
  return html`<p class="meta"><span>run ${report.runId}</span><span>matrix ${report.matrixFile}</span><span>started ${report.startedAt}</span><span>finished ${report.finishedAt}</span>${duration}</p>`;
}

function renderTotals(report: RunReport): SafeHtml {
  const badges = countVerdicts(report.verdicts.map((record) => record.verdict)).map(
    ([verdict, count]) => html`<span class="badge v-${verdict}">${count} ${verdict}</span>`,
  );
  return html`<div class="totals" aria-label="Verdict totals">${badges.length > 0 ? badges : html`<span class="muted">no verdicts</span>`}</div>`;
}

function renderRuntimes(report: RunReport): SafeHtml {
  const rows = report.runtimes.map(
    (runtime) =>
      html`<tr><th scope="row">${runtime.name}</th><td>${runtime.kind}${runtime.baseline ? ' (baseline)' : ''}</td><td>${runtime.version}</td><td><code>${runtime.flags.join(' ')}</code></td></tr>`,
  );
  const missing = Object.entries(report.missingSupportTables ?? {}).map(
    ([runtime, reason]) => html`<li>${runtime}: no gVisor support levels, because ${reason}</li>`,
  );
  return html`<table class="runtimes"><thead><tr><th>name</th><th>kind</th><th>version</th><th>flags</th></tr></thead><tbody>${rows}</tbody></table>${missing.length > 0 ? html`<ul class="muted">${missing}</ul>` : ''}`;
}

/** Lists the tests whose verdict differs between sandbox runtimes: with two gVisor releases, what an upgrade changes. */
function renderVerdictChanges(report: RunReport, view: ReportView): SafeHtml | '' {
  const sandboxes = view.runtimes.filter((runtime) => !runtime.baseline).map((runtime) => runtime.name);
  const changes = report.verdictChanges ?? verdictChanges(report.verdicts, sandboxes);
  if (changes.length === 0) {
    return '';
  }

  const idOf = new Map(view.tests.map((test) => [JSON.stringify([test.image, test.test]), test.id]));
  const rows = changes.map((change) => {
    const id = idOf.get(JSON.stringify([change.image, change.test]));
    const name = id ? html`<a href="#${id}">${change.image} › ${change.test}</a>` : html`${change.image} › ${change.test}`;
    const cells = sandboxes.map((runtime) => {
      const verdict = change.verdicts[runtime];
      return html`<td>${verdict ? verdictBadge(verdict) : ''}</td>`;
    });
    return html`<tr><th scope="row">${name}</th>${cells}</tr>`;
  });
  const header = sandboxes.map((runtime) => html`<th>${runtime}</th>`);
  return html`<h2>Verdicts that differ between sandbox runtimes</h2><table class="changes"><thead><tr><th>test</th>${header}</tr></thead><tbody>${rows}</tbody></table>`;
}

/** Renders every test, grouped by image, with its verdict or outcome and duration under each runtime. */
function renderTestList(view: ReportView): SafeHtml {
  const baseline = view.runtimes.find((runtime) => runtime.baseline)?.name;
  const header = view.runtimes.map((runtime) => html`<th>${runtime.name}${runtime.baseline ? '' : html` <span class="muted">(vs baseline)</span>`}</th>`);

  const groups = view.images.map((image) => {
    const rows = image.tests.map((test) => renderTestRow(view, test, baseline));
    return html`<tr class="image-row" id="${image.id}"><th colspan="${view.runtimes.length + 1}">${image.image}</th></tr>${rows}`;
  });
  return html`<table class="tests" id="tests"><thead><tr><th>test</th>${header}</tr></thead><tbody>${groups}</tbody></table>`;
}

function renderTestRow(view: ReportView, test: TestRow, baseline: string | undefined): SafeHtml {
  const baselineResult = baseline === undefined ? undefined : test.results.get(baseline);
  const cells = view.runtimes.map((runtime) => {
    const record = test.verdicts.get(runtime.name);
    const result = record?.sandbox ?? test.results.get(runtime.name);
    if (!result) {
      return html`<td class="run"></td>`;
    }
    const status = record ? verdictBadge(record.verdict) : outcomeBadge(result.outcome);
    return html`<td class="run">${status}${slowBadge(record?.timing)}<span class="duration">${durationText(result, baselineResult, record?.timing)}</span></td>`;
  });

  const allCompatible = [...test.verdicts.values()].every((record) => record.verdict === 'compatible') && baselineResult?.outcome === 'passed';
  return html`<tr data-panel="${test.id}"${allCompatible ? html` class="all-compatible"` : ''}><th scope="row"><a href="#${test.id}">${test.test}</a></th>${cells}</tr>`;
}
