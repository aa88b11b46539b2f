/**
 * The shipped mount checks for real: `gvmatrix run` of the config-watch images (without
 * and with userns: auto) under runc and runsc 20221219. Each assertion names what the
 * runtime saw: the test's outcome and error, and the verdict the tool gave. Needs root,
 * podman, runc, runsc and the images that scripts/setup.sh builds.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { RunReport, TestRunResult, VerdictRecord } from '../../src/report/types.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const cli = join(repoRoot, 'dist/src/cli/main.js');
const IMAGES = ['config-watch', 'config-watch-userns'];
const SANDBOX = 'runsc';

/** Verdicts of a sandbox that failed where the baseline passed. */
const SANDBOX_FAILURES = ['behavior-diff', 'syscall-incompatible', 'sandbox-crash'];

describe('shipped mount checks under runc and runsc', () => {
  let reportsDir: string;
  let exitCode: number | undefined;
  let output: string;
  let report: RunReport;

  before(async () => {
    reportsDir = await mkdtemp(join(tmpdir(), 'gvmatrix-mounts-'));
    const args = [cli, 'run', '--matrix', 'matrix.yaml', ...IMAGES.flatMap((image) => ['--image', image]), '--runtime', SANDBOX, '--reports', reportsDir];
    const result = await execa(process.execPath, args, { reject: false, cwd: repoRoot });
    exitCode = result.exitCode;
    output = `${result.stdout}\n${result.stderr}`;
    report = JSON.parse(await readFile(join(reportsDir, 'results.json'), 'utf8')) as RunReport;
  });

  after(async () => {
    await rm(reportsDir, { recursive: true, force: true });
  });

  function resultOf(image: string, name: string, runtime: string): TestRunResult {
    const result = report.results.find((candidate) => candidate.image === image && candidate.test === name && candidate.runtime === runtime);
    assert.ok(result, `no result for ${image} › ${name} under ${runtime}`);
    return result;
  }

  function verdictOf(image: string, name: string): VerdictRecord {
    const record = report.verdicts.find((candidate) => candidate.image === image && candidate.test === name && candidate.runtime === SANDBOX);
    assert.ok(record, `no verdict for ${image} › ${name} under ${SANDBOX}`);
    return record;
  }

  /** Describes what a runtime saw, for assertion messages. */
  function seen(result: TestRunResult): string {
    return `${result.runtime} ${result.outcome}${result.error ? `: ${result.error.slice(0, 600)}` : ''}`;
  }

  /** Asserts that the verdict follows from the two outcomes, and returns a description of both. */
  function assertVerdictFollows(image: string, name: string): string {
    const baseline = resultOf(image, name, 'runc');
    const sandbox = resultOf(image, name, SANDBOX);
    const record = verdictOf(image, name);
    const observed = `${seen(baseline)}\n${seen(sandbox)}\nverdict ${record.verdict}: ${record.message}`;
    if (baseline.outcome !== 'passed') {
      assert.equal(record.verdict, 'baseline-failure', observed);
    } else if (sandbox.outcome === 'passed') {
      assert.equal(record.verdict, 'compatible', observed);
    } else {
      assert.ok(SANDBOX_FAILURES.includes(record.verdict), observed);
    }
    return observed;
  }

  /**
   * Asserts that a runsc test passed, or that its container never started: a sandbox that
   * started the container must show the same behaviour as the expectation, while a
   * sandbox that cannot start it shows nothing about mounts.
   */
  function assertPassedOrNotStarted(image: string, name: string): string {
    const sandbox = resultOf(image, name, SANDBOX);
    const observed = assertVerdictFollows(image, name);
    if (sandbox.outcome !== 'passed') {
      assert.match(sandbox.error ?? '', /start|create|sandbox|OCI runtime/i, `runsc ran the container and failed the check:\n${observed}`);
    }
    return observed;
  }

  test('run reaches a gate decision', () => {
    assert.ok(exitCode === 0 || exitCode === 1, `exit status ${exitCode}:\n${output.slice(-3000)}`);
    assert.deepEqual(report.runtimes.map((runtime) => runtime.name), ['runc', SANDBOX]);
  });

  for (const image of IMAGES) {
    test(`${image}: runc rejects ro writes`, () => {
      const result = resultOf(image, 'read-only mount rejects writes', 'runc');
      assert.equal(result.outcome, 'passed', seen(result));
    });

    test(`${image}: runsc rejects ro writes`, (t) => {
      t.diagnostic(assertPassedOrNotStarted(image, 'read-only mount rejects writes'));
    });

    test(`${image}: runc writes mapped owners`, () => {
      const result = resultOf(image, 'written files have mapped owners', 'runc');
      assert.equal(result.outcome, 'passed', seen(result));
    });

    test(`${image}: runsc writes mapped owners`, (t) => {
      t.diagnostic(assertPassedOrNotStarted(image, 'written files have mapped owners'));
    });

    test(`${image}: runc sees host changes`, () => {
      for (const name of ['host change is read', 'host change reloads configuration', 'watcher sees host-created file']) {
        const result = resultOf(image, name, 'runc');
        assert.equal(result.outcome, 'passed', `${name}: ${seen(result)}`);
      }
    });

    // gVisor's inotify reports the changes made through the sandbox. Whether a change from
    // the host reaches a watcher is what this run measures, so only the verdict is checked.
    test(`${image}: runsc host change verdicts`, (t) => {
      for (const name of ['host change is read', 'host change reloads configuration', 'watcher sees host-created file']) {
        t.diagnostic(`${name}:\n${assertVerdictFollows(image, name)}`);
      }
    });
  }

  test('summary lists config-watch', () => {
    assert.match(output, /config-watch-userns/);
  });
});
