import { formatSweptRun, sweepDeadRuns } from '../engine/run-sweep.js';
import { runRecordDir } from '../engine/run-record.js';
import { EXIT } from './exit-status.js';
import { releaseDeadRunLock } from './reports-lock.js';
import { progress } from './progress.js';

/**
 * Runs `gvmatrix clean`: removes the containers, API services, socket folders and records
 * of runs whose gvmatrix process is gone, one line per run on stdout. Returns 0, or 3
 * when a run's resources could not all be removed (its record stays for the next try).
 */
export async function runClean(options: { dryRun: boolean }): Promise<number> {
  const result = await sweepDeadRuns({ dryRun: options.dryRun, releaseLock: releaseDeadRunLock });

  for (const run of result.swept) {
    process.stdout.write(`${formatSweptRun(run, options.dryRun)}\n`);
  }
  for (const runId of result.live) {
    progress(`run ${runId} is still running; its resources are left alone`);
  }
  for (const file of result.invalidRecords) {
    progress(`${file} is not a valid run record and was left in place; remove it by hand once no gvmatrix run uses its run id`);
  }
  if (result.swept.length === 0) {
    progress(`no resources of killed runs found (run records in ${runRecordDir()})`);
  }

  return result.swept.some((run) => run.error) ? EXIT.environment : EXIT.ok;
}
