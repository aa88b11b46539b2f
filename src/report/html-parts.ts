import { CELL_LABELS } from './summary.js';
import { html, type SafeHtml } from './html-text.js';
import { formatRatio, type TimingComparison } from './timing.js';
import type { Outcome, TestRunResult, Verdict } from './types.js';

/** Verdict meanings for the legend, as the README's verdict table states them. */
export const VERDICT_MEANINGS: Record<Verdict, string> = {
  compatible: 'passes under the baseline and the sandbox',
  'syscall-incompatible': 'fails under the sandbox only, and runsc reported unsupported syscalls',
  'behavior-diff': 'fails under the sandbox only without syscall evidence, or a compared value differs',
  'sandbox-crash': 'the sandbox died: a sentry or gofer panic, a killed sandbox or gofer, or a lost sandbox connection',
  'baseline-failure': 'fails under the baseline too: the test or the image is broken, not gVisor',
  known: 'a failure listed under known: reproduced',
  fixed: 'a known: entry passes now: remove it',
  flaky: 'the outcome changed between retries',
  'not-run': 'the sandbox or the baseline test did not run',
};

export function verdictBadge(verdict: Verdict): SafeHtml {
  return html`<span class="badge v-${verdict}">${verdict}</span>`;
}

/** Renders a badge with a count and the short verdict name, and with the full name as its title. */
export function verdictCountBadge(verdict: Verdict, count: number): SafeHtml {
  return html`<span class="badge v-${verdict}" title="${count} ${verdict}">${count} ${CELL_LABELS[verdict]}</span>`;
}

export function outcomeBadge(outcome: Outcome): SafeHtml {
  return html`<span class="badge o-${outcome}">${outcome}</span>`;
}

/** Formats milliseconds for people: `850 ms`, `1.7 s`, `2 min 5 s`. */
export function formatDuration(milliseconds: number): string {
  if (milliseconds < 1000) {
    return `${Math.round(milliseconds)} ms`;
  }
  if (milliseconds < 60_000) {
    return `${(milliseconds / 1000).toFixed(1)} s`;
  }
  const seconds = Math.round(milliseconds / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/**
 * Formats a sandbox duration against the baseline's as a factor (`×1.42`), or returns
 * undefined when either test did not run or the baseline took no measurable time.
 */
export function durationFactor(sandbox: TestRunResult, baseline: TestRunResult | undefined): string | undefined {
  if (!baseline || !ran(sandbox) || !ran(baseline) || baseline.durationMs <= 0) {
    return undefined;
  }
  return `×${(sandbox.durationMs / baseline.durationMs).toFixed(2)}`;
}

/**
 * Formats the duration of a result with its ratios against the baseline: those of the
 * check and the container start when the verdict compared timing, else the factor of the
 * whole test.
 */
export function durationText(result: TestRunResult, baseline: TestRunResult | undefined, timing?: TimingComparison): string {
  if (!ran(result)) {
    return '';
  }
  if (timing && result !== baseline) {
    return `${formatDuration(result.durationMs)} (check ${formatRatio(timing.checkRatio)}, start ${formatRatio(timing.startRatio)})`;
  }
  const factor = result === baseline ? undefined : durationFactor(result, baseline);
  return factor ? `${formatDuration(result.durationMs)} (${factor})` : formatDuration(result.durationMs);
}

/** Renders a `slow` badge when the check's ratio exceeds the test's slowRatio. */
export function slowBadge(timing: TimingComparison | undefined): SafeHtml | '' {
  if (!timing?.slow || timing.checkRatio === undefined) {
    return '';
  }
  return html`<span class="badge slow" title="the check took ${formatRatio(timing.checkRatio)} the baseline's time, above slowRatio ${timing.slowRatio ?? ''}">slow</span>`;
}

function ran(result: TestRunResult): boolean {
  return result.outcome !== 'skipped' && result.outcome !== 'interrupted';
}
