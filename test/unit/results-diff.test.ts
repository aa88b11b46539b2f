import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyChange, diffResults, type ChangeKind } from '../../src/report/results-diff.js';
import { formatDiffLine } from '../../src/report/results-diff-text.js';
import { findResultsProblem } from '../../src/report/results-shape.js';
import type { Verdict } from '../../src/report/types.js';
import { RUNTIMES } from './report-fixtures.js';
import { reportWith, verdictRecord } from './gate-fixtures.js';

const CLASSIFICATION: [Verdict, Verdict, ChangeKind][] = [
  ['compatible', 'syscall-incompatible', 'worse'],
  ['compatible', 'behavior-diff', 'worse'],
  ['flaky', 'sandbox-crash', 'worse'],
  ['known', 'behavior-diff', 'worse'],
  ['not-run', 'baseline-failure', 'worse'],
  ['known', 'fixed', 'worse'],
  ['behavior-diff', 'compatible', 'better'],
  ['syscall-incompatible', 'known', 'better'],
  ['behavior-diff', 'sandbox-crash', 'changed'],
  ['compatible', 'flaky', 'changed'],
  ['compatible', 'known', 'changed'],
  ['compatible', 'not-run', 'changed'],
];

describe('classifyChange', () => {
  for (const [oldVerdict, newVerdict, kind] of CLASSIFICATION) {
    test(`${oldVerdict} to ${newVerdict}`, () => {
      assert.equal(classifyChange(oldVerdict, newVerdict), kind);
    });
  }
});

describe('diffResults', () => {
  const oldReport = reportWith([
    verdictRecord('app', 'starts', 'compatible'),
    verdictRecord('app', 'reads stats', 'compatible'),
    verdictRecord('app', 'uses io_uring', 'behavior-diff'),
    verdictRecord('app', 'removed test', 'compatible'),
  ]);
  const newReport = reportWith(
    [
      verdictRecord('app', 'starts', 'compatible'),
      verdictRecord('app', 'reads stats', 'syscall-incompatible', 'unsupported syscalls: statx'),
      verdictRecord('app', 'uses io_uring', 'compatible'),
      verdictRecord('app', 'added test', 'behavior-diff'),
    ],
    { runtimes: RUNTIMES.map((runtime) => (runtime.baseline ? runtime : { ...runtime, version: 'runsc version release-20250101.0' })) },
  );
  const diff = diffResults(oldReport, newReport);

  test('unchanged test not listed', () => {
    assert.ok(!diff.changes.some((change) => change.test === 'starts'));
  });

  test('changes with kind', () => {
    assert.deepEqual(
      diff.changes.map((change) => [change.test, change.oldVerdict, change.newVerdict, change.kind]),
      [
        ['reads stats', 'compatible', 'syscall-incompatible', 'worse'],
        ['uses io_uring', 'behavior-diff', 'compatible', 'better'],
      ],
    );
  });

  test('change carries new message', () => {
    assert.equal(diff.changes[0]?.message, 'unsupported syscalls: statx');
  });

  test('only in old', () => {
    assert.deepEqual(diff.onlyInOld.map((record) => record.test), ['removed test']);
  });

  test('only in new', () => {
    assert.deepEqual(diff.onlyInNew.map((record) => record.test), ['added test']);
  });

  test('runtime version change', () => {
    assert.deepEqual(diff.runtimeVersions, [
      { runtime: 'runsc', oldVersion: 'runsc version release-20240729.0', newVersion: 'runsc version release-20250101.0' },
    ]);
  });

  test('same runtime name on other runtime', () => {
    const other = reportWith([verdictRecord('app', 'starts', 'compatible', 'm', 'runsc-kvm')]);
    const result = diffResults(reportWith([verdictRecord('app', 'starts', 'compatible')]), other);
    assert.equal(result.onlyInOld.length, 1);
    assert.equal(result.onlyInNew.length, 1);
  });

  test('closing line counts', () => {
    assert.equal(formatDiffLine(diff, 1), 'gvmatrix-diff: worse=1 better=1 changed=0 only-old=1 only-new=1 exit=1');
  });
});

describe('findResultsProblem', () => {
  test('report accepted', () => {
    assert.equal(findResultsProblem(JSON.parse(JSON.stringify(reportWith([verdictRecord('app', 'starts', 'compatible')])))), undefined);
  });

  test('report with steps accepted', () => {
    const report = reportWith([verdictRecord('app', 'starts', 'compatible')]);
    const [record] = report.verdicts;
    assert.ok(record);
    record.sandbox.steps = [{ index: 1, kind: 'host', description: 'host stat data/out.txt', containerUid: 1000, containerGid: 1000, durationMs: 1 }];
    report.results = [record.sandbox];
    assert.equal(findResultsProblem(JSON.parse(JSON.stringify(report))), undefined);
  });

  test('array rejected', () => {
    assert.equal(findResultsProblem([]), 'expected a JSON object');
  });

  test('missing runId', () => {
    assert.equal(findResultsProblem({ matrixFile: 'm', startedAt: 's', runtimes: [], results: [], verdicts: [] }), 'the field "runId" is missing or not a string');
  });

  test('unknown verdict named', () => {
    const report = JSON.parse(JSON.stringify(reportWith([verdictRecord('app', 'starts', 'compatible')]))) as { verdicts: { verdict: string }[] };
    (report.verdicts[0] as { verdict: string }).verdict = 'passed';
    assert.match(findResultsProblem(report) ?? '', /^verdicts\[0\] has the verdict "passed", which is none of compatible, /);
  });

  test('runtime without version', () => {
    const report = { ...reportWith([]), runtimes: [{ name: 'runc' }] };
    assert.equal(findResultsProblem(report), 'runtimes[0] is not an object with string fields "name" and "version"');
  });
});
