/**
 * End to end for the CI gate: one run of the integration fixture matrix with
 * `--fail-on none` and an expired `known:` entry, then `baseline` and `diff` on the
 * results.json it wrote, without a second container run. Needs root, podman, runc and
 * runsc (scripts/setup.sh installs them).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { parseMatrix } from '../../src/matrix/loader.js';
import type { RunReport } from '../../src/report/types.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const cli = join(repoRoot, 'dist/src/cli/main.js');
const fixtureMatrix = join(repoRoot, 'test/fixtures/integration/matrix.yaml');

/** An entry for the fanotify_init test whose expiry date has passed, so the gate reports it. */
const EXPIRED_ENTRY = [
  'known:',
  '  - image: it-syscalls',
  '    test: fanotify_init is implemented',
  '    runtime: runsc',
  '    reason: runsc lacks fanotify',
  '    expires: 2024-01-31',
  '',
].join('\n');

function runCli(args: string[]) {
  return execa(process.execPath, [cli, ...args], { reject: false, cwd: repoRoot, env: { FORCE_COLOR: '0' } });
}

function lastLine(text: string): string {
  return text.trimEnd().split('\n').at(-1) ?? '';
}

describe('gvmatrix gate on the fixture matrix', () => {
  let dir: string;
  let matrixFile: string;
  let matrixText: string;
  let reportsDir: string;
  let exitCode: number | undefined;
  let stdout: string;
  let stderr: string;
  let report: RunReport;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gvmatrix-gate-'));
    reportsDir = join(dir, 'reports');
    matrixFile = join(dir, 'matrix.yaml');
    const fixture = await readFile(fixtureMatrix, 'utf8');
    matrixText = `${fixture.replaceAll('build: images/', `build: ${join(repoRoot, 'test/fixtures/integration/images')}/`)}${EXPIRED_ENTRY}`;
    await writeFile(matrixFile, matrixText);

    const result = await runCli(['run', '--matrix', matrixFile, '--reports', reportsDir, '--fail-on', 'none']);
    exitCode = result.exitCode;
    stdout = result.stdout;
    stderr = result.stderr;
    report = JSON.parse(await readFile(join(reportsDir, 'results.json'), 'utf8')) as RunReport;
  });

  after(async () => {
    if (!process.env.GVMATRIX_KEEP_TEST_REPORTS) {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('none exits 0 despite failures', () => {
    assert.equal(exitCode, 0, `${stdout}\n${stderr}`);
    assert.ok(report.verdicts.some((record) => record.verdict === 'behavior-diff'));
  });

  test('expired entry still gives known', () => {
    const record = report.verdicts.find((candidate) => candidate.test === 'fanotify_init is implemented');
    assert.equal(record?.verdict, 'known');
  });

  test('result line is last', () => {
    const counts = new Map<string, number>();
    for (const record of report.verdicts) {
      counts.set(record.verdict, (counts.get(record.verdict) ?? 0) + 1);
    }
    const line = lastLine(stdout);
    assert.match(line, /^gvmatrix-result: status=pass gate=none exit=0 verdicts=\S+ failing=0 expired=1 unmatched=0 slow=0 run=\S+$/);
    const verdicts = /verdicts=(\S+)/.exec(line)?.[1] ?? '';
    const parsed = new Map(verdicts.split(',').map((pair) => [pair.split(':')[0] ?? '', Number(pair.split(':')[1])]));
    assert.deepEqual(parsed, counts);
    assert.ok(line.endsWith(`run=${report.runId}`), line);
  });

  test('summary names the expired entry', () => {
    assert.match(stdout, new RegExp(`known: entry for it-syscalls › fanotify_init is implemented \\[runsc\\] at ${matrixFile}:\\d+ expired: expires: 2024-01-31`));
  });

  test('gate line names policy new', () => {
    assert.match(stdout, /^gate --fail-on none: pass; --fail-on new would fail because of \d+ verdicts \(.*behavior-diff.*\) and 1 expired known: entry$/m);
  });

  test('baseline prints the failures', async () => {
    const result = await runCli(['baseline', '--reports', reportsDir]);
    assert.equal(result.exitCode, 0, result.stderr);
    const matrix = parseMatrix(`${matrixText.replace(/known:\n[\s\S]*$/, '')}${result.stdout}`, matrixFile, { checkFiles: false });
    const tests = matrix.known.map((entry) => entry.test).sort();
    assert.deepEqual(tests, ["kernel release compared raw", "kernel release is the host's"]);
  });

  test('baseline output keeps the file', async () => {
    const copy = join(dir, 'copy.yaml');
    await writeFile(copy, matrixText);
    const result = await runCli(['baseline', '--reports', reportsDir, '--output', copy, '--expires', '2999-01-31']);
    assert.equal(result.exitCode, 0, result.stderr);

    const merged = await readFile(copy, 'utf8');
    assert.ok(merged.startsWith(matrixText), merged);
    const matrix = parseMatrix(merged, copy, { checkFiles: false });
    assert.equal(matrix.known.length, 3);
    assert.ok(matrix.known.slice(1).every((entry) => entry.expires === '2999-01-31'));
  });

  test('diff against itself exits 0', async () => {
    const result = await runCli(['diff', reportsDir, join(reportsDir, 'results.json')]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(lastLine(result.stdout), /^gvmatrix-diff: worse=0 better=0 changed=0 only-old=0 only-new=0 exit=0$/);
  });

  test('diff finds a worse verdict', async () => {
    const changed = structuredClone(report);
    const record = changed.verdicts.find((candidate) => candidate.image === 'it-web' && candidate.test === 'serves the page');
    assert.ok(record, 'no verdict for it-web › serves the page');
    record.verdict = 'syscall-incompatible';
    record.message = 'unsupported syscalls: sendfile - Error: timed out';
    const file = join(dir, 'worse.json');
    await writeFile(file, JSON.stringify(changed));

    const result = await runCli(['diff', reportsDir, file]);
    assert.equal(result.exitCode, 1, result.stderr);
    assert.match(result.stdout, /worse +runsc +it-web › serves the page +compatible -> syscall-incompatible +unsupported syscalls: sendfile/);
  });
});
