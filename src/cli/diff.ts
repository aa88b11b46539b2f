/**
 * `gvmatrix diff OLD NEW [--json]`: compares the verdicts of two runs, such as the runs
 * before and after an image or gVisor upgrade, and fails when a test got worse.
 */
import { diffResults } from '../report/results-diff.js';
import { formatResultsDiff } from '../report/results-diff-text.js';
import { EXIT } from './exit-status.js';
import { readResults } from './results-input.js';

export interface DiffOptions {
  json?: boolean;
}

/**
 * Prints what changed between two results.json files (or reports folders) and returns the
 * exit status: 1 when a verdict got worse, else 0. Unreadable input throws UsageError (2).
 */
export async function runDiff(oldPath: string, newPath: string, options: DiffOptions, stdout: NodeJS.WritableStream = process.stdout): Promise<number> {
  const oldInput = await readResults(oldPath);
  const newInput = await readResults(newPath);

  const diff = diffResults(oldInput.report, newInput.report);
  const worse = diff.changes.filter((change) => change.kind === 'worse').length;
  const exitCode = worse > 0 ? EXIT.gateFailed : EXIT.ok;

  const oldLabel = { file: oldInput.file, runId: oldInput.report.runId };
  const newLabel = { file: newInput.file, runId: newInput.report.runId };
  if (options.json) {
    stdout.write(`${JSON.stringify({ old: oldLabel, new: newLabel, worse, exitCode, ...diff }, null, 2)}\n`);
  } else {
    stdout.write(formatResultsDiff(diff, oldLabel, newLabel, exitCode));
  }
  return exitCode;
}
