/**
 * Timeouts at every stage, through the real CLI: containers that never become ready or
 * whose exec never returns, runtimes that hang on create, kill or delete (wrappers from
 * test/fixtures/hang-runtime), and an API service killed during the run. Each run must
 * end within a bound, name the stage, image, runtime and container, write valid reports
 * and leave no containers or service processes. Needs root, podman, runc and runsc.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type Result } from 'execa';
import type { RunReport, TestRunResult } from '../../src/report/types.js';
import { readRunRecords, type RunRecord } from '../../src/engine/run-record.js';
import { findRunServices } from '../../src/engine/run-sweep.js';
import { listRunContainers, socketRoot } from '../../src/engine/session.js';
import { listPids, readCommandLine } from '../../src/engine/process-identity.js';
import { unexplainedErrors, validateAsWritten } from '../unit/junit-schema-check.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const cli = join(repoRoot, 'dist/src/cli/main.js');
const fixtures = join(repoRoot, 'test/fixtures/timeouts');
const hangRuntimeDir = join(repoRoot, 'test/fixtures/hang-runtime');

interface FinishedRun {
  result: Result;
  output: string;
  elapsedMs: number;
  reportsDir: string;
  report: RunReport;
}

const reportDirs: string[] = [];

after(async () => {
  for (const dir of reportDirs) {
    await rm(dir, { recursive: true, force: true });
  }
});

function startRun(matrix: string, reportsDir: string) {
  return execa(process.execPath, [cli, 'run', '--matrix', join(fixtures, matrix), '--reports', reportsDir], {
    reject: false,
    cwd: repoRoot,
    env: { FORCE_COLOR: '0', PATH: `${hangRuntimeDir}:${process.env.PATH ?? ''}` },
  });
}

async function finish(run: ReturnType<typeof startRun>, reportsDir: string, started: number): Promise<FinishedRun> {
  const result = await run;
  const elapsedMs = Date.now() - started;
  const report = JSON.parse(await readFile(join(reportsDir, 'results.json'), 'utf8')) as RunReport;
  return { result, output: `${result.stdout}\n${result.stderr}`, elapsedMs, reportsDir, report };
}

async function runMatrix(matrix: string): Promise<FinishedRun> {
  const reportsDir = await mkdtemp(join(tmpdir(), 'gvmatrix-it-timeouts-'));
  reportDirs.push(reportsDir);
  const started = Date.now();
  return finish(startRun(matrix, reportsDir), reportsDir, started);
}

function resultOf(report: RunReport, image: string, runtime: string, testName?: string): TestRunResult {
  const found = report.results.find((candidate) => candidate.image === image && candidate.runtime === runtime && (testName === undefined || candidate.test === testName));
  assert.ok(found, `no result for ${image} under ${runtime}`);
  return found;
}

/** Checks that junit.xml is valid against the JUnit schema, gvmatrix's extensions aside, and that index.html names the run. */
async function assertReportsValid(run: FinishedRun): Promise<void> {
  assert.deepEqual(unexplainedErrors(validateAsWritten(join(run.reportsDir, 'junit.xml'))), []);
  const html = await readFile(join(run.reportsDir, 'index.html'), 'utf8');
  assert.match(html, new RegExp(run.report.runId));
}

/** Lists processes other than conmon that run a hang-runtime wrapper: a hung runtime command left behind. */
async function hungRuntimeProcesses(): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await listPids()) {
    const argv = await readCommandLine(pid);
    if (argv && basename(argv[0] ?? '') !== 'conmon' && argv.some((arg) => arg.startsWith(hangRuntimeDir))) {
      found.push(`${pid}: ${argv.join(' ')}`);
    }
  }
  return found;
}

async function assertNothingLeft(runId: string): Promise<void> {
  assert.deepEqual(await listRunContainers(runId), [], `containers of run ${runId} remain`);
  const record: RunRecord = { runId, process: { pid: 0, startTime: '0' }, socketDir: socketRoot(runId), servicePids: [] };
  assert.deepEqual(await findRunServices(record), [], `API services of run ${runId} remain`);
  assert.deepEqual(await hungRuntimeProcesses(), []);
}

describe('hung containers', () => {
  test('fail with the stage named', async () => {
    const run = await runMatrix('hung-container.yaml');

    assert.ok(run.elapsedMs < 150_000, `the run took ${run.elapsedMs} ms`);
    assert.equal(run.result.exitCode, 1, run.output);
    for (const runtime of ['runc', 'runsc']) {
      const ready = resultOf(run.report, 'never-ready', runtime);
      assert.equal(ready.outcome, 'failed');
      assert.match(ready.error ?? '', new RegExp(`container start timed out after 4 s: image never-ready, runtime ${runtime}, container [0-9a-f]{12} \\(stage: readiness wait for a TCP connection to port 9\\)`));

      const exec = resultOf(run.report, 'hung-exec', runtime, 'exec never returns');
      assert.equal(exec.outcome, 'failed');
      assert.match(exec.error ?? '', new RegExp(`exec timed out after 4 s: image hung-exec, runtime ${runtime}, container [0-9a-f]{12} \\(stage: check exec \`sleep infinity\`\\)`));

      assert.equal(resultOf(run.report, 'hung-exec', runtime, 'exec returns').outcome, 'passed');
    }
    await assertReportsValid(run);
    await assertNothingLeft(run.report.runId);
  });
});

describe('hung runtimes', () => {
  test('time out and are cleaned up', async () => {
    const run = await runMatrix('hung-runtime.yaml');

    assert.ok(run.elapsedMs < 150_000, `the run took ${run.elapsedMs} ms`);
    assert.equal(run.result.exitCode, 1, run.output);
    assert.equal(resultOf(run.report, 'quick', 'runc').outcome, 'passed');

    const create = resultOf(run.report, 'quick', 'hang-create');
    assert.equal(create.outcome, 'failed');
    assert.match(create.error ?? '', /container start timed out after 15 s: image quick, runtime hang-create, container gvmatrix-[0-9a-f-]+ \(stage: create and start\)/);

    for (const runtime of ['hang-kill', 'hang-delete']) {
      const teardown = resultOf(run.report, 'quick', runtime);
      assert.equal(teardown.outcome, 'failed');
      assert.match(teardown.error ?? '', new RegExp(`container stop timed out after 15 s: image quick, runtime ${runtime}, container [0-9a-f]{12} \\(stage: teardown: stop with 2 s grace, then remove\\)`));
      assert.match(teardown.error ?? '', /killed runtime processes \d+(, \d+)* and force-removed the container/);
    }
    await assertReportsValid(run);
    await assertNothingLeft(run.report.runId);
  });
});

describe('API service killed during a run', () => {
  test('fails its runtime fast and exits 3', async () => {
    const reportsDir = await mkdtemp(join(tmpdir(), 'gvmatrix-it-timeouts-'));
    reportDirs.push(reportsDir);
    const started = Date.now();
    const child = startRun('service-death.yaml', reportsDir);

    // The run record of this run's CLI process names its socket folder.
    let record: RunRecord | undefined;
    while (!record) {
      assert.ok(Date.now() - started < 120_000, 'the run did not start its API services within 120 s');
      await new Promise((resolve) => setTimeout(resolve, 500));
      const { records } = await readRunRecords();
      record = records.find((candidate) => candidate.process.pid === child.pid && candidate.servicePids.length === 2);
    }
    const runsc = join(record.socketDir, 'runsc.sock');
    while ((await listRunContainers(record.runId)).length < 2) {
      assert.ok(Date.now() - started < 180_000, 'no test containers started within 180 s');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // Only the runsc service this run started: the one serving runsc.sock in its socket folder.
    const killed = await execa('pkill', ['--signal', 'KILL', '--full', `system service --time=0 unix://${runsc}`], { reject: false });
    assert.equal(killed.exitCode, 0, `no process served ${runsc}`);

    const run = await finish(child, reportsDir, started);

    assert.ok(run.elapsedMs < 150_000, `the run took ${run.elapsedMs} ms`);
    assert.equal(run.result.exitCode, 3, run.output);
    assert.match(String(run.result.stderr), new RegExp(`the Podman API service of runtime runsc \\(pid \\d+\\) on ${runsc} was killed by SIGKILL`));
    const runscResults = run.report.results.filter((result) => result.runtime === 'runsc');
    assert.equal(runscResults.length, 4);
    const failedFast = runscResults.filter((result) => /was killed by SIGKILL/.test(result.error ?? ''));
    assert.ok(failedFast.length >= 2, `only ${failedFast.length} runsc tests name the dead service: ${runscResults.map((result) => result.error).join('\n')}`);
    for (const result of failedFast) {
      assert.match(result.error ?? '', /image slow, runtime runsc, /);
      assert.ok(result.durationMs < 5_000, `${result.test} waited ${result.durationMs} ms for a dead service`);
    }
    for (const result of run.report.results.filter((candidate) => candidate.runtime === 'runc')) {
      assert.equal(result.outcome, 'passed', result.error);
    }
    await assertReportsValid(run);
    await assertNothingLeft(record.runId);
  });
});
