import { BENIGN_SYSCALLS } from '../evidence/benign.js';
import { decodeFinding } from '../evidence/decode.js';
import type { SandboxPanic, UnsupportedSyscall } from '../evidence/types.js';
import { durationFactor, formatDuration, outcomeBadge, slowBadge, verdictBadge } from './html-parts.js';
import { renderSteps } from './html-steps.js';
import { formatRatio } from './timing.js';
import { html, type SafeHtml } from './html-text.js';
import type { ReportView, RuntimeColumn, TestRow } from './report-view.js';
import type { ObservedDifference, TestRunResult, VerdictRecord } from './types.js';

/**
 * Renders the detail panel of one test: durations under every runtime, then a card per
 * runtime with its verdict or outcome, message, unsupported syscalls, the records of a
 * steps test, compared values that differ, sentry panics and errors.
 */
export function renderTestPanel(view: ReportView, test: TestRow): SafeHtml {
  const baselineColumn = view.runtimes.find((runtime) => runtime.baseline);
  const baseline = baselineColumn ? test.results.get(baselineColumn.name) : undefined;
  const source = test.source === 'suite' ? `suite ${test.file ?? ''}`.trim() : 'matrix test';

  const cards = view.runtimes.flatMap((runtime) => {
    const record = test.verdicts.get(runtime.name);
    const result = record?.sandbox ?? test.results.get(runtime.name);
    return result ? [renderRuntimeCard(runtime, result, record)] : [];
  });

  return html`<section class="panel test-panel" id="${test.id}" aria-label="${test.image} › ${test.test}">
<header><div><h2>${test.image} › ${test.test}</h2><p class="meta"><span>${source}</span></p></div><a class="close" href="#closed" aria-label="Close">×</a></header>
<h3>Durations</h3>
${renderDurations(view, test, baseline)}
${cards}
</section>`;
}

function renderDurations(view: ReportView, test: TestRow, baseline: TestRunResult | undefined): SafeHtml {
  const rows = view.runtimes.flatMap((runtime) => {
    const result = test.verdicts.get(runtime.name)?.sandbox ?? test.results.get(runtime.name);
    if (!result) {
      return [];
    }
    const comparison = test.verdicts.get(runtime.name)?.timing;
    const factor = result === baseline ? 'baseline' : (durationFactor(result, baseline) ?? '');
    const ratios =
      result === baseline
        ? html`<td>baseline</td><td>baseline</td>`
        : html`<td>${formatRatio(comparison?.checkRatio)}${slowBadge(comparison)}</td><td>${formatRatio(comparison?.startRatio)}</td>`;
    return [
      html`<tr><th scope="row">${runtime.name}</th><td>${outcomeBadge(result.outcome)}</td><td>${result.attempts.join(', ')}</td><td>${formatDuration(result.durationMs)}</td><td>${factor}</td><td>${optionalDuration(result.timing?.startMs)}</td><td>${optionalDuration(result.timing?.readyMs)}</td><td>${optionalDuration(result.timing?.checkMs)}</td>${ratios}</tr>`,
    ];
  });
  return html`<table class="durations"><thead><tr><th>runtime</th><th>outcome</th><th>tries</th><th>duration</th><th>vs baseline</th><th title="create and start until the container runs">start</th><th title="the image's wait: check">ready wait</th><th title="the test's own check">check</th><th title="sandbox/baseline check duration">check ratio</th><th title="sandbox/baseline start until ready">start ratio</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function optionalDuration(milliseconds: number | undefined): string {
  return milliseconds === undefined ? '-' : formatDuration(milliseconds);
}

function renderRuntimeCard(runtime: RuntimeColumn, result: TestRunResult, record: VerdictRecord | undefined): SafeHtml {
  const status = record ? verdictBadge(record.verdict) : outcomeBadge(result.outcome);
  const cardClass = record ? `v-${record.verdict}` : `o-${result.outcome}`;
  const version = runtime.info ? html`<span class="muted">${runtime.info.version}</span>` : '';
  const message = record ? html`<p class="message">${record.message}</p>` : '';

  return html`<article class="runtime-card ${cardClass}" data-runtime="${runtime.name}">
<h3><span>${runtime.name}</span>${status}${version}</h3>
${message}
${renderFindings(result.evidence.unsupportedSyscalls)}
${renderSteps(result)}
${renderDifferences(record?.differences ?? [], record?.baselineResult?.runtime ?? 'baseline', result.runtime)}
${renderPanics(result.evidence.panics)}
${result.error ? html`<h4>Error</h4><pre>${result.error}</pre>` : ''}
${renderFailedTries(result)}
${record && record.details !== '' ? html`<details><summary>Full details, as in the JUnit body</summary><pre>${record.details}</pre></details>` : ''}
${renderEvidenceFiles(result)}
</article>`;
}

interface FindingRow {
  feature: string;
  /** Each distinct call as runsc logged it: `ioctl(0x1,0x5412,...)`. */
  logged: Set<string>;
  support?: UnsupportedSyscall['support'];
  count: number;
  benignReason?: string;
}

/** Renders a test's unsupported syscalls once per decoded feature, with gVisor's support level and note. */
function renderFindings(findings: readonly UnsupportedSyscall[]): SafeHtml | '' {
  if (findings.length === 0) {
    return '';
  }

  const rows = new Map<string, FindingRow>();
  for (const finding of findings) {
    const decoded = decodeFinding(finding);
    const row = rows.get(decoded.key) ?? { feature: decoded.feature ?? decoded.name, logged: new Set<string>(), count: 0 };
    row.logged.add(`${finding.loggedName ?? finding.name}(${finding.args.join(',')})`);
    row.count += 1;
    if (finding.support && !row.support) {
      row.support = finding.support;
    }
    const benignReason = BENIGN_SYSCALLS.get(finding.name);
    if (benignReason !== undefined) {
      row.benignReason = benignReason;
    }
    rows.set(decoded.key, row);
  }

  const body = [...rows.values()].map((row) => {
    const logged = [...row.logged];
    const firstCalls = logged.slice(0, 3).join('\n');
    const more = logged.length > 3 ? `\n(${logged.length - 3} more)` : '';
    const benign = row.benignReason ? html`<div class="benign">benign: ${row.benignReason}</div>` : '';
    return html`<tr><td><code>${row.feature}</code>${benign}</td><td>${row.support ? row.support.level : html`<span class="muted">not recorded</span>`}</td><td>${row.support?.note ?? ''}</td><td>${row.count}</td><td><code>${firstCalls}${more}</code></td></tr>`;
  });
  return html`<h4>Unsupported syscalls</h4><table class="findings"><thead><tr><th>call</th><th>gVisor support</th><th>note</th><th>times</th><th>as logged</th></tr></thead><tbody>${body}</tbody></table>`;
}

/** Renders the compared values that differ: both excerpts, then a table of differing calls or a coloured unified diff. */
function renderDifferences(differences: readonly ObservedDifference[], baselineRuntime: string, sandboxRuntime: string): SafeHtml | '' {
  if (differences.length === 0) {
    return '';
  }

  const blocks = differences.map((difference) => {
    const excerpts = html`<p class="meta"><span>${baselineRuntime}: ${difference.baselineExcerpt}</span><span>${sandboxRuntime}: ${difference.sandboxExcerpt}</span></p>`;
    if (difference.calls) {
      const rows = difference.calls.map((call) => html`<tr><td><code>${call.call}</code></td><td><code>${call.baseline}</code></td><td><code>${call.sandbox}</code></td></tr>`);
      const cut = difference.callsCut ? html`<p class="muted">${difference.callsCut} more differing calls left out</p>` : '';
      return html`<h5>${difference.observable}</h5>${excerpts}<table class="calls"><thead><tr><th>${difference.callField ?? 'call'}</th><th>${baselineRuntime}</th><th>${sandboxRuntime}</th></tr></thead><tbody>${rows}</tbody></table>${cut}`;
    }
    return html`<h5>${difference.observable}</h5>${excerpts}${difference.diff ? html`<pre class="diff">${renderDiffLines(difference.diff)}</pre>` : ''}`;
  });
  return html`<h4>Compared values that differ</h4>${blocks}`;
}

function renderDiffLines(diff: string): SafeHtml[] {
  return diff.split('\n').map((line) => {
    const lineClass = diffLineClass(line);
    return lineClass === undefined ? html`${line}\n` : html`<span class="${lineClass}">${line}</span>\n`;
  });
}

/** Returns the style class of a unified diff line: a hunk header, an added or a removed line. File headers get none. */
function diffLineClass(line: string): string | undefined {
  if (line.startsWith('@@')) {
    return 'hunk';
  }
  if (line.startsWith('+') && !line.startsWith('+++')) {
    return 'add';
  }
  if (line.startsWith('-') && !line.startsWith('---')) {
    return 'del';
  }
  return undefined;
}

function renderPanics(panics: readonly SandboxPanic[]): SafeHtml | '' {
  if (panics.length === 0) {
    return '';
  }

  const blocks = panics.map(
    (panic) => html`<pre>${[panic.message, ...panic.frames].join('\n')}</pre><p class="meta"><span>container ${panic.containerId}</span><span>${panic.logFile}</span></p>`,
  );
  return html`<h4>Sandbox crash</h4>${blocks}`;
}

function renderFailedTries(result: TestRunResult): SafeHtml | '' {
  const tries = result.failedTries ?? [];
  if (tries.length === 0) {
    return '';
  }

  const blocks = tries.map((failedTry) => html`<p>try ${failedTry.attempt}: ${failedTry.outcome}, ${formatDuration(failedTry.durationMs)}</p>${failedTry.error ? html`<pre>${failedTry.error}</pre>` : ''}`);
  return html`<details><summary>${tries.length} failed ${tries.length === 1 ? 'try' : 'tries'}</summary>${blocks}</details>`;
}

function renderEvidenceFiles(result: TestRunResult): SafeHtml | '' {
  const containers = [...new Set(result.evidence.containerIds)];
  const logs = [...new Set(result.evidence.logFiles)];
  if (containers.length === 0 && logs.length === 0) {
    return '';
  }
  return html`<details><summary>Containers and runsc logs</summary><pre>${[...containers.map((id) => `container ${id}`), ...logs].join('\n')}</pre></details>`;
}
