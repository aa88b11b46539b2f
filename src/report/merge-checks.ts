import { formatShard } from '../driver/shard.js';
import type { RunReport, RuntimeInfo, TestRunResult } from './types.js';

/** Reports that cannot be merged. The message names the folders in conflict and what to pass instead. */
export class MergeConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MergeConflictError';
  }
}

/** A report together with the folder it was read from, which messages name. */
export interface ReportInput {
  folder: string;
  report: RunReport;
}

/** A report with the fields that merging needs, which reports written before `gvmatrix merge` existed lack. */
export type ScopedReport = RunReport & Required<Pick<RunReport, 'matrixDigest' | 'images' | 'selectedImages' | 'known'>>;

export interface ScopedInput {
  folder: string;
  report: ScopedReport;
}

const SCOPE_FIELDS = ['matrixDigest', 'images', 'selectedImages', 'known'] as const;

/** Checks that a report has the fields merging needs, naming the first one missing. */
export function requireScope(input: ReportInput): ScopedInput {
  for (const field of SCOPE_FIELDS) {
    if (input.report[field] === undefined) {
      throw new MergeConflictError(
        `${describeInput(input)} has no "${field}" field, so it cannot be merged: a gvmatrix version without \`merge\` wrote it. Run that part of the matrix again with this version.`,
      );
    }
  }
  return input as ScopedInput;
}

/** Rejects a run given twice, as when one folder is passed twice. */
export function checkDistinctRuns(inputs: readonly ScopedInput[]): void {
  const seen = new Map<string, ScopedInput>();
  for (const input of inputs) {
    const earlier = seen.get(input.report.runId);
    if (earlier) {
      throw new MergeConflictError(
        `${describeInput(earlier)} and ${describeInput(input)} contain the same run ${input.report.runId}; pass each reports folder once`,
      );
    }
    seen.set(input.report.runId, input);
  }
}

/** Rejects reports of different matrix files, compared by the SHA-256 digest of the file's bytes. */
export function checkSameMatrix(inputs: readonly ScopedInput[]): void {
  const [first, ...rest] = inputs;
  for (const input of rest) {
    if (first && input.report.matrixDigest !== first.report.matrixDigest) {
      throw new MergeConflictError(
        `${describeInput(first)} ran ${first.report.matrixFile} (sha256 ${first.report.matrixDigest.slice(0, 12)}) but ${describeInput(input)} ran ${input.report.matrixFile} (sha256 ${input.report.matrixDigest.slice(0, 12)}); merge only reports of the same matrix file, and run the shards whose matrix differs again`,
      );
    }
  }
}

/** Rejects reports whose runtimes differ in name, kind, baseline, version or flags. Paths may differ between machines. */
export function checkSameRuntimes(inputs: readonly ScopedInput[]): void {
  const [first, ...rest] = inputs;
  for (const input of rest) {
    if (!first) {
      return;
    }
    const difference = describeRuntimeDifference(first, input);
    if (difference) {
      throw new MergeConflictError(difference);
    }
  }
}

function describeRuntimeDifference(a: ScopedInput, b: ScopedInput): string | undefined {
  const namesA = a.report.runtimes.map((runtime) => runtime.name).join(', ');
  const namesB = b.report.runtimes.map((runtime) => runtime.name).join(', ');
  if (namesA !== namesB) {
    return `${describeInput(a)} ran the runtimes ${namesA} but ${describeInput(b)} ran ${namesB}; run every shard with the same --runtime options`;
  }

  for (const [position, runtime] of a.report.runtimes.entries()) {
    const other = b.report.runtimes[position] as RuntimeInfo;
    if (runtimeSignature(runtime) !== runtimeSignature(other)) {
      return `runtime ${runtime.name} differs: ${describeInput(a)} ran "${runtimeSignature(runtime)}" but ${describeInput(b)} ran "${runtimeSignature(other)}"; run every shard with the same runtime versions and flags, rootful or rootless alike`;
    }
  }
  return undefined;
}

function runtimeSignature(runtime: RuntimeInfo): string {
  const role = runtime.baseline ? `${runtime.kind}, baseline` : runtime.kind;
  const flags = runtime.flags.length > 0 ? ` ${runtime.flags.join(' ')}` : '';
  return `${role}: ${runtime.version}${flags}`;
}

/** Rejects reports that selected different images before sharding, through different --image options. */
export function checkSameSelection(inputs: readonly ScopedInput[]): void {
  const [first, ...rest] = inputs;
  for (const input of rest) {
    if (first && input.report.selectedImages.join('\n') !== first.report.selectedImages.join('\n')) {
      throw new MergeConflictError(
        `${describeInput(first)} selected the images ${listNames(first.report.selectedImages)} but ${describeInput(input)} selected ${listNames(input.report.selectedImages)}; run every shard with the same --image options`,
      );
    }
  }
}

/** Rejects a shard given twice, as when two runs of shard 1/2 are passed. */
export function checkDistinctShards(inputs: readonly ScopedInput[]): void {
  const seen = new Map<string, ScopedInput>();
  for (const input of inputs) {
    if (!input.report.shard) {
      continue;
    }
    const shard = formatShard(input.report.shard);
    const earlier = seen.get(shard);
    if (earlier) {
      throw new MergeConflictError(
        `shard ${shard} appears twice: ${describeInput(earlier)} and ${describeInput(input)}; pass one reports folder per shard`,
      );
    }
    seen.set(shard, input);
  }
}

/**
 * Returns the results of every report, rejecting a test that has results under the same
 * runtime in two reports, because merging would have to drop one of them.
 */
export function collectResults(inputs: readonly ScopedInput[]): TestRunResult[] {
  const owners = new Map<string, ScopedInput>();
  const results: TestRunResult[] = [];
  for (const input of inputs) {
    for (const result of input.report.results) {
      const key = JSON.stringify([result.image, result.test, result.runtime]);
      const earlier = owners.get(key);
      if (earlier && earlier !== input) {
        throw new MergeConflictError(
          `${result.image} › ${result.test} under ${result.runtime} has results in both ${describeInput(earlier)} and ${describeInput(input)}; merge reports whose images do not overlap, such as shards 1/N to N/N of one split`,
        );
      }
      owners.set(key, input);
      results.push(result);
    }
  }
  return results;
}

/** Rejects a merge that leaves selected images out, as when a shard's folder is missing. */
export function checkCoverage(inputs: readonly ScopedInput[]): void {
  const covered = new Set(inputs.flatMap((input) => input.report.images));
  const selected = inputs[0]?.report.selectedImages ?? [];
  const missing = selected.filter((image) => !covered.has(image));
  if (missing.length === 0) {
    return;
  }

  const missingShards = findMissingShards(inputs);
  const remedy =
    missingShards.length > 0
      ? `pass the reports folder of shard ${missingShards.join(', ')} as well`
      : 'pass the reports folders of the shards that ran them as well';
  throw new MergeConflictError(
    `the reports cover ${selected.length - missing.length} of the ${selected.length} selected images and leave out ${listNames(missing)}; ${remedy}`,
  );
}

/** Returns the shards `I/N` missing from a set of shards of one total, or nothing when the totals differ. */
function findMissingShards(inputs: readonly ScopedInput[]): string[] {
  const totals = new Set(inputs.map((input) => input.report.shard?.total));
  const [total] = totals;
  if (totals.size !== 1 || total === undefined) {
    return [];
  }

  const present = new Set(inputs.map((input) => input.report.shard?.index));
  const missing: string[] = [];
  for (let index = 1; index <= total; index += 1) {
    if (!present.has(index)) {
      missing.push(`${index}/${total}`);
    }
  }
  return missing;
}

/** Names an input in messages: its folder, then its shard and run id. */
export function describeInput(input: ReportInput): string {
  const shard = input.report.shard ? `shard ${formatShard(input.report.shard)}, ` : '';
  return `${input.folder} (${shard}run ${input.report.runId})`;
}

function listNames(names: readonly string[]): string {
  return names.length > 0 ? names.join(', ') : '(none)';
}
