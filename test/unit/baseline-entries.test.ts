import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseMatrix } from '../../src/matrix/loader.js';
import { proposeKnownEntries } from '../../src/report/baseline-entries.js';
import { reportWith, verdictRecord } from './gate-fixtures.js';

const MATRIX = parseMatrix(
  [
    'version: 1',
    'runtimes:',
    '  runc: { oci: runc, baseline: true }',
    '  runsc: { oci: runsc }',
    'images:',
    '  app:',
    '    image: app:1',
    '    tests:',
    '      - { name: starts, exec: ["true"] }',
    '      - { name: reads stats, exec: [stat, /data] }',
    '      - { name: uses io_uring, exec: [io-uring-probe] }',
    '      - { name: crashes, exec: [crash] }',
    '      - { name: broken, exec: ["false"] }',
    '  web:',
    '    image: web:1',
    '    suites: [web.spec.ts]',
    'known:',
    '  - { image: app, test: uses io_uring, runtime: runsc, reason: "io_uring is off" }',
  ].join('\n'),
  '/work/matrix.yaml',
  { checkFiles: false },
);

const REPORT = reportWith([
  verdictRecord('app', 'starts', 'compatible'),
  verdictRecord('app', 'reads stats', 'syscall-incompatible', 'unsupported syscalls: statx - Error: exit code 1'),
  verdictRecord('app', 'uses io_uring', 'behavior-diff', 'Error: io_uring_setup failed'),
  verdictRecord('app', 'crashes', 'sandbox-crash', 'panic: running on goroutine 1207'),
  verdictRecord('app', 'broken', 'baseline-failure'),
  verdictRecord('app', 'flaps', 'flaky'),
  verdictRecord('web', 'renders the page', 'behavior-diff', 'Error: timed out\n  waiting for selector'),
]);

describe('proposeKnownEntries', () => {
  const proposal = proposeKnownEntries(REPORT, MATRIX);

  test('entries for incompatible verdicts', () => {
    assert.deepEqual(
      proposal.entries.map((entry) => entry.test),
      ['reads stats', 'crashes', 'renders the page'],
    );
  });

  test('reason is verdict message', () => {
    assert.equal(proposal.entries[0]?.reason, 'unsupported syscalls: statx - Error: exit code 1');
  });

  test('multi-line message joined', () => {
    assert.equal(proposal.entries[2]?.reason, 'Error: timed out waiting for selector');
  });

  test('runtime is the record runtime', () => {
    assert.equal(proposal.entries[0]?.runtime, 'runsc');
  });

  test('covered failure left out', () => {
    assert.deepEqual(
      proposal.covered.map((covered) => [covered.record.test, covered.entry]),
      [['uses io_uring', '/work/matrix.yaml:18']],
    );
  });

  test('no expiry by default', () => {
    assert.equal(proposal.entries[0]?.expires, undefined);
  });

  test('expiry date applied', () => {
    const dated = proposeKnownEntries(REPORT, MATRIX, '2027-01-31');
    assert.ok(dated.entries.every((entry) => entry.expires === '2027-01-31'));
  });

  test('test missing from matrix', () => {
    const report = reportWith([verdictRecord('app', 'renamed since', 'behavior-diff')]);
    const result = proposeKnownEntries(report, MATRIX);
    assert.deepEqual(result.entries, []);
    assert.equal(result.unlisted[0]?.problem, 'image "app" has no test "renamed since" in the matrix');
  });

  test('image missing from matrix', () => {
    const report = reportWith([verdictRecord('gone', 'starts', 'behavior-diff')]);
    assert.equal(proposeKnownEntries(report, MATRIX).unlisted[0]?.problem, 'the matrix has no image "gone"');
  });

  test('runtime missing from matrix', () => {
    const report = reportWith([verdictRecord('app', 'starts', 'behavior-diff', 'why', 'runsc-kvm')]);
    assert.equal(proposeKnownEntries(report, MATRIX).unlisted[0]?.problem, 'the matrix has no runtime "runsc-kvm"');
  });
});
