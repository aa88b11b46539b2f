import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KnownIncompatibility } from '../../src/matrix/types.js';
import type { TestRunResult, Verdict } from '../../src/report/types.js';
import { classify, isFailure } from '../../src/report/verdict.js';
import {
  EXPECT_FAILURE,
  FANOTIFY,
  IO_URING,
  RSEQ,
  SENTRY_PANIC,
  baselineResult,
  evidence,
  knownEntry,
  sandboxResult,
} from './report-fixtures.js';

interface Case {
  name: string;
  sandbox: TestRunResult;
  baseline: TestRunResult | undefined;
  known?: KnownIncompatibility[];
  verdict: Verdict;
}

const IMAGE = 'app';
const TEST = 'starts';

const failedSandbox = (overrides: Partial<TestRunResult> = {}): TestRunResult =>
  sandboxResult(IMAGE, TEST, { outcome: 'failed', attempts: ['failed'], error: EXPECT_FAILURE, ...overrides });

const cases: Case[] = [
  { name: 'no baseline result', sandbox: sandboxResult(IMAGE, TEST), baseline: undefined, verdict: 'not-run' },
  {
    name: 'sandbox skipped',
    sandbox: sandboxResult(IMAGE, TEST, { outcome: 'skipped', attempts: ['skipped'] }),
    baseline: baselineResult(IMAGE, TEST),
    verdict: 'not-run',
  },
  {
    name: 'sandbox interrupted',
    sandbox: sandboxResult(IMAGE, TEST, { outcome: 'interrupted', attempts: ['interrupted'] }),
    baseline: baselineResult(IMAGE, TEST),
    verdict: 'not-run',
  },
  {
    name: 'baseline skipped',
    sandbox: sandboxResult(IMAGE, TEST),
    baseline: baselineResult(IMAGE, TEST, { outcome: 'skipped', attempts: ['skipped'] }),
    verdict: 'not-run',
  },
  {
    name: 'panic in a failed sandbox',
    sandbox: failedSandbox({ evidence: evidence({ panics: [SENTRY_PANIC], unsupportedSyscalls: [FANOTIFY] }) }),
    baseline: baselineResult(IMAGE, TEST),
    verdict: 'sandbox-crash',
  },
  {
    name: 'crash beats baseline failure',
    sandbox: failedSandbox({ evidence: evidence({ panics: [SENTRY_PANIC] }) }),
    baseline: baselineResult(IMAGE, TEST, { outcome: 'failed', attempts: ['failed'], error: 'Error: connection refused' }),
    verdict: 'sandbox-crash',
  },
  {
    name: 'baseline failed, sandbox failed',
    sandbox: failedSandbox(),
    baseline: baselineResult(IMAGE, TEST, { outcome: 'failed', attempts: ['failed'], error: 'Error: connection refused' }),
    verdict: 'baseline-failure',
  },
  {
    name: 'baseline timed out, sandbox passed',
    sandbox: sandboxResult(IMAGE, TEST),
    baseline: baselineResult(IMAGE, TEST, { outcome: 'timedOut', attempts: ['timedOut'] }),
    verdict: 'baseline-failure',
  },
  {
    name: 'sandbox passed on retry',
    sandbox: sandboxResult(IMAGE, TEST, { attempts: ['failed', 'passed'], error: EXPECT_FAILURE }),
    baseline: baselineResult(IMAGE, TEST),
    verdict: 'flaky',
  },
  {
    name: 'baseline passed on retry',
    sandbox: failedSandbox({ evidence: evidence({ unsupportedSyscalls: [FANOTIFY] }) }),
    baseline: baselineResult(IMAGE, TEST, { attempts: ['timedOut', 'passed'] }),
    verdict: 'flaky',
  },
  {
    name: 'failure with fanotify_init',
    sandbox: failedSandbox({ evidence: evidence({ unsupportedSyscalls: [RSEQ, FANOTIFY] }) }),
    baseline: baselineResult(IMAGE, TEST),
    verdict: 'syscall-incompatible',
  },
  {
    name: 'timeout with io_uring_setup',
    sandbox: failedSandbox({ outcome: 'timedOut', attempts: ['timedOut'], evidence: evidence({ unsupportedSyscalls: [IO_URING] }) }),
    baseline: baselineResult(IMAGE, TEST),
    verdict: 'syscall-incompatible',
  },
  {
    name: 'failure with benign rseq only',
    sandbox: failedSandbox({ evidence: evidence({ unsupportedSyscalls: [RSEQ] }) }),
    baseline: baselineResult(IMAGE, TEST),
    verdict: 'behavior-diff',
  },
  {
    name: 'failure without evidence',
    sandbox: failedSandbox(),
    baseline: baselineResult(IMAGE, TEST),
    verdict: 'behavior-diff',
  },
  {
    name: 'both passed',
    sandbox: sandboxResult(IMAGE, TEST),
    baseline: baselineResult(IMAGE, TEST),
    verdict: 'compatible',
  },
  {
    name: 'passed with unsupported syscalls',
    sandbox: sandboxResult(IMAGE, TEST, { evidence: evidence({ unsupportedSyscalls: [RSEQ, IO_URING] }) }),
    baseline: baselineResult(IMAGE, TEST),
    verdict: 'compatible',
  },
  {
    name: 'known syscall failure',
    sandbox: failedSandbox({ evidence: evidence({ unsupportedSyscalls: [IO_URING] }) }),
    baseline: baselineResult(IMAGE, TEST),
    known: [knownEntry(IMAGE, TEST, { kind: 'literal', text: 'runsc' })],
    verdict: 'known',
  },
  {
    name: 'known crash by runtime regex',
    sandbox: failedSandbox({ evidence: evidence({ panics: [SENTRY_PANIC] }) }),
    baseline: baselineResult(IMAGE, TEST),
    known: [knownEntry(IMAGE, TEST, { kind: 'regex', source: '^runs', flags: '' })],
    verdict: 'known',
  },
  {
    name: 'known entry for another runtime',
    sandbox: failedSandbox(),
    baseline: baselineResult(IMAGE, TEST),
    known: [knownEntry(IMAGE, TEST, { kind: 'literal', text: 'runsc-kvm' })],
    verdict: 'behavior-diff',
  },
  {
    name: 'known entry for another test',
    sandbox: failedSandbox(),
    baseline: baselineResult(IMAGE, TEST),
    known: [knownEntry(IMAGE, 'other test', { kind: 'literal', text: 'runsc' })],
    verdict: 'behavior-diff',
  },
  {
    name: 'known entry now passing',
    sandbox: sandboxResult(IMAGE, TEST),
    baseline: baselineResult(IMAGE, TEST),
    known: [knownEntry(IMAGE, TEST, { kind: 'literal', text: 'runsc' })],
    verdict: 'fixed',
  },
  {
    name: 'known entry, baseline failure',
    sandbox: failedSandbox(),
    baseline: baselineResult(IMAGE, TEST, { outcome: 'failed', attempts: ['failed'] }),
    known: [knownEntry(IMAGE, TEST, { kind: 'literal', text: 'runsc' })],
    verdict: 'baseline-failure',
  },
  {
    name: 'known entry, flaky sandbox',
    sandbox: sandboxResult(IMAGE, TEST, { attempts: ['failed', 'passed'] }),
    baseline: baselineResult(IMAGE, TEST),
    known: [knownEntry(IMAGE, TEST, { kind: 'literal', text: 'runsc' })],
    verdict: 'flaky',
  },
];

describe('classify verdicts', () => {
  for (const item of cases) {
    test(item.name, () => {
      const record = classify(item.sandbox, item.baseline, item.known ?? []);
      assert.equal(record.verdict, item.verdict);
    });
  }
});

describe('classify messages', () => {
  test('not-run names missing baseline', () => {
    const record = classify(sandboxResult(IMAGE, TEST), undefined, []);
    assert.match(record.message, /no baseline result/);
  });

  test('not-run names skipped sandbox', () => {
    const sandbox = sandboxResult(IMAGE, TEST, { outcome: 'skipped', attempts: ['skipped'] });
    const record = classify(sandbox, baselineResult(IMAGE, TEST), []);
    assert.equal(record.message, 'did not run under the sandbox runtime runsc: the test was skipped');
  });

  test('syscall message names causes', () => {
    const sandbox = failedSandbox({ evidence: evidence({ unsupportedSyscalls: [RSEQ, IO_URING, FANOTIFY, IO_URING] }) });
    const record = classify(sandbox, baselineResult(IMAGE, TEST), []);
    assert.equal(
      record.message,
      'unsupported syscalls: fanotify_init, io_uring_setup - Error: expect(received).toBe(expected) // Object.is equality',
    );
  });

  test('syscall details list log lines', () => {
    const sandbox = failedSandbox({ evidence: evidence({ unsupportedSyscalls: [FANOTIFY] }) });
    const record = classify(sandbox, baselineResult(IMAGE, TEST), []);
    assert.ok(record.details.includes(FANOTIFY.line), record.details);
  });

  test('syscall details keep full error', () => {
    const sandbox = failedSandbox({ evidence: evidence({ unsupportedSyscalls: [FANOTIFY] }) });
    const record = classify(sandbox, baselineResult(IMAGE, TEST), []);
    assert.ok(record.details.includes('Received: 1'), record.details);
  });

  test('behavior-diff message is first line', () => {
    const record = classify(failedSandbox(), baselineResult(IMAGE, TEST), []);
    assert.equal(record.message, 'Error: expect(received).toBe(expected) // Object.is equality');
  });

  test('behavior-diff message omits benign syscalls', () => {
    const sandbox = failedSandbox({ evidence: evidence({ unsupportedSyscalls: [RSEQ] }) });
    const record = classify(sandbox, baselineResult(IMAGE, TEST), []);
    assert.doesNotMatch(record.message, /rseq/);
  });

  test('behavior-diff details list benign syscalls', () => {
    const sandbox = failedSandbox({ evidence: evidence({ unsupportedSyscalls: [RSEQ] }) });
    const record = classify(sandbox, baselineResult(IMAGE, TEST), []);
    assert.ok(record.details.includes(RSEQ.line), record.details);
  });

  test('behavior-diff details give baseline outcome', () => {
    const record = classify(failedSandbox(), baselineResult(IMAGE, TEST), []);
    assert.match(record.details, /Outcome under the baseline runc: passed/);
  });

  test('crash message names the sandbox', () => {
    const sandbox = failedSandbox({ evidence: evidence({ panics: [SENTRY_PANIC] }) });
    const record = classify(sandbox, baselineResult(IMAGE, TEST), []);
    assert.equal(record.message, `runsc sandbox process died: ${SENTRY_PANIC.message}`);
  });

  test('crash details hold frames', () => {
    const sandbox = failedSandbox({ evidence: evidence({ panics: [SENTRY_PANIC] }) });
    const record = classify(sandbox, baselineResult(IMAGE, TEST), []);
    assert.ok(record.details.includes('gvisor.dev/gvisor/pkg/sentry/kernel.(*Task).run'), record.details);
  });

  test('baseline-failure message is baseline error', () => {
    const baseline = baselineResult(IMAGE, TEST, { outcome: 'failed', attempts: ['failed'], error: 'Error: connect ECONNREFUSED\n  at x' });
    const record = classify(failedSandbox(), baseline, []);
    assert.equal(record.message, 'Error: connect ECONNREFUSED');
  });

  test('flaky message lists tries', () => {
    const sandbox = sandboxResult(IMAGE, TEST, { attempts: ['failed', 'passed'] });
    const record = classify(sandbox, baselineResult(IMAGE, TEST), []);
    assert.equal(record.message, 'outcome changed between retries under runsc: failed, passed');
  });

  test('known message is reason', () => {
    const sandbox = failedSandbox({ evidence: evidence({ unsupportedSyscalls: [IO_URING] }) });
    const entry = knownEntry(IMAGE, TEST, { kind: 'literal', text: 'runsc' });
    const record = classify(sandbox, baselineResult(IMAGE, TEST), [entry]);
    assert.equal(record.message, entry.reason);
  });

  test('known details keep original verdict', () => {
    const sandbox = failedSandbox({ evidence: evidence({ unsupportedSyscalls: [IO_URING] }) });
    const entry = knownEntry(IMAGE, TEST, { kind: 'literal', text: 'runsc' });
    const record = classify(sandbox, baselineResult(IMAGE, TEST), [entry]);
    assert.match(record.details, /Verdict without the entry: syscall-incompatible: unsupported syscalls: io_uring_setup/);
  });

  test('fixed message asks for removal', () => {
    const entry = knownEntry(IMAGE, TEST, { kind: 'literal', text: 'runsc' });
    const record = classify(sandboxResult(IMAGE, TEST), baselineResult(IMAGE, TEST), [entry]);
    assert.equal(
      record.message,
      'the known incompatibility no longer reproduces under runsc: remove its entry at /work/matrix.yaml:42',
    );
  });

  test('record keeps both results', () => {
    const baseline = baselineResult(IMAGE, TEST);
    const record = classify(sandboxResult(IMAGE, TEST), baseline, []);
    assert.equal(record.baselineResult, baseline);
  });
});

describe('isFailure', () => {
  const expected: Record<Verdict, boolean> = {
    'syscall-incompatible': true,
    'behavior-diff': true,
    'sandbox-crash': true,
    'baseline-failure': true,
    fixed: true,
    compatible: false,
    known: false,
    flaky: false,
    'not-run': false,
  };
  for (const [verdict, failure] of Object.entries(expected)) {
    test(`isFailure ${verdict}`, () => {
      assert.equal(isFailure(verdict as Verdict), failure);
    });
  }
});
