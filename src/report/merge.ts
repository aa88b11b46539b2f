import { compareText } from './compare-text.js';
import {
  MergeConflictError,
  checkCoverage,
  checkDistinctRuns,
  checkDistinctShards,
  checkSameMatrix,
  checkSameRuntimes,
  checkSameSelection,
  collectResults,
  describeInput,
  requireScope,
  type ReportInput,
  type ScopedInput,
} from './merge-checks.js';
import { pairResults } from './pairing.js';
import type { MergeSource, RunReport, RuntimeInfo } from './types.js';
import { verdictChanges } from './upgrade.js';

export { MergeConflictError, type ReportInput } from './merge-checks.js';

/**
 * Merges the reports of the shards of one run into the report an unsharded run would
 * have written. The verdicts are not copied from the shards. Instead the results of all
 * shards are paired again with their baselines and the matrix's `known:` entries, so a
 * test whose baseline and sandbox results came from different reports still gets its real
 * verdict.
 * Throws MergeConflictError when the reports come from different matrix files, runtimes
 * or image selections, repeat a shard or a result, or leave out selected images.
 */
export function mergeReports(inputs: readonly ReportInput[], runId: string): RunReport {
  if (inputs.length === 0) {
    throw new MergeConflictError('no reports to merge: pass at least one reports folder');
  }

  const scoped = inputs.map(requireScope).sort(compareInputs);
  checkDistinctRuns(scoped);
  checkSameMatrix(scoped);
  checkSameRuntimes(scoped);
  checkSameSelection(scoped);
  checkDistinctShards(scoped);
  const results = collectResults(scoped);
  checkCoverage(scoped);

  const first = scoped[0] as ScopedInput;
  const runtimes = first.report.runtimes;
  const baseline = findBaseline(first, runtimes);
  results.sort((a, b) => compareText(a.image, b.image) || compareText(a.test, b.test) || compareText(a.runtime, b.runtime));
  const verdicts = pairResults(results, baseline.name, first.report.known);
  const sandboxes = runtimes.filter((runtime) => !runtime.baseline).map((runtime) => runtime.name);

  const report: RunReport = {
    runId,
    matrixFile: first.report.matrixFile,
    startedAt: earliest(scoped.map((input) => input.report.startedAt)),
    finishedAt: latest(scoped.map((input) => input.report.finishedAt)),
    runtimes,
    results,
    verdicts,
    verdictChanges: verdictChanges(verdicts, sandboxes),
  };
  const missingSupportTables = Object.assign({}, ...scoped.map((input) => input.report.missingSupportTables ?? {})) as Record<string, string>;
  if (Object.keys(missingSupportTables).length > 0) {
    report.missingSupportTables = missingSupportTables;
  }
  report.matrixDigest = first.report.matrixDigest;
  report.images = first.report.selectedImages;
  report.selectedImages = first.report.selectedImages;
  report.known = first.report.known;
  report.mergedFrom = scoped.map(toMergeSource);
  return report;
}

/** Orders inputs by shard index, unsharded reports last, then by folder, so the merge does not depend on argument order. */
function compareInputs(a: ScopedInput, b: ScopedInput): number {
  const indexA = a.report.shard?.index ?? Number.MAX_SAFE_INTEGER;
  const indexB = b.report.shard?.index ?? Number.MAX_SAFE_INTEGER;
  return indexA - indexB || compareText(a.folder, b.folder);
}

function findBaseline(input: ScopedInput, runtimes: readonly RuntimeInfo[]): RuntimeInfo {
  const baselines = runtimes.filter((runtime) => runtime.baseline);
  if (baselines.length !== 1 || !baselines[0]) {
    throw new MergeConflictError(
      `${describeInput(input)} lists ${baselines.length} baseline runtimes among ${runtimes.map((runtime) => runtime.name).join(', ')}, but pairing needs exactly one; is its results.json from gvmatrix?`,
    );
  }
  return baselines[0];
}

function toMergeSource(input: ScopedInput): MergeSource {
  const source: MergeSource = { folder: input.folder, runId: input.report.runId, images: input.report.images };
  if (input.report.shard) {
    source.shard = input.report.shard;
  }
  return source;
}

/** ISO 8601 times in UTC sort as text. */
function earliest(times: readonly string[]): string {
  return [...times].sort(compareText)[0] ?? '';
}

function latest(times: readonly string[]): string {
  return [...times].sort(compareText).at(-1) ?? '';
}
