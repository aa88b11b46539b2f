import { join, resolve } from 'node:path';
import { newRunId } from '../engine/session.js';
import { formatShard } from '../driver/shard.js';
import type { FailOnPolicy } from '../report/gate.js';
import { MergeConflictError, mergeReports, type ReportInput } from '../report/merge.js';
import { RESULTS_FILE } from '../report/reporter.js';
import type { RunReport } from '../report/types.js';
import { writeReports } from '../report/write-reports.js';
import { UsageError } from './exit-status.js';
import { progress } from './progress.js';
import { readResults } from './results-input.js';
import { printRunResult } from './run-output.js';
import { outputOptions } from './run-command.js';

export interface MergeOptions {
  /** Folder for the merged report files. */
  reports: string;
  /** The gate policy, as for `gvmatrix run --fail-on`. */
  failOn: FailOnPolicy;
  /** As for `gvmatrix run --fail-on-slow`. */
  failOnSlow?: number;
  /** Prints the merged report and the gate decision as JSON on stdout instead of the summary. */
  json?: boolean;
}

/**
 * Merges the results.json of each shard's reports folder into one report, writes the same
 * report files as `gvmatrix run`, and prints the summary and the gate decision as `run`
 * does, returning the same exit status. Inputs that cannot be merged raise
 * a UsageError (exit status 2) before anything is written.
 */
export async function runMerge(folders: readonly string[], options: MergeOptions): Promise<number> {
  const outputDir = resolve(options.reports);
  const inputs: ReportInput[] = [];
  for (const folder of folders) {
    const input = await readResults(folder);
    if (input.file === join(outputDir, RESULTS_FILE)) {
      throw new UsageError(
        `--reports ${outputDir} is the folder of the input ${input.file}, and the merged results.json would replace it; choose another folder for --reports`,
      );
    }
    inputs.push({ folder, report: input.report });
  }

  let report: RunReport;
  try {
    report = mergeReports(inputs, newRunId());
  } catch (error) {
    if (error instanceof MergeConflictError) {
      throw new UsageError(`cannot merge: ${error.message}`);
    }
    throw error;
  }

  const written = await writeReports(outputDir, report);
  const sources = (report.mergedFrom ?? []).map((source) => (source.shard ? `shard ${formatShard(source.shard)}` : `run ${source.runId}`));
  progress(`merged ${sources.join(', ')} into run ${report.runId}: ${report.results.length} results, ${report.verdicts.length} verdicts`);
  return printRunResult(report, report.known ?? [], [written.junit, written.results, written.html], outputOptions(options));
}
