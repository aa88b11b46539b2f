import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FullConfig, FullResult, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import ProgressReporter from '../../src/report/progress-reporter.js';

/** Builds a Playwright test case as the reporter reads it: title path, project and results. */
function fakeTest(title: string, runtime: string, statuses: TestResult['status'][], file = '/run/specs/matrix.spec.mjs'): TestCase {
  const results = statuses.map((status, retry) => ({ status, retry }) as TestResult);
  const describes = file.endsWith('matrix.spec.mjs') ? ['redis', ''] : [];
  return {
    id: `${runtime}-${title}`,
    titlePath: () => ['', runtime, file, ...describes, title],
    location: { file },
    parent: { project: () => ({ name: runtime }) },
    results,
  } as unknown as TestCase;
}

function run(tests: TestCase[], failure: TestResult): string {
  let output = '';
  const reporter = new ProgressReporter({ write: (text) => (output += text), suiteImages: { '/m/suites/redis.spec.ts': 'redis' } });
  reporter.onBegin({ workers: 2 } as FullConfig, { allTests: () => tests } as unknown as Suite);
  for (const testCase of tests) {
    reporter.onTestBegin(testCase, testCase.results[0] ?? ({ retry: 0 } as TestResult));
  }
  reporter.onTestEnd(tests[1]!, failure);
  reporter.onTestBegin(tests[2]!, { retry: 1 } as TestResult);
  reporter.onEnd({ status: 'passed', duration: 12_345 } as FullResult);
  return output;
}

test('progress lists tests and counts outcomes', () => {
  const tests = [
    fakeTest('set then get', 'runc', ['passed']),
    fakeTest('stat reads snapshot size', 'runsc', ['failed']),
    fakeTest('key expires', 'runsc', ['failed', 'passed']),
    fakeTest('pipeline', 'runsc', []),
    fakeTest('pipelined commands reply in order', 'runsc', ['interrupted'], '/m/suites/redis.spec.ts'),
  ];
  const message = `\u001b[31mexpected 0\u001b[39m\n${Array.from({ length: 9 }, (_, index) => `line ${index + 2}`).join('\n')}`;
  const output = run(tests, { status: 'failed', retry: 0, error: { message } } as unknown as TestResult);

  assert.match(output, /^\nRunning 5 tests using 2 workers\n\n/);
  assert.match(output, /^\[1\/5\] \[runc\] › redis › set then get$/m);
  assert.match(output, /^ {2}failed: \[runsc\] › redis › stat reads snapshot size\n {6}expected 0 \[9 more lines in the reports\]$/m);
  assert.doesNotMatch(output, /\u001b/);
  // A retry keeps its test's number, and a suite's test gets its image from the suite file.
  assert.match(output, /^\[3\/5\] \[runsc\] › redis › key expires \(retry #1\)$/m);
  assert.match(output, /^\[5\/5\] \[runsc\] › redis › pipelined commands reply in order$/m);
  assert.doesNotMatch(output, /\[6\/5\]/);
  assert.match(output, /^ {2}1 passed, 1 failed, 1 passed on a retry, 1 interrupted, 1 did not run in 12\.3 s$/m);
});

test('progress says how a run ended', () => {
  let output = '';
  const reporter = new ProgressReporter({ write: (text) => (output += text) });
  reporter.onBegin({ workers: 1 } as FullConfig, { allTests: () => [] } as unknown as Suite);
  reporter.onEnd({ status: 'interrupted', duration: 1_000 } as FullResult);
  assert.match(output, /Running 0 tests using 1 worker\n/);
  assert.match(output, /0 passed, 0 failed in 1\.0 s \(Playwright: interrupted\)/);
});
