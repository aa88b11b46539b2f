import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatResultLine, formatStoppedResultLine } from '../../src/cli/result-line.js';
import { decideGate, failsGate, type FailOnPolicy } from '../../src/report/gate.js';
import { formatGate } from '../../src/report/gate-text.js';
import { VERDICT_ORDER } from '../../src/report/summary.js';
import type { Verdict } from '../../src/report/types.js';
import { entry, reportWith, verdictRecord } from './gate-fixtures.js';

/** The policy table as the README states it: which verdicts fail the gate under each policy. */
const FAILING: Record<FailOnPolicy, Verdict[]> = {
  new: ['syscall-incompatible', 'behavior-diff', 'sandbox-crash', 'baseline-failure', 'fixed'],
  any: ['syscall-incompatible', 'behavior-diff', 'sandbox-crash', 'baseline-failure', 'fixed', 'known'],
  none: [],
};

describe('failsGate policy table', () => {
  for (const policy of ['new', 'any', 'none'] as const) {
    for (const verdict of VERDICT_ORDER) {
      const expected = FAILING[policy].includes(verdict);
      test(`${verdict} under ${policy}`, () => {
        assert.equal(failsGate(verdict, policy), expected);
      });
    }
  }
});

describe('decideGate', () => {
  const mixed = reportWith([
    verdictRecord('app', 'starts', 'compatible'),
    verdictRecord('app', 'uses io_uring', 'known'),
    verdictRecord('app', 'reads stats', 'behavior-diff'),
  ]);

  test('new fails on behavior-diff', () => {
    const gate = decideGate(mixed, [], 'new');
    assert.equal(gate.status, 'fail');
    assert.equal(gate.exitCode, 1);
    assert.deepEqual(gate.failing.map((failure) => failure.test), ['reads stats']);
  });

  test('any also lists known', () => {
    const gate = decideGate(mixed, [], 'any');
    assert.deepEqual(gate.failing.map((failure) => failure.test), ['uses io_uring', 'reads stats']);
  });

  test('none passes with failures', () => {
    const gate = decideGate(mixed, [], 'none');
    assert.equal(gate.status, 'pass');
    assert.equal(gate.exitCode, 0);
    assert.deepEqual(gate.failing, []);
  });

  test('new passes on known only', () => {
    const report = reportWith([verdictRecord('app', 'starts', 'compatible'), verdictRecord('app', 'uses io_uring', 'known')]);
    assert.equal(decideGate(report, [], 'new').exitCode, 0);
    assert.equal(decideGate(report, [], 'any').exitCode, 1);
  });

  test('flaky and not-run pass', () => {
    const report = reportWith([verdictRecord('app', 'starts', 'flaky'), verdictRecord('app', 'stops', 'not-run')]);
    assert.equal(decideGate(report, [], 'any').exitCode, 0);
  });

  test('expired entry fails new', () => {
    const report = reportWith([verdictRecord('app', 'uses io_uring', 'known')]);
    const gate = decideGate(report, [entry('app', 'uses io_uring', { expires: '2026-03-09' })], 'new');
    assert.equal(gate.status, 'fail');
    assert.deepEqual(gate.failing, []);
    assert.equal(gate.knownEntries.expired.length, 1);
  });

  test('expired entry passes none', () => {
    const report = reportWith([verdictRecord('app', 'uses io_uring', 'known')]);
    const gate = decideGate(report, [entry('app', 'uses io_uring', { expires: '2026-03-09' })], 'none');
    assert.equal(gate.status, 'pass');
    assert.equal(gate.knownEntries.expired.length, 1);
  });

  test('unmatched entry only warns', () => {
    const report = reportWith([verdictRecord('app', 'starts', 'compatible')]);
    const gate = decideGate(report, [entry('app', 'old test name')], 'new');
    assert.equal(gate.status, 'pass');
    assert.equal(gate.knownEntries.unmatched.length, 1);
  });

  test('counts in summary order', () => {
    const gate = decideGate(mixed, [], 'new');
    assert.deepEqual(Object.entries(gate.verdictCounts), [
      ['compatible', 1],
      ['behavior-diff', 1],
      ['known', 1],
    ]);
  });
});

describe('result line', () => {
  test('failed gate', () => {
    const report = reportWith([
      verdictRecord('app', 'starts', 'compatible'),
      verdictRecord('app', 'uses io_uring', 'known'),
      verdictRecord('app', 'reads stats', 'behavior-diff'),
    ]);
    const line = formatResultLine(decideGate(report, [entry('app', 'gone')], 'new'), report.runId);
    assert.equal(
      line,
      'gvmatrix-result: status=fail gate=new exit=1 verdicts=compatible:1,behavior-diff:1,known:1 failing=1 expired=0 unmatched=1 slow=0 run=20260310-120000-abcdef',
    );
  });

  test('passed gate with expired entry', () => {
    const report = reportWith([verdictRecord('app', 'uses io_uring', 'known')]);
    const gate = decideGate(report, [entry('app', 'uses io_uring', { expires: '2026-01-31' })], 'none');
    assert.equal(
      formatResultLine(gate, report.runId),
      'gvmatrix-result: status=pass gate=none exit=0 verdicts=known:1 failing=0 expired=1 unmatched=0 slow=0 run=20260310-120000-abcdef',
    );
  });

  test('environment error', () => {
    assert.equal(formatStoppedResultLine('any', 3), 'gvmatrix-result: status=error gate=any exit=3 verdicts= failing=0 expired=0 unmatched=0 slow=0 run=');
  });

  test('interrupted run', () => {
    assert.match(formatStoppedResultLine('new', 130), /^gvmatrix-result: status=interrupted gate=new exit=130 /);
  });

  test('fields split on spaces', () => {
    const report = reportWith([verdictRecord('my app', 'has spaces', 'behavior-diff')]);
    const fields = formatResultLine(decideGate(report, [], 'new'), report.runId).split(' ').slice(1);
    const keys = fields.map((field) => field.slice(0, field.indexOf('=')));
    assert.deepEqual(keys, ['status', 'gate', 'exit', 'verdicts', 'failing', 'expired', 'unmatched', 'slow', 'run']);
  });
});

describe('formatGate', () => {
  test('failing decision line', () => {
    const report = reportWith([verdictRecord('app', 'reads stats', 'behavior-diff'), verdictRecord('app', 'uses io_uring', 'known')]);
    const text = formatGate(decideGate(report, [entry('app', 'uses io_uring', { expires: '2026-03-01' })], 'new'));
    assert.equal(text.split('\n').at(-1), 'gate --fail-on new: fail, because of 1 verdict (1 behavior-diff) and 1 expired known: entry');
  });

  test('expired entry names place', () => {
    const report = reportWith([verdictRecord('app', 'uses io_uring', 'known')]);
    const text = formatGate(decideGate(report, [entry('app', 'uses io_uring', { expires: '2026-03-01', line: 57 })], 'new'));
    assert.match(text, /^Expired known: entries:\n {2}known: entry for app › uses io_uring \[runsc\] at \/work\/matrix\.yaml:57 expired: expires: 2026-03-01 is before the run date 2026-03-10;/);
  });

  test('passing line names stricter policy', () => {
    const report = reportWith([verdictRecord('app', 'uses io_uring', 'known')]);
    const text = formatGate(decideGate(report, [], 'new'));
    assert.equal(text, 'gate --fail-on new: pass; --fail-on any would fail because of 1 verdict (1 known)');
  });

  test('none names what new fails', () => {
    const report = reportWith([verdictRecord('app', 'reads stats', 'sandbox-crash')]);
    const text = formatGate(decideGate(report, [], 'none'));
    assert.equal(text, 'gate --fail-on none: pass; --fail-on new would fail because of 1 verdict (1 sandbox-crash)');
  });

  test('unmatched entry is a warning', () => {
    const report = reportWith([verdictRecord('app', 'starts', 'compatible')]);
    const text = formatGate(decideGate(report, [entry('app', 'old name', { line: 12 })], 'new'));
    assert.match(text, /^Warnings, known: entries that match no test of this run:\n {2}known: entry for app › old name \[runsc\] at \/work\/matrix\.yaml:12 matches no test of this run/);
    assert.equal(text.split('\n').at(-1), 'gate --fail-on new: pass');
  });
});
