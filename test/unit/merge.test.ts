import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildJUnit } from '../../src/report/junit.js';
import { MergeConflictError, mergeReports, type ReportInput } from '../../src/report/merge.js';
import { pairResults } from '../../src/report/pairing.js';
import type { RunReport, TestRunResult } from '../../src/report/types.js';
import { verdictChanges } from '../../src/report/upgrade.js';
import { EXPECT_FAILURE, FANOTIFY, RUNTIMES, baselineResult, evidence, knownEntry, sandboxResult } from './report-fixtures.js';

const DIGEST = 'a3f1c2'.padEnd(64, '0');
const KNOWN = [knownEntry('redis', 'ping', { kind: 'literal', text: 'runsc' })];
const SELECTED = ['nginx', 'redis'];

function failedRun(): Partial<TestRunResult> {
  return { outcome: 'failed', attempts: ['failed'], error: EXPECT_FAILURE };
}

/** Results of a whole run: one test per verdict that merging must reproduce. */
const NGINX: TestRunResult[] = [
  baselineResult('nginx', 'serves page'),
  sandboxResult('nginx', 'serves page', { ...failedRun(), evidence: evidence({ unsupportedSyscalls: [FANOTIFY] }) }),
  baselineResult('nginx', 'config valid'),
  sandboxResult('nginx', 'config valid'),
];
const REDIS: TestRunResult[] = [
  baselineResult('redis', 'ping'),
  sandboxResult('redis', 'ping', failedRun()),
  baselineResult('redis', 'info', failedRun()),
  sandboxResult('redis', 'info', failedRun()),
];

/** Builds a report as the reporter writes it, pairing its own results. */
function report(runId: string, results: TestRunResult[], fields: Partial<RunReport> = {}): RunReport {
  const verdicts = pairResults(results, 'runc', KNOWN);
  return {
    runId,
    matrixFile: '/ci/checkout/matrix.yaml',
    startedAt: '2025-01-10T08:00:00.000Z',
    finishedAt: '2025-01-10T08:05:00.000Z',
    runtimes: RUNTIMES,
    results,
    verdicts,
    verdictChanges: verdictChanges(verdicts, ['runsc']),
    matrixDigest: DIGEST,
    images: [...new Set(results.map((result) => result.image))],
    selectedImages: SELECTED,
    known: KNOWN,
    ...fields,
  };
}

function shardOne(fields: Partial<RunReport> = {}): ReportInput {
  return { folder: 'shard-1', report: report('run-1', NGINX, { shard: { index: 1, total: 2 }, ...fields }) };
}

function shardTwo(fields: Partial<RunReport> = {}): ReportInput {
  return {
    folder: 'shard-2',
    report: report('run-2', REDIS, { shard: { index: 2, total: 2 }, startedAt: '2025-01-10T08:01:00.000Z', finishedAt: '2025-01-10T08:07:00.000Z', ...fields }),
  };
}

function conflictOf(inputs: ReportInput[]): string {
  try {
    mergeReports(inputs, 'merged');
  } catch (error) {
    assert.ok(error instanceof MergeConflictError, `expected a MergeConflictError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected the merge to be rejected');
}

describe('mergeReports', () => {
  const unsharded = report('merged', [...NGINX, ...REDIS], { finishedAt: '2025-01-10T08:07:00.000Z' });

  test('verdicts equal an unsharded run', () => {
    const merged = mergeReports([shardOne(), shardTwo()], 'merged');
    assert.deepEqual(merged.verdicts, unsharded.verdicts);
  });

  test('covers every verdict kind here', () => {
    const merged = mergeReports([shardOne(), shardTwo()], 'merged');
    const verdicts = merged.verdicts.map((record) => `${record.image} › ${record.test}: ${record.verdict}`);
    assert.deepEqual(verdicts, [
      'nginx › config valid: compatible',
      'nginx › serves page: syscall-incompatible',
      'redis › info: baseline-failure',
      'redis › ping: known',
    ]);
  });

  test('junit equals an unsharded run', () => {
    const merged = mergeReports([shardOne(), shardTwo()], 'merged');
    assert.equal(buildJUnit(merged), buildJUnit(unsharded));
  });

  test('ignores argument order', () => {
    const forward = mergeReports([shardOne(), shardTwo()], 'merged');
    const backward = mergeReports([shardTwo(), shardOne()], 'merged');
    assert.deepEqual(backward, forward);
  });

  test('pairs results across reports', () => {
    // The baseline of nginx ran in one report and its sandbox runs in the other. Alone,
    // each report gives not-run, and the merge pairs them.
    const baselines = NGINX.filter((result) => result.baseline);
    const sandboxes = NGINX.filter((result) => !result.baseline);
    const first: ReportInput = { folder: 'a', report: report('run-a', [...baselines, ...REDIS], { images: SELECTED }) };
    const second: ReportInput = { folder: 'b', report: report('run-b', sandboxes, { images: ['nginx'] }) };
    assert.equal(second.report.verdicts[0]?.verdict, 'not-run');

    const merged = mergeReports([first, second], 'merged');
    assert.deepEqual(merged.verdicts, unsharded.verdicts);
  });

  test('spans the shards in time', () => {
    const merged = mergeReports([shardOne(), shardTwo()], 'merged');
    assert.equal(merged.startedAt, '2025-01-10T08:00:00.000Z');
    assert.equal(merged.finishedAt, '2025-01-10T08:07:00.000Z');
  });

  test('records images and sources', () => {
    const merged = mergeReports([shardTwo(), shardOne()], 'merged');
    assert.deepEqual(merged.images, SELECTED);
    assert.equal(merged.shard, undefined);
    assert.deepEqual(merged.mergedFrom, [
      { folder: 'shard-1', runId: 'run-1', shard: { index: 1, total: 2 }, images: ['nginx'] },
      { folder: 'shard-2', runId: 'run-2', shard: { index: 2, total: 2 }, images: ['redis'] },
    ]);
  });

  test('keeps the known entries', () => {
    const merged = mergeReports([shardOne(), shardTwo()], 'merged');
    assert.deepEqual(merged.known, KNOWN);
  });

  test('accepts an empty shard', () => {
    const empty: ReportInput = { folder: 'shard-3', report: report('run-3', [], { shard: { index: 3, total: 3 }, images: [] }) };
    const merged = mergeReports([shardOne({ shard: { index: 1, total: 3 } }), shardTwo({ shard: { index: 2, total: 3 } }), empty], 'merged');
    assert.deepEqual(merged.verdicts, unsharded.verdicts);
  });

  test('keeps step records', () => {
    const steps = [{ index: 1, kind: 'exec' as const, description: 'exec redis-cli ping', exitCode: 0, stdout: 'PONG\n', durationMs: 8 }];
    const withSteps = REDIS.map((result) => (result.test === 'ping' ? { ...result, steps } : result));
    const shard = { folder: 'shard-2', report: report('run-2', withSteps, { shard: { index: 2, total: 2 } }) };
    const merged = mergeReports([shardOne(), JSON.parse(JSON.stringify(shard)) as ReportInput], 'merged');

    const ping = merged.results.filter((result) => result.test === 'ping');
    assert.equal(ping.length, 2);
    for (const result of ping) {
      assert.deepEqual(result.steps, steps);
    }
    assert.equal(merged.verdicts.find((record) => record.test === 'ping')?.sandbox.steps?.[0]?.stdout, 'PONG\n');
  });

  test('joins missing support tables', () => {
    const merged = mergeReports(
      [shardOne({ missingSupportTables: { runsc: 'no table in 20221219' } }), shardTwo({ missingSupportTables: { 'runsc-kvm': 'no table' } })],
      'merged',
    );
    assert.deepEqual(merged.missingSupportTables, { runsc: 'no table in 20221219', 'runsc-kvm': 'no table' });
  });
});

describe('mergeReports conflicts', () => {
  test('rejects different matrix files', () => {
    const message = conflictOf([shardOne(), shardTwo({ matrixDigest: 'b7'.padEnd(64, '0'), matrixFile: '/ci/other/matrix.yaml' })]);
    assert.match(message, /shard-1 \(shard 1\/2, run run-1\) ran \/ci\/checkout\/matrix\.yaml \(sha256 a3f1c2000000\) but shard-2 \(shard 2\/2, run run-2\) ran \/ci\/other\/matrix\.yaml \(sha256 b70000000000\)/);
  });

  test('accepts moved matrix paths', () => {
    const merged = mergeReports([shardOne(), shardTwo({ matrixFile: '/builds/42/matrix.yaml' })], 'merged');
    assert.equal(merged.verdicts.length, 4);
  });

  test('rejects another runtime version', () => {
    const runtimes = RUNTIMES.map((runtime) => (runtime.baseline ? runtime : { ...runtime, version: 'runsc version release-20221219.0' }));
    const message = conflictOf([shardOne(), shardTwo({ runtimes })]);
    assert.match(message, /^runtime runsc differs: .*"runsc: runsc version release-20240729\.0 --network=host" but .*"runsc: runsc version release-20221219\.0 --network=host"/);
  });

  test('rejects other runtime flags', () => {
    const runtimes = RUNTIMES.map((runtime) => (runtime.baseline ? runtime : { ...runtime, flags: [...runtime.flags, '--ignore-cgroups'] }));
    const message = conflictOf([shardOne(), shardTwo({ runtimes })]);
    assert.match(message, /runtime runsc differs/);
  });

  test('accepts other runtime paths', () => {
    const runtimes = RUNTIMES.map((runtime) => ({ ...runtime, path: `/opt${runtime.path}` }));
    const merged = mergeReports([shardOne(), shardTwo({ runtimes })], 'merged');
    assert.equal(merged.verdicts.length, 4);
  });

  test('rejects other runtime names', () => {
    const runtimes = RUNTIMES.map((runtime) => (runtime.baseline ? runtime : { ...runtime, name: 'runsc-kvm' }));
    const message = conflictOf([shardOne(), shardTwo({ runtimes })]);
    assert.match(message, /ran the runtimes runc, runsc but .* ran runc, runsc-kvm; run every shard with the same --runtime options/);
  });

  test('rejects other image selections', () => {
    const message = conflictOf([shardOne(), shardTwo({ selectedImages: ['redis'] })]);
    assert.match(message, /selected the images nginx, redis but .* selected redis; run every shard with the same --image options/);
  });

  test('rejects a shard given twice', () => {
    const rerun: ReportInput = { folder: 'shard-1-again', report: report('run-1b', NGINX, { shard: { index: 1, total: 2 } }) };
    const message = conflictOf([shardOne(), rerun, shardTwo()]);
    assert.match(message, /^shard 1\/2 appears twice: shard-1 \(shard 1\/2, run run-1\) and shard-1-again \(shard 1\/2, run run-1b\)/);
  });

  test('rejects one folder twice', () => {
    const message = conflictOf([shardOne(), shardOne(), shardTwo()]);
    assert.match(message, /contain the same run run-1; pass each reports folder once/);
  });

  test('rejects overlapping results', () => {
    const whole: ReportInput = { folder: 'full', report: report('run-full', [...NGINX, ...REDIS]) };
    const message = conflictOf([shardOne(), whole]);
    assert.match(message, /nginx › serves page under runc has results in both shard-1 .* and full/);
  });

  test('names the missing shard', () => {
    const message = conflictOf([shardOne()]);
    assert.match(message, /cover 1 of the 2 selected images and leave out redis; pass the reports folder of shard 2\/2 as well/);
  });

  test('rejects reports without scope', () => {
    const old = shardTwo();
    delete old.report.matrixDigest;
    const message = conflictOf([shardOne(), old]);
    assert.match(message, /shard-2 .* has no "matrixDigest" field, so it cannot be merged: a gvmatrix version without `merge` wrote it/);
  });

  test('rejects no reports', () => {
    assert.match(conflictOf([]), /pass at least one reports folder/);
  });
});
