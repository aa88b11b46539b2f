/**
 * Timing end to end: the shipped matrix's nginx image (which includes the 32 MB download)
 * runs through the real CLI under runc and runsc. results.json must carry each test's
 * durations and ratios, and `--fail-on-slow` must decide the gate from those numbers:
 * a huge limit passes and a limit just above 1 fails whenever any check ratio exceeds
 * it. Needs root, podman and runsc (scripts/setup.sh installs them).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { RunReport } from '../../src/report/types.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const cli = join(repoRoot, 'dist/src/cli/main.js');
const matrix = join(repoRoot, 'matrix.yaml');
const LARGE_FILE_TEST = 'serves a 32 MB file';
const TIGHT_LIMIT = 1.0001;

describe('gvmatrix timing on the shipped nginx image', () => {
  let workDir: string;
  let reportsDir: string;
  let exitCode: number | undefined;
  let output: string;
  let report: RunReport;

  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'gvmatrix-timing-'));
    reportsDir = join(workDir, 'reports');
    // --fail-on none keeps the verdicts out of the exit status, so it depends on --fail-on-slow alone.
    const args = ['run', '--matrix', matrix, '--image', 'nginx', '--runtime', 'runsc', '--reports', reportsDir, '--fail-on', 'none', '--fail-on-slow', '1000'];
    const result = await execa(process.execPath, [cli, ...args], { reject: false, env: { FORCE_COLOR: '0' } });
    exitCode = result.exitCode;
    output = `${result.stdout}\n${result.stderr}`;
    report = JSON.parse(await readFile(join(reportsDir, 'results.json'), 'utf8')) as RunReport;
  });

  after(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  test('huge limit passes the gate', () => {
    assert.equal(exitCode, 0, output);
    assert.match(output, /gate --fail-on none --fail-on-slow 1000: pass/);
  });

  test('every result has durations', () => {
    for (const result of report.results) {
      const label = `${result.test} [${result.runtime}]`;
      assert.equal(result.outcome, 'passed', `${label}: ${result.error ?? ''}`);
      assert.ok((result.timing?.startMs ?? 0) > 0, `${label}: startMs ${result.timing?.startMs}`);
      assert.ok((result.timing?.readyMs ?? -1) >= 0, `${label}: readyMs ${result.timing?.readyMs}`);
      assert.ok((result.timing?.checkMs ?? 0) > 0, `${label}: checkMs ${result.timing?.checkMs}`);
      assert.equal(result.timing?.slowRatio, 3, label);
    }
  });

  test('every verdict has both ratios', () => {
    assert.equal(report.verdicts.length, 6);
    for (const record of report.verdicts) {
      assert.ok((record.timing?.checkRatio ?? 0) > 0, `${record.test}: ${JSON.stringify(record.timing)}`);
      assert.ok((record.timing?.startRatio ?? 0) > 0, `${record.test}: ${JSON.stringify(record.timing)}`);
      assert.equal(record.timing?.slow, (record.timing?.checkRatio ?? 0) > 3, record.test);
    }
  });

  test('large download takes measurable time', () => {
    const baseline = report.results.find((result) => result.test === LARGE_FILE_TEST && result.baseline);
    // 32 MB through the loopback takes tens of milliseconds at least, so the check is above the ratio floor.
    assert.ok((baseline?.timing?.checkMs ?? 0) > 50, `runc checkMs ${baseline?.timing?.checkMs}`);
  });

  test('summary shows the ratios', () => {
    assert.match(output, new RegExp(`nginx › ${LARGE_FILE_TEST}\\s+×\\d+\\.\\d\\d start ×\\d+\\.\\d\\d`));
  });

  test('tight limit fails the gate', async () => {
    // The gate reads the same results.json through merge, so this needs no second run.
    const result = await execa(process.execPath, [cli, 'merge', reportsDir, '--reports', join(workDir, 'tight'), '--fail-on', 'none', '--fail-on-slow', String(TIGHT_LIMIT)], {
      reject: false,
      env: { FORCE_COLOR: '0' },
    });
    const over = report.verdicts.filter((record) => (record.timing?.checkRatio ?? 0) > TIGHT_LIMIT);
    // A check ratio can be 1 or less: checks under the 50 ms floor on both runtimes give
    // exactly 1. The gate must then list exactly the others, and fail only if there are any.
    assert.equal(result.exitCode, over.length > 0 ? 1 : 0, result.stdout);
    for (const record of over) {
      assert.match(result.stdout, new RegExp(`runsc {2}nginx › ${record.test} {2}×`), record.test);
    }
    assert.match(result.stdout.trimEnd().split('\n').at(-1) ?? '', new RegExp(` slow=${over.length} run=`));
  });
});
