import { firstLine } from './first-line.js';
import { formatDuration } from './html-parts.js';
import { html, type SafeHtml } from './html-text.js';
import type { StepRecord, TestRunResult } from './types.js';

/** Characters of a step's first line that the table shows; the full text is in results.json. */
const MAX_LINE_LENGTH = 200;

/**
 * Renders what each step of a steps test observed under one runtime: a row per step with
 * its exit code or the file owner a stat step saw, its duration, and the first line of its
 * error or output. Each runtime card shows its own table, so the baseline's steps and the
 * sandbox's are read one after the other.
 */
export function renderSteps(result: TestRunResult): SafeHtml | '' {
  const steps = result.steps ?? [];
  if (steps.length === 0) {
    return '';
  }

  const rows = steps.map(
    (step) =>
      html`<tr class="${step.error === undefined ? '' : 'failed'}"><td>${step.index}${step.name === undefined ? '' : html` <code>${step.name}</code>`}</td><td><code>${step.description}</code>${step.background ? html` <span class="muted">background</span>` : ''}</td><td>${stepResult(step)}</td><td>${formatDuration(step.durationMs)}</td><td><code>${stepExcerpt(step)}</code></td></tr>`,
  );
  return html`<h4>Steps</h4><table class="steps"><thead><tr><th>step</th><th>kind and target</th><th title="exit code of an exec step, or container-side owner of a stat step">exit code or owner</th><th>duration</th><th title="first line of the error, else of stdout, else of stderr">first line</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** Returns the exit code of an exec step, `uid:gid` for a host stat step, or `-`. */
function stepResult(step: StepRecord): string {
  if (step.exitCode !== undefined) {
    return `exit ${step.exitCode}`;
  }
  if (step.containerUid !== undefined || step.containerGid !== undefined) {
    return `owner ${step.containerUid ?? '?'}:${step.containerGid ?? '?'}`;
  }
  return '-';
}

/** Returns the first line of the step's error, stdout or stderr, the first present, with the stream named. */
function stepExcerpt(step: StepRecord): string {
  const sources: [string, string | undefined][] = [
    ['error', step.error],
    ['stdout', step.stdout],
    ['stderr', step.stderr],
  ];
  for (const [label, text] of sources) {
    const line = text === undefined ? '' : firstLine(text);
    if (line !== '') {
      return `${label}: ${line.length > MAX_LINE_LENGTH ? `${line.slice(0, MAX_LINE_LENGTH)}...` : line}`;
    }
  }
  return '';
}
