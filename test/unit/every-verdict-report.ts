import { pairResults } from '../../src/report/pairing.js';
import type { FailedTry, RunReport, RuntimeInfo, StepRecord, TestRunResult } from '../../src/report/types.js';
import {
  EXPECT_FAILURE,
  FANOTIFY,
  IO_URING,
  RSEQ,
  SENTRY_PANIC,
  baselineResult,
  comparedValue,
  evidence,
  knownEntry,
  sandboxResult,
  unsupported,
} from './report-fixtures.js';

/**
 * A hand-built run with every verdict, for the tests of the report files (JUnit schema,
 * HTML). Three images run under runc and two runsc releases. Some tests change verdict
 * between the releases, and some names and errors carry HTML and XML markup.
 */

export const SANDBOX_2024 = 'runsc-20240729';

/** A failure message with markup that must stay text in every report. */
export const HOSTILE_ERROR = [
  'Error: expected <h1>, got </pre><script>window.gvmatrixInjected = true</script>',
  '<img src=x onerror="window.gvmatrixInjected = true"> ]]> & done',
].join('\n');

/** A test name with markup, quotes and an ampersand. */
export const HOSTILE_TEST = 'renders <b>bold</b> & "quotes"';

export const EVERY_VERDICT_RUNTIMES: RuntimeInfo[] = [
  { name: 'runc', kind: 'runc', baseline: true, path: '/usr/bin/runc', version: 'runc version 1.1.5+ds1', flags: [] },
  {
    name: 'runsc',
    kind: 'runsc',
    baseline: false,
    path: '/usr/bin/runsc',
    version: 'runsc version 0.0~20221219.0',
    flags: ['--network=host'],
  },
  {
    name: SANDBOX_2024,
    kind: 'runsc',
    baseline: false,
    path: '/opt/gvmatrix/runsc-20240729/runsc',
    version: 'runsc version 0.0~20240729.0',
    flags: ['--network=host'],
  },
];

const FANOTIFY_UNIMPLEMENTED = { ...FANOTIFY, support: { level: 'Unimplemented', note: 'Needs CONFIG_FANOTIFY.' } };
const IO_URING_PARTIAL = { ...IO_URING, support: { level: 'Partial Support', note: 'Only a subset of operations.' } };
/** ioctl(TIOCSTI), which runsc logs with the request number as the second argument. */
const TIOCSTI = {
  ...unsupported('ioctl', ['0x0', '0x5412', '0x7ffd9e1c', '0x0', '0x0', '0x0']),
  support: { level: 'Partial Support', note: 'Only a subset of ioctls.' },
};

/** Step records of a steps test: a host write and stat, then a reload the sandbox never logs. */
export const BASELINE_STEPS: StepRecord[] = [
  { index: 1, kind: 'host', description: 'host write conf/nginx.conf', durationMs: 2 },
  { index: 2, name: 'owner', kind: 'host', description: 'host stat conf/nginx.conf', containerUid: 0, containerGid: 101, durationMs: 1 },
  { index: 3, name: 'reload', kind: 'exec', description: 'exec nginx -s reload', exitCode: 0, stdout: '\nreloaded <ok>\nsecond line', stderr: '', durationMs: 340 },
];

export const SANDBOX_STEPS: StepRecord[] = [
  { index: 1, kind: 'host', description: 'host write conf/nginx.conf', durationMs: 3 },
  { index: 2, name: 'owner', kind: 'host', description: 'host stat conf/nginx.conf', containerUid: 65534, containerGid: 65534, durationMs: 1 },
  {
    index: 3,
    name: 'reload',
    kind: 'exec',
    description: 'exec nginx -s reload',
    exitCode: 1,
    stdout: '',
    stderr: '<script>window.gvmatrixInjected = true</script>',
    durationMs: 5100,
    error: 'exit code 1, expected 0',
  },
];

function failedTry(attempt: number, error: string): FailedTry {
  return { attempt, outcome: 'failed', error, durationMs: 800 };
}

/** Results of one test under runc and both runsc releases, each with its overrides. */
function triple(
  image: string,
  test: string,
  runsc: Partial<TestRunResult> = {},
  runsc2024: Partial<TestRunResult> = {},
  runc: Partial<TestRunResult> = {},
): TestRunResult[] {
  return [
    baselineResult(image, test, runc),
    sandboxResult(image, test, runsc),
    sandboxResult(image, test, { runtime: SANDBOX_2024, durationMs: 1600, ...runsc2024 }),
  ];
}

/** Builds the run: 11 tests, 22 verdicts, every verdict at least once. */
export function everyVerdictReport(): RunReport {
  const failed: Partial<TestRunResult> = { outcome: 'failed', attempts: ['failed'], error: EXPECT_FAILURE };
  const suiteTest: Partial<TestRunResult> = { source: 'suite', file: 'suites/nginx.spec.ts' };

  const results: TestRunResult[] = [
    ...triple(
      'nginx',
      'serves the default page',
      {
        evidence: evidence({ containerIds: ['c0ffee01', 'c0ffee02'], unsupportedSyscalls: [RSEQ, IO_URING_PARTIAL, RSEQ, TIOCSTI] }),
        timing: { startMs: 900, readyMs: 300, checkMs: 420, slowRatio: 3 },
      },
      { timing: { startMs: 700, readyMs: 200, checkMs: 150, slowRatio: 3 } },
      { timing: { startMs: 400, readyMs: 100, checkMs: 120, slowRatio: 3 } },
    ),
    ...triple(
      'nginx',
      'configuration is valid',
      { ...failed, evidence: evidence({ unsupportedSyscalls: [FANOTIFY_UNIMPLEMENTED] }), steps: SANDBOX_STEPS },
      {},
      { steps: BASELINE_STEPS },
    ),
    ...triple('nginx', 'note survives a second request', suiteTest, suiteTest, suiteTest),
    ...triple('postgres', 'insert and select', { ...failed, error: HOSTILE_ERROR }, { ...failed, error: HOSTILE_ERROR }),
    ...triple(
      'postgres',
      'server version',
      { compared: [comparedValue('stdout', 'PostgreSQL 15.8 <on> x86_64\n')] },
      { compared: [comparedValue('stdout', 'PostgreSQL 15.8 on x86_64\n')] },
      { compared: [comparedValue('stdout', 'PostgreSQL 15.8 on x86_64\n')] },
    ),
    ...triple('postgres', 'restart', { ...failed, evidence: evidence({ panics: [SENTRY_PANIC] }) }),
    ...triple('postgres', 'vacuum', failed, failed, { ...failed, error: 'Error: relation "t" does not exist' }),
    ...triple(
      'postgres',
      'uses io_uring',
      { ...failed, evidence: evidence({ unsupportedSyscalls: [IO_URING_PARTIAL] }) },
      { ...failed, evidence: evidence({ unsupportedSyscalls: [IO_URING_PARTIAL] }) },
    ),
    ...triple('redis', 'answers PING', { attempts: ['failed', 'passed'], failedTries: [failedTry(1, EXPECT_FAILURE)] }),
    ...triple('redis', 'saves to disk'),
    ...triple('redis', 'replicates', { outcome: 'skipped', attempts: ['skipped'] }, { outcome: 'interrupted', attempts: ['interrupted'] }),
    ...triple('redis', HOSTILE_TEST),
  ];
  const known = [
    knownEntry('postgres', 'uses io_uring', { kind: 'literal', text: 'runsc' }),
    knownEntry('redis', 'saves to disk', { kind: 'literal', text: 'runsc' }),
  ];

  const verdicts = pairResults(results, 'runc', known);
  return {
    runId: '20261204-210403-every',
    matrixFile: '/work/matrix.yaml',
    startedAt: '2026-12-04T21:04:03.000Z',
    finishedAt: '2026-12-04T21:09:10.000Z',
    runtimes: EVERY_VERDICT_RUNTIMES,
    results,
    verdicts,
  };
}
