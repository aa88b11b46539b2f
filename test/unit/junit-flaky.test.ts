import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildJUnit } from '../../src/report/junit.js';
import { pairResults } from '../../src/report/pairing.js';
import type { FailedTry, RunReport, TestRunResult } from '../../src/report/types.js';
import { EXPECT_FAILURE, RUNTIMES, baselineResult, sandboxResult } from './report-fixtures.js';

const TIMEOUT_ERROR = 'Test timeout of 30000ms exceeded.';
/** A try error with a NUL byte, colour codes and a CDATA terminator, all of which XML must not receive raw. */
const HOSTILE_ERROR = 'Error: got \u0000\u001b[31mred\u001b[39m ]]> back\n\nReceived: 1';

function failedTry(attempt: number, outcome: FailedTry['outcome'], error?: string): FailedTry {
  return error === undefined ? { attempt, outcome, durationMs: 900 } : { attempt, outcome, error, durationMs: 900 };
}

function buildReport(): RunReport {
  const results: TestRunResult[] = [
    baselineResult('redis', 'answers PING'),
    sandboxResult('redis', 'answers PING', {
      attempts: ['failed', 'timedOut', 'passed'],
      failedTries: [failedTry(1, 'failed', EXPECT_FAILURE), failedTry(2, 'timedOut', TIMEOUT_ERROR)],
    }),
    baselineResult('redis', 'survives restart', {
      attempts: ['failed', 'passed'],
      failedTries: [failedTry(1, 'failed', HOSTILE_ERROR)],
    }),
    sandboxResult('redis', 'survives restart'),
    baselineResult('redis', 'saves to disk'),
    sandboxResult('redis', 'saves to disk', {
      outcome: 'failed',
      attempts: ['failed', 'failed'],
      error: EXPECT_FAILURE,
      failedTries: [failedTry(1, 'failed', EXPECT_FAILURE), failedTry(2, 'failed', EXPECT_FAILURE)],
    }),
    baselineResult('redis', 'reports info'),
    sandboxResult('redis', 'reports info', { attempts: ['failed', 'passed'], failedTries: [failedTry(1, 'failed')] }),
  ];

  return {
    runId: 'run-3',
    matrixFile: '/work/matrix.yaml',
    startedAt: '2026-12-04T20:33:40.000Z',
    finishedAt: '2026-12-04T20:34:10.000Z',
    runtimes: RUNTIMES,
    results,
    verdicts: pairResults(results, 'runc', []),
  };
}

describe('flakyFailure in JUnit', () => {
  let folder = '';
  let file = '';

  const xpath = (expression: string) => execFileSync('xmllint', ['--xpath', expression, file], { encoding: 'utf8' }).trim();
  const testCase = (runtime: string, name: string) => `//testcase[@classname="redis.${runtime}" and @name="${name}"]`;

  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'gvmatrix-flaky-'));
    file = join(folder, 'junit.xml');
    writeFileSync(file, buildJUnit(buildReport()));
  });

  after(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  test('xml is well-formed', () => {
    const check = spawnSync('xmllint', ['--noout', file], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
  });

  test('one flakyFailure per failed try', () => {
    assert.equal(xpath(`count(${testCase('runsc', 'answers PING')}/flakyFailure)`), '2');
  });

  test('flakyFailure message names the try', () => {
    const message = xpath(`string(${testCase('runsc', 'answers PING')}/flakyFailure[1]/@message)`);
    assert.equal(message, 'try 1: Error: expect(received).toBe(expected) // Object.is equality');
  });

  test('flakyFailure type is the outcome', () => {
    const types = [1, 2].map((index) => xpath(`string(${testCase('runsc', 'answers PING')}/flakyFailure[${index}]/@type)`));
    assert.deepEqual(types, ['failed', 'timedOut']);
  });

  test('stackTrace holds the error', () => {
    const stackTrace = xpath(`string(${testCase('runsc', 'answers PING')}/flakyFailure[1]/stackTrace)`);
    assert.equal(stackTrace, EXPECT_FAILURE);
  });

  test('flaky testcase has no failure', () => {
    assert.equal(xpath(`count(${testCase('runsc', 'answers PING')}/failure)`), '0');
  });

  test('flaky elements precede system-out', () => {
    assert.equal(xpath(`count(${testCase('runsc', 'answers PING')}/system-out/preceding-sibling::flakyFailure)`), '2');
  });

  test('suite counts flaky as passed', () => {
    assert.equal(xpath('string(//testsuite[@name="redis [runsc]"]/@failures)'), '1');
  });

  test('flaky baseline testcase marked', () => {
    assert.equal(xpath(`count(${testCase('runc', 'survives restart')}/flakyFailure)`), '1');
  });

  test('hostile error is cleaned', () => {
    const stackTrace = xpath(`string(${testCase('runc', 'survives restart')}/flakyFailure/stackTrace)`);
    assert.equal(stackTrace, 'Error: got red ]]&gt; back\n\nReceived: 1');
  });

  test('sandbox flaky only by baseline', () => {
    assert.equal(xpath(`count(${testCase('runsc', 'survives restart')}/flakyFailure)`), '0');
  });

  test('failing testcase gets none', () => {
    assert.equal(xpath(`count(${testCase('runsc', 'saves to disk')}/flakyFailure)`), '0');
  });

  test('try without error keeps stackTrace', () => {
    assert.equal(xpath(`count(${testCase('runsc', 'reports info')}/flakyFailure/stackTrace)`), '1');
  });

  test('try without error message', () => {
    const message = xpath(`string(${testCase('runsc', 'reports info')}/flakyFailure/@message)`);
    assert.equal(message, 'try 1: failed with no error message');
  });
});
