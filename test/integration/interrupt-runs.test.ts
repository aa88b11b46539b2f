/**
 * The interruption check of scripts/interrupt-runs.ts in small. Four runs of the fixture
 * matrix are interrupted with SIGINT and SIGKILL in turn at the first four stages. A
 * SIGINTed run must leave nothing once it exits, a SIGKILLed one nothing after `gvmatrix
 * clean` or another run's sweep, and no run may tear the reports. Needs root, podman,
 * runc and runsc.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatLeftovers, interruptRun, planInterruptions, repoRoot, runProblems, totalLeftovers, type InterruptedRun, type StageTimes } from '../../scripts/interrupt-harness.js';

const fixtureMatrix = join(repoRoot, 'test/fixtures/integration/matrix.yaml');
const SEED = 20261204;

// A SIGINT while gvmatrix still loads the matrix ends it by the signal, before it has
// created anything, so such a run has no exit status but must leave nothing either.
// Stage starts of an uninterrupted fixture run on this project's build machine, in
// seconds. The harness waits for each stage's first output line, so these only scale
// how far into a stage the signal lands.
const STAGE_TIMES: StageTimes = { preflight: 0, 'image check': 1.1, 'endpoint start': 2.7, 'container start': 8.5, 'mid-test': 14 };

/**
 * Returns the problems runProblems finds, but for the lock of a run that another gvmatrix
 * swept before this test's cleanup. Other checkouts on a shared machine may run an
 * older gvmatrix, whose sweep leaves the lock to the next run on the folder.
 */
function problemsOf(run: InterruptedRun): string[] {
  const problems = runProblems(run);
  const left = run.leftoversAfterCleanup;
  if (run.cleanupFoundRun === false && left && totalLeftovers(left) === left.lock) {
    return problems.filter((problem) => !problem.startsWith('left after'));
  }
  return problems;
}

describe('interrupted runs', () => {
  let root: string;
  const runs: InterruptedRun[] = [];

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('leave nothing after cleanup', { timeout: 240_000 }, async () => {
    root = await mkdtemp(join(tmpdir(), 'gvmatrix-it-interrupt-'));
    const options = {
      runArgs: ['run', '--matrix', fixtureMatrix],
      imageCount: 2,
      reportsDir: join(root, 'reports'),
      scratchDir: join(root, 'sweep-reports'),
      times: STAGE_TIMES,
      total: 30,
    };

    for (const plan of planInterruptions(4, SEED)) {
      runs.push(await interruptRun(plan, options));
    }

    assert.deepEqual(runs.map((run) => `${run.signal} ${run.stage}`), ['SIGINT preflight', 'SIGKILL image check', 'SIGINT endpoint start', 'SIGKILL container start']);
    for (const run of runs) {
      const label = `run ${run.index} (${run.signal} in ${run.reached}, run id ${run.runId ?? 'unknown'})`;
      assert.deepEqual(problemsOf(run), [], `${label}\n${run.output}\n${run.cleanupOutput}`);
      if (run.signal === 'SIGINT' && run.signalAt !== undefined && run.exitSignal !== 'SIGINT') {
        assert.equal(run.exitCode, 130, `${label} exit status\n${run.output}`);
      }
      assert.notEqual(run.reportsAfter.kind, 'torn', label);
    }
  });

  test('SIGKILL leaves what cleanup removes', () => {
    const killed = runs.filter((run) => run.signal === 'SIGKILL' && run.signalAt !== undefined);
    assert.equal(killed.length, 2);
    for (const run of killed) {
      assert.ok(run.leftoversAtExit, `run ${run.index}: no run id`);
      assert.ok(run.leftoversAfterCleanup, `run ${run.index}: not counted after cleanup`);
      assert.ok(totalLeftovers(run.leftoversAtExit) > 0, `run ${run.index} in ${run.reached} left nothing, so cleanup was not tested`);
      assert.deepEqual(problemsOf(run), [], `run ${run.index}: ${formatLeftovers(run.leftoversAfterCleanup)}\n${run.cleanupOutput}`);
    }
  });
});
