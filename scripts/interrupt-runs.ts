/**
 * Interrupts gvmatrix runs at random points and counts what they leave behind.
 *
 *   node dist/scripts/interrupt-runs.js [--runs 20] [--seed N] [--matrix FILE] [--image NAME]... [--reports DIR]
 *
 * It runs the matrix once without interruption to learn when each stage starts. Then it
 * runs it --runs times and sends SIGINT and SIGKILL in turn at a seeded random point of
 * each stage: preflight, image check, endpoint start, container start, mid-test, report
 * writing and teardown. It prints a table and a total, and exits 1 when a SIGINTed run left
 * anything, a SIGKILLed run left anything after `gvmatrix clean` or another run's sweep,
 * or a report file is torn. docs/reliability.md describes the checks and a full result.
 * Needs root and rootful Podman, like the integration tests.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { calibrate, formatTable, interruptRun, planInterruptions, repoRoot, runProblems, STAGES, stageLength, type InterruptedRun } from './interrupt-harness.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    seed: { type: 'string' },
    matrix: { type: 'string', default: join(repoRoot, 'test/fixtures/integration/matrix.yaml') },
    image: { type: 'string', multiple: true },
    reports: { type: 'string' },
    json: { type: 'string' },
  },
});

const runs = Number(values.runs);
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) {
  process.stderr.write(`interrupt-runs: invalid --runs ${values.runs} or --seed ${values.seed}: both must be whole numbers, --runs at least 1\n`);
  process.exit(2);
}

const images = values.image ?? [];
const runArgs = ['run', '--matrix', values.matrix, ...images.flatMap((image) => ['--image', image])];
// The fixture matrix has two images; with --image the count is known.
const imageCount = images.length > 0 ? images.length : 2;
const reportsDir = values.reports ?? (await mkdtemp(join(tmpdir(), 'gvmatrix-interrupt-')));
const scratchDir = join(reportsDir, '..', `${reportsDir.split('/').pop()}-sweep`);
await mkdir(reportsDir, { recursive: true });

const log = (message: string) => process.stderr.write(`interrupt-runs: ${message}\n`);
log(`seed ${seed} (repeat with --seed ${seed}), ${runs} runs of gvmatrix ${runArgs.join(' ')}, reports in ${reportsDir}`);

const calibration = await calibrate(runArgs, reportsDir);
log(
  `calibration run: exit ${calibration.exitCode}, ${calibration.total.toFixed(1)} s; stages: ` +
    STAGES.map((stage) => `${stage} ${calibration.times[stage]?.toFixed(2) ?? '?'} s (+${stageLength(calibration.times, calibration.total, stage).toFixed(2)})`).join(', '),
);

const results: InterruptedRun[] = [];
for (const plan of planInterruptions(runs, seed)) {
  results.push(await interruptRun(plan, { runArgs, imageCount, reportsDir, scratchDir, times: calibration.times, total: calibration.total, log }));
  const problems = runProblems(results.at(-1) as InterruptedRun);
  if (problems.length > 0) {
    log(`run ${plan.index}: ${problems.join('; ')}`);
  }
}

process.stdout.write(`seed ${seed}\n${formatTable(results)}\n`);
if (values.json) {
  await writeFile(values.json, JSON.stringify({ seed, calibration, results }, null, 2));
}
if (!values.reports) {
  await rm(reportsDir, { recursive: true, force: true });
}
process.exitCode = results.some((run) => runProblems(run).length > 0) ? 1 : 0;
