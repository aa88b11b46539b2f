/**
 * End to end: the fixture matrix runs once unsharded and once as shards 1/2 and 2/2 into
 * two folders, `gvmatrix merge` joins the shards, and the merged verdicts must equal the
 * unsharded run's. A third shard of 3 gets no image and must still write valid reports.
 * Needs root, podman, runc and runsc (scripts/setup.sh installs them).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { RunReport } from '../../src/report/types.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const cli = join(repoRoot, 'dist/src/cli/main.js');
const fixtureMatrix = join(repoRoot, 'test/fixtures/integration/matrix.yaml');

function runCli(args: string[]) {
  return execa(process.execPath, [cli, ...args], { reject: false, cwd: repoRoot, env: { FORCE_COLOR: '0' } });
}

async function readReport(dir: string): Promise<RunReport> {
  return JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as RunReport;
}

function xpath(file: string, expression: string): Promise<string> {
  return execa('xmllint', ['--xpath', expression, file]).then((result) => result.stdout.trim());
}

/** Formats one line per verdict, for comparing runs: `image › test [runtime]: verdict`. */
function verdictLines(report: RunReport): string[] {
  return report.verdicts.map((record) => `${record.image} › ${record.test} [${record.runtime}]: ${record.verdict}`);
}

describe('gvmatrix run --shard and merge', () => {
  let work: string;
  const exitCodes: Record<string, number | undefined> = {};
  const outputs: Record<string, string> = {};
  let unsharded: RunReport;
  let first: RunReport;
  let second: RunReport;
  let merged: RunReport;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'gvmatrix-shard-'));
    const runs: Array<[string, string[]]> = [
      ['unsharded', ['run', '--matrix', fixtureMatrix, '--reports', join(work, 'unsharded')]],
      ['shard-1', ['run', '--matrix', fixtureMatrix, '--no-build', '--shard', '1/2', '--reports', join(work, 'shard-1')]],
      ['shard-2', ['run', '--matrix', fixtureMatrix, '--no-build', '--shard', '2/2', '--reports', join(work, 'shard-2')]],
      ['merged', ['merge', join(work, 'shard-2'), join(work, 'shard-1'), '--reports', join(work, 'merged')]],
    ];
    for (const [name, args] of runs) {
      const result = await runCli(args);
      exitCodes[name] = result.exitCode;
      outputs[name] = `${result.stdout}\n${result.stderr}`;
    }
    unsharded = await readReport(join(work, 'unsharded'));
    first = await readReport(join(work, 'shard-1'));
    second = await readReport(join(work, 'shard-2'));
    merged = await readReport(join(work, 'merged'));
  });

  after(async () => {
    if (!process.env.GVMATRIX_KEEP_TEST_REPORTS) {
      await rm(work, { recursive: true, force: true });
    }
  });

  test('shards split by image', () => {
    assert.deepEqual(first.images, ['it-syscalls'], outputs['shard-1']);
    assert.deepEqual(second.images, ['it-web'], outputs['shard-2']);
  });

  test('shards record their shard', () => {
    assert.deepEqual(first.shard, { index: 1, total: 2 });
    assert.deepEqual(second.shard, { index: 2, total: 2 });
  });

  test('shard runs only its images', () => {
    const images = new Set(first.results.map((result) => result.image));
    assert.deepEqual([...images], ['it-syscalls']);
  });

  test('shard pairs its own results', () => {
    const notRun = first.verdicts.filter((record) => record.verdict === 'not-run');
    assert.deepEqual(notRun, []);
  });

  test('shard exit codes follow verdicts', () => {
    assert.equal(exitCodes['shard-1'], 1, outputs['shard-1']);
    assert.equal(exitCodes['shard-2'], 0, outputs['shard-2']);
  });

  test('merged verdicts equal unsharded', () => {
    assert.deepEqual(verdictLines(merged), verdictLines(unsharded));
  });

  test('merge exits like run', () => {
    assert.equal(exitCodes.unsharded, 1, outputs.unsharded);
    assert.equal(exitCodes.merged, 1, outputs.merged);
  });

  test('merged junit has every suite', async () => {
    const junit = join(work, 'merged', 'junit.xml');
    assert.equal(await xpath(junit, 'count(//testsuite)'), '4');
    assert.equal(await xpath(junit, 'count(//testcase)'), '16');
  });

  test('merged junit is well-formed XML', async () => {
    const result = await execa('xmllint', ['--noout', join(work, 'merged', 'junit.xml')], { reject: false });
    assert.equal(result.exitCode, 0, result.stderr);
  });

  test('merge prints the summary', () => {
    assert.match(outputs.merged ?? '', /it-syscalls › fanotify_init is implemented\s+syscall-incompatible/);
  });
});

describe('gvmatrix run with an empty shard', () => {
  let work: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'gvmatrix-shard-empty-'));
  });

  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  test('empty shard writes reports and exits 0', async () => {
    const result = await runCli(['run', '--matrix', fixtureMatrix, '--shard', '3/3', '--reports', work]);
    assert.equal(result.exitCode, 0, `${result.stdout}\n${result.stderr}`);

    const report = await readReport(work);
    assert.deepEqual(report.images, []);
    assert.deepEqual(report.shard, { index: 3, total: 3 });
    assert.equal(report.results.length, 0);
    assert.equal(report.runtimes.length, 2);

    const lint = await execa('xmllint', ['--noout', join(work, 'junit.xml')], { reject: false });
    assert.equal(lint.exitCode, 0, lint.stderr);
  });

  test('invalid shard exits 2', async () => {
    const result = await runCli(['run', '--matrix', fixtureMatrix, '--shard', '3/2', '--reports', work]);
    assert.equal(result.exitCode, 2);
    assert.match(result.stderr, /index in "3\/2" must be from 1 to 2/);
  });
});
