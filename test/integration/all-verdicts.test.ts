/**
 * End to end: the real CLI runs test/fixtures/verdicts/matrix.yaml under runc and runsc
 * through Podman, and every verdict appears at least once. Two suite tests crash their
 * own sandbox under runsc (SIGABRT to the gofer, SIGKILL to the sandbox during an exec).
 * Needs root, podman, runc, runsc and the base image (scripts/setup.sh provides them).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { RunReport, Verdict, VerdictRecord } from '../../src/report/types.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const cli = join(repoRoot, 'dist/src/cli/main.js');
const matrixFile = join(repoRoot, 'test/fixtures/verdicts/matrix.yaml');

const SHELL_SUITE = 'verdicts-shell [runsc]';
const KNOWN_SUITE = 'verdicts-known [runsc]';

/** The runsc verdict each test of the matrix produces, by image and test name. */
const EXPECTED: Array<{ image: string; test: string; verdict: Verdict }> = [
  { image: 'verdicts-shell', test: 'uname prints a release', verdict: 'compatible' },
  { image: 'verdicts-shell', test: 'fanotify_init is implemented', verdict: 'syscall-incompatible' },
  { image: 'verdicts-shell', test: 'kernel release compared raw', verdict: 'behavior-diff' },
  { image: 'verdicts-shell', test: 'exec after the gofer aborts', verdict: 'sandbox-crash' },
  { image: 'verdicts-shell', test: 'exec while the sandbox is killed', verdict: 'sandbox-crash' },
  { image: 'verdicts-shell', test: 'broken under every runtime', verdict: 'baseline-failure' },
  { image: 'verdicts-shell', test: 'passes on the second try', verdict: 'flaky' },
  { image: 'verdicts-shell', test: 'true exits 0', verdict: 'fixed' },
  { image: 'verdicts-known', test: 'fanotify_init is implemented', verdict: 'known' },
];

function xpath(file: string, expression: string): Promise<string> {
  return execa('xmllint', ['--xpath', expression, file]).then((result) => result.stdout.trim());
}

function testCase(suite: string, name: string): string {
  return `//testsuite[@name="${suite}"]/testcase[@name="${name}"]`;
}

describe('gvmatrix run with every verdict', () => {
  let reportsDir: string;
  let exitCode: number | undefined;
  let output: string;
  let report: RunReport;
  let junitFile: string;

  function verdictOf(image: string, testName: string): VerdictRecord {
    const record = report.verdicts.find((candidate) => candidate.image === image && candidate.test === testName && candidate.runtime === 'runsc');
    assert.ok(record, `no runsc verdict for ${image} › ${testName}`);
    return record;
  }

  before(async () => {
    reportsDir = await mkdtemp(join(tmpdir(), 'gvmatrix-verdicts-'));
    const result = await execa(process.execPath, [cli, 'run', '--matrix', matrixFile, '--reports', reportsDir], {
      reject: false,
      cwd: repoRoot,
      env: { FORCE_COLOR: '0' },
    });
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

  for (const expected of EXPECTED) {
    test(`${expected.test} is ${expected.verdict}`, () => {
      const record = verdictOf(expected.image, expected.test);
      assert.equal(record.verdict, expected.verdict, `${record.message}\n${record.details}`);
    });
  }

  test('every verdict but not-run appears', () => {
    const seen = new Set(report.verdicts.map((record) => record.verdict));
    const expected = new Set(EXPECTED.map((item) => item.verdict));
    assert.deepEqual([...seen].sort(), [...expected].sort());
  });

  test('gofer crash message', () => {
    const record = verdictOf('verdicts-shell', 'exec after the gofer aborts');
    assert.equal(record.message, 'runsc gofer process died while the sandbox ran: SIGABRT: abort');
  });

  test('gofer crash details', () => {
    const record = verdictOf('verdicts-shell', 'exec after the gofer aborts');
    assert.match(record.details, /\(container [0-9a-f]{64}, \S+\.gofer\.txt\)\n {2}\S/);
    assert.match(record.details, /gvisor\.dev\/gvisor\/pkg\/lisafs/);
  });

  test('killed sandbox message', () => {
    const record = verdictOf('verdicts-shell', 'exec while the sandbox is killed');
    assert.equal(record.message, 'runsc sandbox process was killed before anything stopped the container: its log ends without an exit status');
  });

  test('killed sandbox details', () => {
    const record = verdictOf('verdicts-shell', 'exec while the sandbox is killed');
    assert.match(record.details, /^ {2}.*urpc method "containerManager\.\w+" failed: EOF$/m);
    assert.match(record.details, /^Outcome under the baseline runc: passed$/m);
  });

  test('known reason is the entry', () => {
    const record = verdictOf('verdicts-known', 'fanotify_init is implemented');
    assert.equal(record.message, 'runsc does not implement fanotify_init');
  });

  test('junit crash failure', async () => {
    const base = testCase(SHELL_SUITE, 'exec after the gofer aborts');
    assert.equal(await xpath(junitFile, `string(${base}/failure/@type)`), 'sandbox-crash');
    assert.match(await xpath(junitFile, `string(${base}/failure)`), /SIGABRT: abort/);
  });

  test('junit flaky has flakyFailure', async () => {
    const base = testCase(SHELL_SUITE, 'passes on the second try');
    assert.equal(await xpath(junitFile, `count(${base}/flakyFailure)`), '1');
    assert.equal(await xpath(junitFile, `count(${base}/failure)`), '0');
  });

  test('junit known is skipped', async () => {
    const base = testCase(KNOWN_SUITE, 'fanotify_init is implemented');
    assert.equal(await xpath(junitFile, `count(${base}/skipped)`), '1');
    assert.equal(await xpath(junitFile, `count(${base}/failure)`), '0');
  });

  test('junit fixed is a failure', async () => {
    const base = testCase(SHELL_SUITE, 'true exits 0');
    assert.equal(await xpath(junitFile, `string(${base}/failure/@type)`), 'fixed');
  });

  test('junit baseline failure is an error', async () => {
    const base = testCase(SHELL_SUITE, 'broken under every runtime');
    assert.equal(await xpath(junitFile, `count(${base}/error)`), '1');
  });

  test('junit is well-formed XML', async () => {
    const result = await execa('xmllint', ['--noout', junitFile], { reject: false });
    assert.equal(result.exitCode, 0, result.stderr);
  });

  test('leaves no labelled containers', async () => {
    const result = await execa('podman', ['ps', '--all', '--quiet', '--filter', `label=gvmatrix.run=${report.runId}`]);
    assert.equal(result.stdout.trim(), '');
  });
});
