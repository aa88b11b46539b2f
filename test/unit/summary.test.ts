import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pairResults } from '../../src/report/pairing.js';
import { formatSummary } from '../../src/report/summary.js';
import type { RunReport, TestRunResult } from '../../src/report/types.js';
import { EXPECT_FAILURE, FANOTIFY, IO_URING, RSEQ, RUNTIMES, baselineResult, evidence, sandboxResult } from './report-fixtures.js';

function buildReport(): RunReport {
  const failed: Partial<TestRunResult> = { outcome: 'failed', attempts: ['failed'], error: EXPECT_FAILURE };
  const kvm: Partial<TestRunResult> = { runtime: 'runsc-kvm' };
  const results: TestRunResult[] = [
    baselineResult('nginx', 'serves the default page'),
    sandboxResult('nginx', 'serves the default page', { evidence: evidence({ unsupportedSyscalls: [RSEQ] }) }),
    sandboxResult('nginx', 'serves the default page', { ...kvm, evidence: evidence({ unsupportedSyscalls: [RSEQ, IO_URING] }) }),
    baselineResult('nginx', 'configuration is valid'),
    sandboxResult('nginx', 'configuration is valid', { ...failed, evidence: evidence({ unsupportedSyscalls: [FANOTIFY] }) }),
    sandboxResult('nginx', 'configuration is valid', kvm),
    baselineResult('postgres', 'insert and select'),
    sandboxResult('postgres', 'insert and select', failed),
    baselineResult('postgres', 'vacuum', { outcome: 'failed', attempts: ['failed'], error: 'Error: relation "t" does not exist' }),
    sandboxResult('postgres', 'vacuum', failed),
  ];

  return {
    runId: 'run-1',
    matrixFile: '/work/matrix.yaml',
    startedAt: '2024-12-04T19:34:40.000Z',
    finishedAt: '2024-12-04T19:35:10.000Z',
    runtimes: [
      ...RUNTIMES,
      { name: 'runsc-kvm', kind: 'runsc', baseline: false, path: '/usr/local/bin/runsc', version: 'runsc version release-20240729.0', flags: ['--platform=kvm'] },
    ],
    results,
    verdicts: pairResults(results, 'runc', []),
  };
}

describe('formatSummary', () => {
  const lines = formatSummary(buildReport()).split('\n');

  test('table header', () => {
    assert.equal(lines[0], 'image     runc  runsc                        runsc-kvm');
  });

  test('table row with sandbox counts', () => {
    assert.equal(lines[1], 'nginx     2/2   1 compatible, 1 syscall      2 compatible');
  });

  test('table row with missing runtime', () => {
    assert.equal(lines[2], 'postgres  1/2   1 behavior, 1 baseline-fail  -');
  });

  test('verdict lines', () => {
    const start = lines.indexOf('Verdicts other than compatible:');
    assert.deepEqual(lines.slice(start + 1, start + 4), [
      'runsc  nginx › configuration is valid  syscall-incompatible  unsupported syscalls: fanotify_init - Error: expect(received).toBe(expected) // Object.is equality',
      'runsc  postgres › insert and select    behavior-diff         Error: expect(received).toBe(expected) // Object.is equality',
      'runsc  postgres › vacuum               baseline-failure      Error: relation "t" does not exist',
    ]);
  });

  test('passing syscalls by runtime', () => {
    const start = lines.indexOf('Unsupported syscalls in passing tests:');
    assert.deepEqual(lines.slice(start + 1, start + 7), [
      'runsc',
      '  benign: rseq (1 test)',
      'runsc-kvm',
      '  benign: rseq (1 test)',
      '  in nginx › serves the default page:',
      '    io_uring_setup',
    ]);
  });

  test('totals line', () => {
    assert.equal(lines.at(-2), 'gvmatrix: 3 compatible, 1 syscall-incompatible, 1 behavior-diff, 0 sandbox-crash, 1 baseline-failure');
  });

  test('totals add rare verdicts', () => {
    const report = buildReport();
    const flaky = sandboxResult('redis', 'ping', { attempts: ['failed', 'passed'] });
    report.results.push(baselineResult('redis', 'ping'), flaky);
    report.verdicts = pairResults(report.results, 'runc', []);
    const summary = formatSummary(report).trimEnd().split('\n');
    assert.equal(summary.at(-1), 'gvmatrix: 3 compatible, 1 syscall-incompatible, 1 behavior-diff, 0 sandbox-crash, 1 baseline-failure, 1 flaky');
  });

  test('no colour codes', () => {
    assert.doesNotMatch(lines.join('\n'), /\u001b/);
  });
});

describe('formatSummary on container output', () => {
  test('drops control characters', () => {
    const error = 'Error: output: begin\u0000\u0007 \u001b[2J\u009b2J\u001b]0;title\u0007\u007f\ufffe end';
    const results: TestRunResult[] = [
      baselineResult('app', 'prints'),
      sandboxResult('app', 'prints', { outcome: 'failed', attempts: ['failed'], error }),
    ];
    const report: RunReport = {
      ...buildReport(),
      results,
      verdicts: pairResults(results, 'runc', []),
    };
    const line = formatSummary(report).split('\n').find((candidate) => candidate.includes('app › prints'));
    assert.match(line ?? '', /behavior-diff +Error: output: begin 2J end$/);
  });
});
