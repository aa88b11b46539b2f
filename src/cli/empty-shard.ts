import type { Matrix } from '../matrix/types.js';
import { newRunId } from '../engine/session.js';
import { toRuntimeInfo } from '../report/reporter.js';
import type { RunReport, RunScope, RuntimeInfo } from '../report/types.js';
import { writeReports, type WrittenReports } from '../report/write-reports.js';

/**
 * Writes the reports of a shard that got no images, as when a run has more shards than
 * images: the report files of `gvmatrix run`, without tests. They still record the runtimes and
 * the scope, so `gvmatrix merge` checks this shard against the others like any shard.
 */
export async function writeEmptyShardReports(
  reportsDir: string,
  matrix: Matrix,
  runtimes: readonly RuntimeInfo[],
  scope: RunScope,
): Promise<{ report: RunReport; written: WrittenReports }> {
  const now = new Date();
  const report: RunReport = {
    runId: newRunId(now),
    matrixFile: matrix.file,
    startedAt: now.toISOString(),
    finishedAt: now.toISOString(),
    runtimes: runtimes.map(toRuntimeInfo),
    results: [],
    verdicts: [],
    verdictChanges: [],
    ...scope,
    known: matrix.known,
  };
  const written = await writeReports(reportsDir, report);
  return { report, written };
}
