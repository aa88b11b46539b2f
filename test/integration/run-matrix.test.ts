/**
 * End to end: the real CLI runs a small matrix under runc and runsc through Podman, and
 * the verdicts and JUnit file it writes are checked. Needs root, podman, runc and runsc
 * (scripts/setup.sh installs them).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { RunReport, VerdictRecord } from '../../src/report/types.js';
import { unexplainedErrors, validateAsWritten, validateWithoutExtensions } from '../unit/junit-schema-check.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const cli = join(repoRoot, 'dist/src/cli/main.js');
const fixtureMatrix = join(repoRoot, 'test/fixtures/integration/matrix.yaml');

function runCli(args: string[]) {
  return execa(process.execPath, [cli, ...args], { reject: false, cwd: repoRoot, env: { FORCE_COLOR: '0' } });
}

function xpath(file: string, expression: string): Promise<string> {
  return execa('xmllint', ['--xpath', expression, file]).then((result) => result.stdout.trim());
}

function verdictOf(report: RunReport, image: string, testName: string): VerdictRecord {
  const record = report.verdicts.find((candidate) => candidate.image === image && candidate.test === testName && candidate.runtime === 'runsc');
  assert.ok(record, `no runsc verdict for ${image} › ${testName}`);
  return record;
}

describe('gvmatrix run on a small matrix', () => {
  let reportsDir: string;
  let exitCode: number | undefined;
  let output: string;
  let report: RunReport;
  let junitFile: string;

  before(async () => {
    reportsDir = await mkdtemp(join(tmpdir(), 'gvmatrix-it-'));
    const result = await runCli(['run', '--matrix', fixtureMatrix, '--reports', reportsDir]);
    exitCode = result.exitCode;
    output = `${result.stdout}\n${result.stderr}`;
    junitFile = join(reportsDir, 'junit.xml');
    report = JSON.parse(await readFile(join(reportsDir, 'results.json'), 'utf8')) as RunReport;
  });

  after(async () => {
    if (!process.env.GVMATRIX_KEEP_TEST_REPORTS) {
      await rm(reportsDir, { recursive: true, force: true });
    }
  });

  test('exits 1 for failing verdicts', () => {
    assert.equal(exitCode, 1, output);
  });

  test('records both runtimes with versions', () => {
    const names = report.runtimes.map((runtime) => runtime.name);
    assert.deepEqual(names, ['runc', 'runsc']);
    assert.match(report.runtimes[1]?.version ?? '', /runsc version/);
  });

  test('unsupported syscall is syscall-incompatible', () => {
    const record = verdictOf(report, 'it-syscalls', 'fanotify_init is implemented');
    assert.equal(record.verdict, 'syscall-incompatible');
    assert.match(record.message, /fanotify_init/);
    assert.doesNotMatch(record.message, /rseq/);
  });

  test('kernel release differs as behavior-diff', () => {
    const record = verdictOf(report, 'it-syscalls', 'kernel release is the host\'s');
    assert.equal(record.verdict, 'behavior-diff');
  });

  test('raw kernel release is behavior-diff', () => {
    const record = verdictOf(report, 'it-syscalls', 'kernel release compared raw');
    assert.equal(record.verdict, 'behavior-diff', record.message);
    assert.match(record.message, /^stdout differs: runc ".+", runsc "4\.4\.0"$/);
    assert.match(record.details, /\n\+4\.4\.0/);
  });

  test('normalized kernel release is compatible', () => {
    const record = verdictOf(report, 'it-syscalls', 'kernel release compared normalized');
    assert.equal(record.verdict, 'compatible', `${record.message}\n${record.details}`);
    const values = record.sandbox.compared?.map((value) => value.normalized);
    assert.deepEqual(values, ['<kernel>\n', '<hostname>']);
  });

  test('normalized response is compatible', () => {
    const record = verdictOf(report, 'it-web', 'response compared');
    assert.equal(record.verdict, 'compatible', `${record.message}\n${record.details}`);
    const headers = record.sandbox.compared?.find((value) => value.observable === 'headers');
    assert.match(headers?.normalized ?? '', /^date: <time>$/m);
  });

  test('broken test is baseline-failure', () => {
    const record = verdictOf(report, 'it-syscalls', 'broken under every runtime');
    assert.equal(record.verdict, 'baseline-failure');
  });

  test('passing tests are compatible', () => {
    assert.equal(verdictOf(report, 'it-syscalls', 'uname prints a release').verdict, 'compatible');
    assert.equal(verdictOf(report, 'it-web', 'serves the page').verdict, 'compatible');
  });

  test('junit has a suite per image and runtime', async () => {
    const count = await xpath(junitFile, 'count(//testsuite)');
    assert.equal(count, '4');
    const cases = await xpath(junitFile, 'count(//testcase)');
    assert.equal(cases, '16');
  });

  test('junit failure types are verdicts', async () => {
    const type = await xpath(junitFile, 'string(//testsuite[@name="it-syscalls [runsc]"]/testcase[@name="fanotify_init is implemented"]/failure/@type)');
    assert.equal(type, 'syscall-incompatible');
    const diff = await xpath(junitFile, 'string(//testsuite[@name="it-syscalls [runsc]"]/testcase[@name="kernel release is the host\'s"]/failure/@type)');
    assert.equal(diff, 'behavior-diff');
    const errors = await xpath(junitFile, 'count(//testsuite[@name="it-syscalls [runsc]"]/testcase[@name="broken under every runtime"]/error)');
    assert.equal(errors, '1');
  });

  test('junit body holds the diff', async () => {
    const body = await xpath(junitFile, 'string(//testsuite[@name="it-syscalls [runsc]"]/testcase[@name="kernel release compared raw"]/failure)');
    assert.match(body, /^--- runc \(baseline\), normalized$/m);
    assert.match(body, /^\+4\.4\.0$/m);
  });

  test('junit properties name the syscall', async () => {
    const base = '//testsuite[@name="it-syscalls [runsc]"]/testcase[@name="fanotify_init is implemented"]/properties';
    const verdict = await xpath(junitFile, `string(${base}/property[@name="gvmatrix.verdict"]/@value)`);
    assert.equal(verdict, 'syscall-incompatible');
    const syscalls = await xpath(junitFile, `${base}/property[@name="gvmatrix.unsupported-syscall"]/@value`);
    assert.match(syscalls, /fanotify_init/);
    const support = await xpath(junitFile, `string(${base}/property[@name="gvmatrix.support" and starts-with(@value, "fanotify_init")]/@value)`);
    assert.equal(support, 'fanotify_init: Unimplemented');
    const version = await xpath(junitFile, `string(${base}/property[@name="gvmatrix.runtime.version"]/@value)`);
    assert.match(version, /runsc version/);
  });

  test('junit is well-formed XML', async () => {
    const result = await execa('xmllint', ['--noout', junitFile], { reject: false });
    assert.equal(result.exitCode, 0, result.stderr);
  });

  test('junit valid against junit-10.xsd', () => {
    const check = validateWithoutExtensions(junitFile);
    assert.deepEqual(check.errors, []);
    assert.equal(check.status, 0);
  });

  test('junit-10.xsd rejects only extensions', () => {
    assert.deepEqual(unexplainedErrors(validateAsWritten(junitFile)), []);
  });

  test('leaves no labelled containers', async () => {
    const result = await execa('podman', ['ps', '--all', '--quiet', '--filter', `label=gvmatrix.run=${report.runId}`]);
    assert.equal(result.stdout.trim(), '');
  });

  test('summary names the failing test', () => {
    assert.match(output, /fanotify_init is implemented/);
  });
});

describe('gvmatrix run with bad input', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gvmatrix-bad-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('unknown key exits 2 with position', async () => {
    const file = join(dir, 'typo.yaml');
    await writeFile(file, 'version: 1\nruntimes:\n  runc: { oci: runc, baseline: true }\n  runsc: { oci: runsc }\nimgaes: {}\n');
    const result = await runCli(['run', '--matrix', file, '--reports', join(dir, 'reports')]);
    assert.equal(result.exitCode, 2);
    assert.match(result.stderr, new RegExp(`${file}:5:1: .*imgaes.*images`));
  });

  test('missing matrix file exits 2', async () => {
    const result = await runCli(['run', '--matrix', join(dir, 'absent.yaml'), '--reports', join(dir, 'reports')]);
    assert.equal(result.exitCode, 2);
    assert.match(result.stderr, /absent\.yaml/);
  });

  test('missing runtime binary exits 3', async () => {
    const file = join(dir, 'missing-runtime.yaml');
    const text = (await readFile(fixtureMatrix, 'utf8')).replace('oci: runsc,', 'oci: /nonexistent/runsc,');
    await writeFile(file, text.replaceAll('build: images/', `build: ${join(repoRoot, 'test/fixtures/integration/images')}/`));
    const result = await runCli(['run', '--matrix', file, '--reports', join(dir, 'reports')]);
    assert.equal(result.exitCode, 3);
    assert.match(result.stderr, /\/nonexistent\/runsc was not found/);
  });

  test('runsc netstack on Linux 6 exits 3', async () => {
    const file = join(dir, 'netstack.yaml');
    const text = (await readFile(fixtureMatrix, 'utf8')).replace('flags: ["--network=host"]', 'flags: []');
    await writeFile(file, text.replaceAll('build: images/', `build: ${join(repoRoot, 'test/fixtures/integration/images')}/`));
    const result = await runCli(['run', '--matrix', file, '--reports', join(dir, 'reports')]);
    assert.equal(result.exitCode, 3);
    assert.match(result.stderr, /network: host/);
  });

  test('unknown image name exits 2', async () => {
    const result = await runCli(['run', '--matrix', fixtureMatrix, '--image', 'nosuch', '--reports', join(dir, 'reports')]);
    assert.equal(result.exitCode, 2);
    assert.match(result.stderr, /--image nosuch/);
  });

  test('invalid workers value exits 2', async () => {
    const result = await runCli(['run', '--matrix', fixtureMatrix, '--workers', '0']);
    assert.equal(result.exitCode, 2);
    assert.match(result.stderr, /--workers/);
  });
});
