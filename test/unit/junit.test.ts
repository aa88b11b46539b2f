import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildJUnit } from '../../src/report/junit.js';
import { pairResults } from '../../src/report/pairing.js';
import type { RunReport, StepRecord, TestRunResult } from '../../src/report/types.js';
import {
  EXPECT_FAILURE,
  FANOTIFY,
  IO_URING,
  RSEQ,
  RUNTIMES,
  SENTRY_PANIC,
  baselineResult,
  evidence,
  knownEntry,
  sandboxResult,
} from './report-fixtures.js';

/** An error message with a NUL byte, a lone surrogate, colour codes, U+FFFF and two CDATA terminators. */
const HOSTILE_ERROR = 'Error: expected \u0000row\udc00\u001b[31m 1\u001b[39m\uffff, got ]]> and ]]> again\u0007\n\nReceived: 0';

/** A steps test's records: a host write, then a wait the sandbox timed out on. */
const STEPS: StepRecord[] = [
  { index: 1, kind: 'host', description: 'host write conf/app.conf', durationMs: 1 },
  { index: 2, kind: 'wait', description: 'wait for log line matching /loaded: level=2/', stdout: 'ready after 12 ms', durationMs: 13 },
];

function buildReport(): RunReport {
  const failed: Partial<TestRunResult> = { outcome: 'failed', attempts: ['failed'], error: EXPECT_FAILURE };
  const results: TestRunResult[] = [
    baselineResult('nginx', 'serves the default page', { steps: STEPS }),
    sandboxResult('nginx', 'serves the default page', {
      evidence: evidence({ containerIds: ['c0ffee01', 'c0ffee02'], unsupportedSyscalls: [RSEQ, IO_URING, RSEQ] }),
    }),
    baselineResult('nginx', 'configuration is valid'),
    sandboxResult('nginx', 'configuration is valid', { ...failed, evidence: evidence({ unsupportedSyscalls: [FANOTIFY] }) }),
    baselineResult('postgres', 'insert and select'),
    sandboxResult('postgres', 'insert and select', { ...failed, error: HOSTILE_ERROR }),
    baselineResult('postgres', 'restart'),
    sandboxResult('postgres', 'restart', { ...failed, evidence: evidence({ panics: [SENTRY_PANIC] }) }),
    baselineResult('postgres', 'vacuum', { outcome: 'failed', attempts: ['failed'], error: 'Error: relation "t" does not exist' }),
    sandboxResult('postgres', 'vacuum', failed),
    baselineResult('postgres', 'uses io_uring'),
    sandboxResult('postgres', 'uses io_uring', { ...failed, evidence: evidence({ unsupportedSyscalls: [IO_URING] }), steps: STEPS }),
    baselineResult('postgres', 'replication'),
    sandboxResult('postgres', 'replication', { attempts: ['failed', 'passed'], error: EXPECT_FAILURE }),
    baselineResult('postgres', 'backup'),
    sandboxResult('postgres', 'backup', { outcome: 'skipped', attempts: ['skipped'] }),
  ];
  const known = [knownEntry('postgres', 'uses io_uring', { kind: 'literal', text: 'runsc' })];

  return {
    runId: 'run-1',
    matrixFile: '/work/matrix.yaml',
    startedAt: '2024-12-04T19:34:40.000Z',
    finishedAt: '2024-12-04T19:35:10.000Z',
    runtimes: RUNTIMES,
    results,
    verdicts: pairResults(results, 'runc', known),
  };
}

let folder = '';
let file = '';

function xpath(expression: string): string {
  return execFileSync('xmllint', ['--xpath', expression, file], { encoding: 'utf8' }).trim();
}

function testCase(classname: string, name: string): string {
  return `//testcase[@classname="${classname}" and @name="${name}"]`;
}

function property(classname: string, name: string, property: string): string {
  return xpath(`string(${testCase(classname, name)}/properties/property[@name="${property}"]/@value)`);
}

describe('buildJUnit', () => {
  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'gvmatrix-junit-'));
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

  test('suite per image and runtime', () => {
    assert.equal(xpath('count(/testsuites/testsuite)'), '4');
  });

  test('suite names and order', () => {
    const names = [1, 2, 3, 4].map((index) => xpath(`string(/testsuites/testsuite[${index}]/@name)`));
    assert.deepEqual(names, ['nginx [runc]', 'nginx [runsc]', 'postgres [runc]', 'postgres [runsc]']);
  });

  test('testcase per result', () => {
    assert.equal(xpath('count(//testcase)'), '16');
  });

  test('root totals', () => {
    const totals = ['tests', 'failures', 'errors', 'skipped'].map((name) => xpath(`string(/testsuites/@${name})`));
    assert.deepEqual(totals, ['16', '3', '2', '2']);
  });

  test('sandbox suite totals', () => {
    const suite = '/testsuites/testsuite[@name="postgres [runsc]"]';
    const totals = ['tests', 'failures', 'errors', 'skipped'].map((name) => xpath(`string(${suite}/@${name})`));
    assert.deepEqual(totals, ['6', '2', '1', '2']);
  });

  test('baseline suite totals', () => {
    const suite = '/testsuites/testsuite[@name="postgres [runc]"]';
    const totals = ['tests', 'failures', 'errors', 'skipped'].map((name) => xpath(`string(${suite}/@${name})`));
    assert.deepEqual(totals, ['6', '0', '1', '0']);
  });

  test('testcase time in seconds', () => {
    assert.equal(xpath(`string(${testCase('nginx.runsc', 'serves the default page')}/@time)`), '1.7');
  });

  test('failure type per verdict', () => {
    const types = [
      ['nginx.runsc', 'configuration is valid'],
      ['postgres.runsc', 'insert and select'],
      ['postgres.runsc', 'restart'],
    ].map(([classname, name]) => xpath(`string(${testCase(classname as string, name as string)}/failure/@type)`));
    assert.deepEqual(types, ['syscall-incompatible', 'behavior-diff', 'sandbox-crash']);
  });

  test('syscall failure message', () => {
    const message = xpath(`string(${testCase('nginx.runsc', 'configuration is valid')}/failure/@message)`);
    assert.equal(message, 'unsupported syscalls: fanotify_init - Error: expect(received).toBe(expected) // Object.is equality');
  });

  test('crash failure body has frames', () => {
    const body = xpath(`string(${testCase('postgres.runsc', 'restart')}/failure)`);
    assert.match(body, /pkg\/sentry\/kernel\/task_run\.go:98/);
  });

  test('baseline-failure is error', () => {
    assert.equal(xpath(`string(${testCase('postgres.runsc', 'vacuum')}/error/@type)`), 'baseline-failure');
  });

  test('failed baseline testcase is error', () => {
    assert.equal(xpath(`string(${testCase('postgres.runc', 'vacuum')}/error/@message)`), 'Error: relation "t" does not exist');
  });

  test('passed baseline testcase passes', () => {
    assert.equal(xpath(`count(${testCase('postgres.runc', 'restart')}/*[not(self::properties)])`), '0');
  });

  test('known is skipped', () => {
    assert.equal(xpath(`count(${testCase('postgres.runsc', 'uses io_uring')}/skipped)`), '1');
  });

  test('known reason in system-out', () => {
    const output = xpath(`string(${testCase('postgres.runsc', 'uses io_uring')}/system-out)`);
    assert.match(output, /^known incompatibility: io_uring is off by default in runsc/);
  });

  test('steps of a pass in system-out', () => {
    const output = xpath(`string(${testCase('nginx.runc', 'serves the default page')}/system-out)`);
    assert.equal(output, 'steps under runc:\n  1. host write conf/app.conf\n  2. wait for log line matching /loaded: level=2/; stdout "ready after 12 ms"');
  });

  test('known note and steps share system-out', () => {
    const known = testCase('postgres.runsc', 'uses io_uring');
    assert.equal(xpath(`count(${known}/system-out)`), '1');
    assert.match(xpath(`string(${known}/system-out)`), /^known incompatibility: [^]*\n\nsteps under runsc:\n  1\. host write conf\/app\.conf\n/);
  });

  test('flaky passes with mark', () => {
    assert.equal(property('postgres.runsc', 'replication', 'gvmatrix.flaky'), 'true');
  });

  test('flaky has no failure element', () => {
    assert.equal(xpath(`count(${testCase('postgres.runsc', 'replication')}/failure)`), '0');
  });

  test('not-run is skipped', () => {
    assert.equal(xpath(`count(${testCase('postgres.runsc', 'backup')}/skipped)`), '1');
  });

  test('verdict property', () => {
    assert.equal(property('nginx.runsc', 'serves the default page', 'gvmatrix.verdict'), 'compatible');
  });

  test('runtime properties', () => {
    const values = ['gvmatrix.runtime', 'gvmatrix.runtime.kind', 'gvmatrix.runtime.version', 'gvmatrix.image'].map((name) =>
      property('nginx.runsc', 'serves the default page', name),
    );
    assert.deepEqual(values, ['runsc', 'runsc', 'runsc version release-20240729.0', 'nginx']);
  });

  test('baseline has no verdict property', () => {
    assert.equal(xpath(`count(${testCase('nginx.runc', 'serves the default page')}//property[@name="gvmatrix.verdict"])`), '0');
  });

  test('one property per distinct syscall', () => {
    const count = xpath(`count(${testCase('nginx.runsc', 'serves the default page')}//property[@name="gvmatrix.unsupported-syscall"])`);
    assert.equal(count, '2');
  });

  test('syscall property has name and args', () => {
    const expected = `rseq(${RSEQ.args.join(',')})`;
    const count = xpath(
      `count(${testCase('nginx.runsc', 'serves the default page')}//property[@name="gvmatrix.unsupported-syscall" and @value="${expected}"])`,
    );
    assert.equal(count, '1');
  });

  test('container property per id', () => {
    const count = xpath(`count(${testCase('nginx.runsc', 'serves the default page')}//property[@name="gvmatrix.container"])`);
    assert.equal(count, '2');
  });

  test('control characters are stripped', () => {
    const message = xpath(`string(${testCase('postgres.runsc', 'insert and select')}/failure/@message)`);
    assert.equal(message, 'Error: expected row 1, got ]]> and ]]> again');
  });

  test('cdata terminators survive in body', () => {
    const body = xpath(`string(${testCase('postgres.runsc', 'insert and select')}/failure)`);
    assert.match(body, /got \]\]&gt; and \]\]&gt; again/);
  });

  test('separate calls share nothing', () => {
    const report = buildReport();
    buildJUnit(report);
    const second = buildJUnit(report);
    assert.equal(second.match(/<testsuite /g)?.length, 4);
  });
});
