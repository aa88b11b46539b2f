import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FullConfig, FullResult, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import { CONTEXT_ENV, type RunContext } from '../../src/driver/context.js';
import type { TestEvidence } from '../../src/evidence/types.js';
import { EVIDENCE_ATTACHMENT, OBSERVED_ATTACHMENT } from '../../src/driver/annotations.js';
import { COMPARE_ATTACHMENT, type ComparedValue } from '../../src/driver/compared-values.js';
import GvmatrixReporter, { REPORTS_DIR_ENV } from '../../src/report/reporter.js';
import { MAX_REPORTED_STEP_TEXT } from '../../src/report/steps-attachment.js';
import type { RunReport, StepRecord } from '../../src/report/types.js';
import { FANOTIFY, IO_URING, RSEQ, RUNTIMES, comparedValue, evidence, knownEntry } from './report-fixtures.js';

/** Hand-built stand-ins for Playwright's objects, with only the fields the reporter reads. */
interface FakeProject {
  name: string;
  metadata: { runtime: string };
}

let folder = '';

function writeContext(): string {
  const context: RunContext & { known: unknown[] } = {
    runId: 'run-7',
    matrixFile: join(folder, 'matrix.yaml'),
    reportsDir: join(folder, 'reports'),
    runDir: join(folder, 'run'),
    startedAt: '2024-12-04T19:34:40.000Z',
    runtimes: RUNTIMES.map((runtime) => ({ ...runtime, socket: join(folder, `${runtime.name}.sock`) })),
    known: [knownEntry('postgres', 'uses io_uring', { kind: 'literal', text: 'runsc' })],
  };
  const file = join(folder, 'context.json');
  writeFileSync(file, JSON.stringify(context));
  return file;
}

function projectSuite(project: FakeProject, tests: unknown[]): Suite {
  const suite = { type: 'project', title: project.name, project: () => project, parent: undefined, suites: [], tests };
  return suite as unknown as Suite;
}

function fakeTest(project: Suite, image: string, name: string): TestCase {
  const fileSuite = { type: 'file', title: 'matrix.generated.spec.ts', project: () => project.project(), parent: project };
  const testCase = {
    id: `${project.title}-${image}-${name}`,
    title: `${image} › ${name}`,
    annotations: [
      { type: 'gvmatrix.image', description: image },
      { type: 'gvmatrix.test', description: name },
      { type: 'gvmatrix.source', description: 'matrix' },
    ],
    location: { file: join(folder, 'run', 'matrix.generated.spec.ts'), line: 1, column: 1 },
    parent: fileSuite,
  };
  return testCase as unknown as TestCase;
}

function fakeResult(retry: number, status: TestResult['status'], found?: TestEvidence, message?: string): TestResult {
  const errors = message ? [{ message }] : [];
  const attachments = found
    ? [{ name: EVIDENCE_ATTACHMENT, contentType: 'application/json', body: Buffer.from(JSON.stringify(found)) }]
    : [];
  const result = { retry, status, duration: 1250, errors, error: errors[0], attachments };
  return result as unknown as TestResult;
}

function withCompared(result: TestResult, values: ComparedValue[]): TestResult {
  result.attachments.push({ name: COMPARE_ATTACHMENT, contentType: 'application/json', body: Buffer.from(JSON.stringify(values)) });
  return result;
}

function withObserved(result: TestResult, observed: unknown): TestResult {
  result.attachments.push({ name: OBSERVED_ATTACHMENT, contentType: 'application/json', body: Buffer.from(JSON.stringify(observed)) });
  return result;
}

function waitStep(fields: Partial<StepRecord> = {}): StepRecord {
  return { index: 2, kind: 'wait', description: 'wait for log line matching /loaded: level=2/', durationMs: 13, stdout: 'ready after 12 ms', ...fields };
}

function rootSuite(projects: Suite[], tests: TestCase[]): Suite {
  return { suites: projects, allTests: () => tests } as unknown as Suite;
}

const fullResult = { status: 'failed', startTime: new Date('2024-12-04T19:34:41.000Z'), duration: 30_000 } as FullResult;

/** Drives one reporter through a small run: two runtimes, four tests, one retried, one never started. */
async function runReporter(options: { outputDir?: string; configDir?: string } = {}): Promise<void> {
  const runc = projectSuite({ name: 'runc', metadata: { runtime: 'runc' } }, []);
  const runsc = projectSuite({ name: 'runsc', metadata: { runtime: 'runsc' } }, []);
  const tests = {
    pageRunc: fakeTest(runc, 'nginx', 'serves the default page'),
    pageRunsc: fakeTest(runsc, 'nginx', 'serves the default page'),
    configRunc: fakeTest(runc, 'nginx', 'configuration is valid'),
    configRunsc: fakeTest(runsc, 'nginx', 'configuration is valid'),
    uringRunc: fakeTest(runc, 'postgres', 'uses io_uring'),
    uringRunsc: fakeTest(runsc, 'postgres', 'uses io_uring'),
    backupRunc: fakeTest(runc, 'postgres', 'backup'),
    backupRunsc: fakeTest(runsc, 'postgres', 'backup'),
  };

  const reporter = new GvmatrixReporter(options);
  reporter.onBegin({} as FullConfig, rootSuite([runc, runsc], Object.values(tests)));

  reporter.onTestEnd(tests.pageRunc, fakeResult(0, 'passed', evidence({ containerIds: ['aaa1'] })));
  reporter.onTestEnd(tests.pageRunsc, fakeResult(0, 'failed', evidence({ containerIds: ['bbb1'], unsupportedSyscalls: [RSEQ] }), '\u001b[31mError: timed out\u001b[39m'));
  reporter.onTestEnd(tests.pageRunsc, fakeResult(1, 'passed', evidence({ containerIds: ['bbb2'], unsupportedSyscalls: [RSEQ] })));
  reporter.onTestEnd(tests.configRunc, fakeResult(0, 'passed'));
  reporter.onTestEnd(
    tests.configRunsc,
    fakeResult(0, 'failed', evidence({ unsupportedSyscalls: [FANOTIFY] }), 'Error: \u001b[2mexpect(\u001b[22mreceived).toBe(expected)\n\nExpected: 0\nReceived: 1'),
  );
  reporter.onTestEnd(tests.uringRunc, fakeResult(0, 'passed'));
  reporter.onTestEnd(tests.uringRunsc, fakeResult(0, 'failed', evidence({ unsupportedSyscalls: [IO_URING] }), 'Error: io_uring_setup failed'));
  reporter.onTestEnd(tests.backupRunc, fakeResult(0, 'passed'));

  await reporter.onEnd(fullResult);
}

function readReport(dir: string): RunReport {
  return JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as RunReport;
}

function verdictOf(report: RunReport, image: string, name: string): string | undefined {
  return report.verdicts.find((record) => record.image === image && record.test === name)?.verdict;
}

describe('GvmatrixReporter', () => {
  let report: RunReport;

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'gvmatrix-reporter-'));
    process.env[CONTEXT_ENV] = writeContext();
    delete process.env[REPORTS_DIR_ENV];
    await runReporter();
    report = readReport(join(folder, 'reports'));
  });

  after(() => {
    delete process.env[CONTEXT_ENV];
    delete process.env[REPORTS_DIR_ENV];
    rmSync(folder, { recursive: true, force: true });
  });

  test('prints nothing to stdio', () => {
    assert.equal(new GvmatrixReporter().printsToStdio(), false);
  });

  test('results.json has run id', () => {
    assert.equal(report.runId, 'run-7');
  });

  test('finishedAt from run duration', () => {
    assert.equal(report.finishedAt, '2024-12-04T19:35:11.000Z');
  });

  test('one result per test and runtime', () => {
    assert.equal(report.results.length, 8);
  });

  test('runtimes without sockets', () => {
    assert.deepEqual(report.runtimes, RUNTIMES);
  });

  test('retried test keeps attempts', () => {
    const result = report.results.find((item) => item.runtime === 'runsc' && item.test === 'serves the default page');
    assert.deepEqual(result?.attempts, ['failed', 'passed']);
  });

  test('retried test merges evidence', () => {
    const result = report.results.find((item) => item.runtime === 'runsc' && item.test === 'serves the default page');
    assert.deepEqual(result?.evidence.containerIds, ['bbb1', 'bbb2']);
  });

  test('merged evidence drops duplicates', () => {
    const result = report.results.find((item) => item.runtime === 'runsc' && item.test === 'serves the default page');
    assert.equal(result?.evidence.unsupportedSyscalls.length, 1);
  });

  test('retried test keeps failed tries', () => {
    const result = report.results.find((item) => item.runtime === 'runsc' && item.test === 'serves the default page');
    assert.deepEqual(result?.failedTries, [{ attempt: 1, outcome: 'failed', error: 'Error: timed out', durationMs: 1250 }]);
  });

  test('passing test has no failed tries', () => {
    const result = report.results.find((item) => item.runtime === 'runc' && item.test === 'serves the default page');
    assert.equal(result?.failedTries, undefined);
  });

  test('error without ANSI escapes', () => {
    const result = report.results.find((item) => item.runtime === 'runsc' && item.test === 'configuration is valid');
    assert.equal(result?.error, 'Error: expect(received).toBe(expected)\n\nExpected: 0\nReceived: 1');
  });

  test('retried test is flaky', () => {
    assert.equal(verdictOf(report, 'nginx', 'serves the default page'), 'flaky');
  });

  test('fanotify failure is syscall-incompatible', () => {
    assert.equal(verdictOf(report, 'nginx', 'configuration is valid'), 'syscall-incompatible');
  });

  test('context known entry applies', () => {
    assert.equal(verdictOf(report, 'postgres', 'uses io_uring'), 'known');
  });

  test('test never started is not-run', () => {
    assert.equal(verdictOf(report, 'postgres', 'backup'), 'not-run');
  });

  test('junit.xml is well-formed', () => {
    const check = spawnSync('xmllint', ['--noout', join(folder, 'reports', 'junit.xml')], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
  });

  test('index.html names the run', () => {
    const page = readFileSync(join(folder, 'reports', 'index.html'), 'utf8');
    assert.match(page, new RegExp(`<title>gvmatrix ${report.runId}</title>`));
  });

  test('no temporary files left', () => {
    assert.deepEqual(readdirSync(join(folder, 'reports')).sort(), ['index.html', 'junit.xml', 'results.json']);
  });

  test('environment overrides outputDir', async () => {
    const fromEnvironment = join(folder, 'from-env');
    process.env[REPORTS_DIR_ENV] = fromEnvironment;
    try {
      await runReporter({ outputDir: 'from-option', configDir: folder });
    } finally {
      delete process.env[REPORTS_DIR_ENV];
    }
    assert.deepEqual(readdirSync(fromEnvironment).sort(), ['index.html', 'junit.xml', 'results.json']);
  });

  test('outputDir resolves from configDir', async () => {
    await runReporter({ outputDir: 'from-option', configDir: folder });
    assert.equal(readReport(join(folder, 'from-option')).results.length, 8);
  });

  test('invalid evidence keeps the result', async () => {
    const runsc = projectSuite({ name: 'runsc', metadata: { runtime: 'runsc' } }, []);
    const broken = fakeTest(runsc, 'redis', 'ping');
    const result = fakeResult(0, 'passed');
    result.attachments.push({ name: EVIDENCE_ATTACHMENT, contentType: 'application/json', body: Buffer.from('{"containerIds": 3}') });
    const outputDir = join(folder, 'broken');

    const reporter = new GvmatrixReporter({ outputDir });
    assert.throws(() => reporter.onTestEnd(broken, result), /containerIds must be an array/);
    await reporter.onEnd(fullResult);
    assert.equal(readReport(outputDir).results.length, 1);
  });

  test('compared values from last try', async () => {
    const runc = projectSuite({ name: 'runc', metadata: { runtime: 'runc' } }, []);
    const runsc = projectSuite({ name: 'runsc', metadata: { runtime: 'runsc' } }, []);
    const releaseRunc = fakeTest(runc, 'it-syscalls', 'kernel release');
    const releaseRunsc = fakeTest(runsc, 'it-syscalls', 'kernel release');
    const outputDir = join(folder, 'compared');

    const reporter = new GvmatrixReporter({ outputDir });
    reporter.onBegin({} as FullConfig, rootSuite([runc, runsc], [releaseRunc, releaseRunsc]));
    reporter.onTestEnd(releaseRunc, withCompared(fakeResult(0, 'passed'), [comparedValue('stdout', '6.18.44-fc-v1272\n')]));
    reporter.onTestEnd(releaseRunsc, withCompared(fakeResult(0, 'failed', undefined, 'Error: exec timed out'), [comparedValue('stdout', '')]));
    reporter.onTestEnd(releaseRunsc, withCompared(fakeResult(1, 'passed'), [comparedValue('stdout', '4.4.0\n')]));
    await reporter.onEnd(fullResult);
    const written = readReport(outputDir);

    const sandbox = written.results.find((item) => item.runtime === 'runsc');
    assert.equal(sandbox?.compared?.[0]?.value, '4.4.0\n');
    assert.equal(written.verdicts[0]?.verdict, 'behavior-diff');
    assert.equal(written.verdicts[0]?.differences?.[0]?.observable, 'stdout');
  });

  test('invalid compare attachment keeps result', async () => {
    const runsc = projectSuite({ name: 'runsc', metadata: { runtime: 'runsc' } }, []);
    const broken = fakeTest(runsc, 'redis', 'ping');
    const result = withCompared(fakeResult(0, 'passed', evidence({ containerIds: ['ccc1'] })), []);
    result.attachments[1]!.body = Buffer.from('[{"observable": "stdout"}]');
    const outputDir = join(folder, 'broken-compare');

    const reporter = new GvmatrixReporter({ outputDir });
    assert.throws(() => reporter.onTestEnd(broken, result), /gvmatrix-compare attachment .* field value of entry 1 must be a string/);
    await reporter.onEnd(fullResult);
    assert.deepEqual(readReport(outputDir).results[0]?.evidence.containerIds, ['ccc1']);
  });

  test('steps records from last try', async () => {
    const runc = projectSuite({ name: 'runc', metadata: { runtime: 'runc' } }, []);
    const runsc = projectSuite({ name: 'runsc', metadata: { runtime: 'runsc' } }, []);
    const reloadRunc = fakeTest(runc, 'config-watch', 'host change reloads configuration');
    const reloadRunsc = fakeTest(runsc, 'config-watch', 'host change reloads configuration');
    const outputDir = join(folder, 'steps');
    const timedOut = waitStep({ durationMs: 5115, stdout: undefined, error: `timed out after 5000 ms; log so far: ${'w'.repeat(MAX_REPORTED_STEP_TEXT)}` });

    const reporter = new GvmatrixReporter({ outputDir });
    reporter.onBegin({} as FullConfig, rootSuite([runc, runsc], [reloadRunc, reloadRunsc]));
    reporter.onTestEnd(reloadRunc, withObserved(fakeResult(0, 'passed'), { kind: 'steps', steps: [waitStep()] }));
    reporter.onTestEnd(reloadRunsc, withObserved(fakeResult(0, 'failed', undefined, 'Error: step 2 failed'), { kind: 'steps', steps: [waitStep({ error: 'first try' })] }));
    reporter.onTestEnd(reloadRunsc, withObserved(fakeResult(1, 'failed', undefined, 'Error: step 2 failed'), { kind: 'steps', steps: [timedOut] }));
    await reporter.onEnd(fullResult);
    const written = readReport(outputDir);

    const baseline = written.results.find((item) => item.runtime === 'runc');
    const sandbox = written.results.find((item) => item.runtime === 'runsc');
    assert.deepEqual(baseline?.steps, [waitStep()]);
    assert.equal(sandbox?.steps?.length, 1);
    assert.equal(sandbox?.steps?.[0]?.error?.indexOf('\n'), MAX_REPORTED_STEP_TEXT);
    assert.equal(sandbox?.steps?.[0]?.error?.slice(MAX_REPORTED_STEP_TEXT), '\n[gvmatrix: 37 more characters dropped]');
  });

  test('exec observed record left out', async () => {
    const runsc = projectSuite({ name: 'runsc', metadata: { runtime: 'runsc' } }, []);
    const release = fakeTest(runsc, 'it-syscalls', 'kernel release');
    const outputDir = join(folder, 'observed-exec');

    const reporter = new GvmatrixReporter({ outputDir });
    reporter.onTestEnd(release, withObserved(fakeResult(0, 'passed'), { kind: 'exec', command: ['uname', '-r'], exitCode: 0, stdout: '4.4.0\n', stderr: '' }));
    await reporter.onEnd(fullResult);
    const [result] = readReport(outputDir).results;

    assert.equal(result?.outcome, 'passed');
    assert.equal(result !== undefined && 'steps' in result, false);
  });

  test('invalid steps attachment keeps result', async () => {
    const runsc = projectSuite({ name: 'runsc', metadata: { runtime: 'runsc' } }, []);
    const broken = fakeTest(runsc, 'config-watch', 'host change is read');
    const result = withObserved(fakeResult(0, 'passed', evidence({ containerIds: ['ddd1'] })), { kind: 'steps', steps: [waitStep({ durationMs: '13 ms' as unknown as number })] });
    const outputDir = join(folder, 'broken-steps');

    const reporter = new GvmatrixReporter({ outputDir });
    assert.throws(
      () => reporter.onTestEnd(broken, result),
      /the gvmatrix-observed attachment of "config-watch › host change is read" under runsc \(try 1\) is invalid: field durationMs of step record 1 must be a number, got "13 ms"\. The result is kept without step records/,
    );
    await reporter.onEnd(fullResult);
    const [written] = readReport(outputDir).results;

    assert.deepEqual(written?.evidence.containerIds, ['ddd1']);
    assert.equal(written?.steps, undefined);
  });

  test('missing annotations fall back to titles', async () => {
    const runsc = projectSuite({ name: 'runsc', metadata: { runtime: 'runsc' } }, []);
    const fileSuite = { type: 'file', title: 'suites/redis.spec.ts', project: () => runsc.project(), parent: runsc };
    const describeSuite = { type: 'describe', title: 'redis', project: () => runsc.project(), parent: fileSuite };
    const plain = {
      id: 'plain-1',
      title: 'answers PING',
      annotations: [],
      location: { file: join(folder, 'suites', 'redis.spec.ts'), line: 3, column: 1 },
      parent: describeSuite,
    } as unknown as TestCase;
    const outputDir = join(folder, 'plain');

    const reporter = new GvmatrixReporter({ outputDir });
    reporter.onTestEnd(plain, fakeResult(0, 'passed'));
    await reporter.onEnd(fullResult);
    const [result] = readReport(outputDir).results;

    assert.equal(result?.image, 'redis');
    assert.equal(result?.test, 'answers PING');
    assert.equal(result?.source, 'suite');
    assert.equal(result?.file, join('suites', 'redis.spec.ts'));
  });

  test('unknown project runtime is reported', () => {
    const stray = projectSuite({ name: 'crun', metadata: { runtime: 'crun' } }, []);
    const reporter = new GvmatrixReporter({ outputDir: join(folder, 'stray') });
    assert.throws(() => reporter.onBegin({} as FullConfig, rootSuite([stray], [])), /crun \(runtime crun\)/);
  });
});
