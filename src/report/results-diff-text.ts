import type { ResultsDiff, OneSidedVerdict } from './results-diff.js';
import { formatColumns } from './summary.js';

/** Names one result set in the text: its file and run id. */
export interface ResultsLabel {
  file: string;
  runId: string;
}

/**
 * Formats a diff for the terminal: the changed verdicts with the new message, the tests
 * found in one result set only, the runtime versions that changed, and a closing line
 * with the counts.
 */
export function formatResultsDiff(diff: ResultsDiff, oldLabel: ResultsLabel, newLabel: ResultsLabel, exitCode: number): string {
  const sections = [
    `old: ${oldLabel.file} (run ${oldLabel.runId})\nnew: ${newLabel.file} (run ${newLabel.runId})`,
    formatVersions(diff),
    formatChanges(diff),
    formatOneSided('Only in old:', diff.onlyInOld),
    formatOneSided('Only in new:', diff.onlyInNew),
    formatDiffLine(diff, exitCode),
  ];
  return `${sections.filter((section) => section !== '').join('\n\n')}\n`;
}

/**
 * Formats the closing line, keyed like the result line of `gvmatrix run`:
 * `gvmatrix-diff: worse=1 better=0 changed=2 only-old=0 only-new=3 exit=1`.
 */
export function formatDiffLine(diff: ResultsDiff, exitCode: number): string {
  const count = (kind: string) => diff.changes.filter((change) => change.kind === kind).length;
  return [
    'gvmatrix-diff:',
    `worse=${count('worse')}`,
    `better=${count('better')}`,
    `changed=${count('changed')}`,
    `only-old=${diff.onlyInOld.length}`,
    `only-new=${diff.onlyInNew.length}`,
    `exit=${exitCode}`,
  ].join(' ');
}

function formatVersions(diff: ResultsDiff): string {
  if (diff.runtimeVersions.length === 0) {
    return '';
  }
  const rows = diff.runtimeVersions.map((change) => [change.runtime, `${change.oldVersion} -> ${change.newVersion}`]);
  return `Runtime versions that changed:\n${indent(formatColumns(rows))}`;
}

function formatChanges(diff: ResultsDiff): string {
  if (diff.changes.length === 0) {
    return 'No verdict changed.';
  }
  const rows = diff.changes.map((change) => [
    change.kind,
    change.runtime,
    `${change.image} › ${change.test}`,
    `${change.oldVerdict} -> ${change.newVerdict}`,
    change.message,
  ]);
  return `Verdicts that changed:\n${indent(formatColumns(rows))}`;
}

function formatOneSided(title: string, verdicts: readonly OneSidedVerdict[]): string {
  if (verdicts.length === 0) {
    return '';
  }
  const rows = verdicts.map((verdict) => [verdict.runtime, `${verdict.image} › ${verdict.test}`, verdict.verdict, verdict.message]);
  return `${title}\n${indent(formatColumns(rows))}`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
