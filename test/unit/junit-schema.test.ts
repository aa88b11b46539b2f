import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildJUnit } from '../../src/report/junit.js';
import type { RunReport } from '../../src/report/types.js';
import { SANDBOX_2024, everyVerdictReport } from './every-verdict-report.js';
import { unexplainedErrors, validateAsWritten, validateWithoutExtensions } from './junit-schema-check.js';

/** Quotes a string for XPath 1.0, which has no escapes: a name with double quotes goes in single quotes. */
function xpathLiteral(text: string): string {
  if (!text.includes('"')) {
    return `"${text}"`;
  }
  if (!text.includes("'")) {
    return `'${text}'`;
  }
  const parts = text.split('"').map((part) => `"${part}"`);
  return `concat(${parts.join(`, '"', `)})`;
}

describe('junit.xml against junit-10.xsd', () => {
  let folder = '';
  let file = '';
  let report: RunReport;

  const xpath = (expression: string) => execFileSync('xmllint', ['--xpath', expression, file], { encoding: 'utf8' }).trim();
  const testCase = (image: string, runtime: string, name: string) => `//testcase[@classname="${image}.${runtime}" and @name=${xpathLiteral(name)}]`;
  const property = (testCasePath: string, name: string) => xpath(`string(${testCasePath}/properties/property[@name="${name}"]/@value)`);

  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'gvmatrix-junit-schema-'));
    file = join(folder, 'junit.xml');
    report = everyVerdictReport();
    writeFileSync(file, buildJUnit(report));
  });

  after(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  test('report has every verdict', () => {
    const verdicts = new Set(report.verdicts.map((record) => record.verdict));
    const expected = ['compatible', 'syscall-incompatible', 'behavior-diff', 'sandbox-crash', 'baseline-failure', 'known', 'fixed', 'flaky', 'not-run'];
    assert.deepEqual([...verdicts].sort(), expected.sort());
  });

  test('valid without gvmatrix extensions', () => {
    const check = validateWithoutExtensions(file);
    assert.deepEqual(check.errors, []);
    assert.equal(check.status, 0);
  });

  test('schema rejects only the extensions', () => {
    const check = validateAsWritten(file);
    assert.notEqual(check.status, 0, 'junit-10.xsd accepted testcase properties; update the schema README');
    assert.deepEqual(unexplainedErrors(check), []);
  });

  test('known skipped carries the reason', () => {
    const known = testCase('postgres', 'runsc', 'uses io_uring');
    assert.equal(xpath(`string(${known}/skipped/@message)`), 'io_uring is off by default in runsc');
    assert.equal(xpath(`string(${known}/skipped)`), 'io_uring is off by default in runsc');
  });

  test('not-run skipped carries the reason', () => {
    const message = xpath(`string(${testCase('redis', 'runsc', 'replicates')}/skipped/@message)`);
    assert.match(message, /^did not run under the sandbox runtime runsc: /);
  });

  test('flaky passes with flakyFailure', () => {
    const flaky = testCase('redis', 'runsc', 'answers PING');
    assert.equal(xpath(`count(${flaky}/flakyFailure)`), '1');
    assert.equal(xpath(`count(${flaky}/failure | ${flaky}/error | ${flaky}/skipped)`), '0');
    assert.match(xpath(`string(${flaky}/flakyFailure/stackTrace)`), /Expected: 0/);
  });

  test('every testcase names its runtime', () => {
    for (const result of report.results) {
      const path = testCase(result.image, result.runtime, result.test);
      assert.equal(property(path, 'gvmatrix.runtime'), result.runtime, `${result.image} › ${result.test} [${result.runtime}]`);
    }
  });

  test('every testcase names its runtime version', () => {
    for (const result of report.results) {
      const version = report.runtimes.find((runtime) => runtime.name === result.runtime)?.version;
      const path = testCase(result.image, result.runtime, result.test);
      assert.equal(property(path, 'gvmatrix.runtime.version'), version, `${result.image} › ${result.test} [${result.runtime}]`);
    }
  });

  test('every sandbox testcase has its verdict', () => {
    for (const record of report.verdicts) {
      const path = testCase(record.image, record.runtime, record.test);
      assert.equal(property(path, 'gvmatrix.verdict'), record.verdict, `${record.image} › ${record.test} [${record.runtime}]`);
    }
  });

  test('findings with feature and support', () => {
    const path = testCase('nginx', 'runsc', 'configuration is valid');
    assert.equal(property(path, 'gvmatrix.unsupported-syscall'), 'fanotify_init(0x0,0x0,0x0,0x0,0x0,0x0)');
    assert.equal(property(path, 'gvmatrix.unsupported-feature'), 'fanotify_init');
    assert.equal(property(path, 'gvmatrix.support'), 'fanotify_init: Unimplemented');
  });

  test('passing test keeps its findings', () => {
    const path = testCase('nginx', 'runsc', 'serves the default page');
    const features = xpath(`${path}/properties/property[@name="gvmatrix.unsupported-feature"]/@value`);
    assert.match(features, /value="io_uring_setup"/);
  });

  test('timing properties per testcase', () => {
    const sandbox = testCase('nginx', 'runsc', 'serves the default page');
    assert.equal(property(sandbox, 'gvmatrix.check-ms'), '420');
    assert.equal(property(sandbox, 'gvmatrix.start-ms'), '900');
    assert.equal(property(sandbox, 'gvmatrix.ready-ms'), '300');
    assert.equal(property(sandbox, 'gvmatrix.check-ratio'), '3.5');
    assert.equal(property(sandbox, 'gvmatrix.start-ratio'), '2.4');
    assert.equal(property(sandbox, 'gvmatrix.slow-ratio'), '3');
    assert.equal(property(sandbox, 'gvmatrix.slow'), 'true');

    const baseline = testCase('nginx', 'runc', 'serves the default page');
    assert.equal(property(baseline, 'gvmatrix.check-ms'), '120');
    assert.equal(property(baseline, 'gvmatrix.check-ratio'), '');

    const fast = testCase('nginx', SANDBOX_2024, 'serves the default page');
    assert.equal(property(fast, 'gvmatrix.check-ratio'), '1.25');
    assert.equal(property(fast, 'gvmatrix.slow'), '');
  });

  test('second release has its own version', () => {
    const path = testCase('nginx', SANDBOX_2024, 'configuration is valid');
    assert.equal(property(path, 'gvmatrix.runtime.version'), 'runsc version 0.0~20240729.0');
  });
});
