/**
 * The small integration matrix again, through rootless Podman as the unprivileged user
 * that scripts/setup.sh prepares: the verdicts must match the rootful run's.
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
const ROOTLESS_USER = process.env.GVMATRIX_ROOTLESS_USER ?? 'gvmatrix';

describe('gvmatrix run --rootless', () => {
  let reportsDir: string;
  let exitCode: number | undefined;
  let output: string;
  let report: RunReport;

  before(async () => {
    reportsDir = await mkdtemp(join(tmpdir(), 'gvmatrix-rootless-'));
    const result = await execa(process.execPath, [cli, 'run', '--rootless', '--rootless-user', ROOTLESS_USER, '--matrix', fixtureMatrix, '--reports', reportsDir], {
      reject: false,
      cwd: repoRoot,
    });
    exitCode = result.exitCode;
    output = `${result.stdout}\n${result.stderr}`;
    report = JSON.parse(await readFile(join(reportsDir, 'results.json'), 'utf8')) as RunReport;
  });

  after(async () => {
    await rm(reportsDir, { recursive: true, force: true });
  });

  test('exits 1 for failing verdicts', () => {
    assert.equal(exitCode, 1, output);
  });

  test('says it runs rootless', () => {
    assert.match(output, new RegExp(`rootless Podman as ${ROOTLESS_USER}`));
  });

  test('runsc gets --ignore-cgroups', () => {
    const runsc = report.runtimes.find((runtime) => runtime.name === 'runsc');
    assert.ok(runsc?.flags.includes('--ignore-cgroups'), JSON.stringify(runsc?.flags));
  });

  test('unsupported syscall is found rootless', () => {
    const record = report.verdicts.find((candidate) => candidate.test === 'fanotify_init is implemented');
    assert.equal(record?.verdict, 'syscall-incompatible');
    assert.match(record?.message ?? '', /fanotify_init/);
  });

  test('web check passes rootless', () => {
    const record = report.verdicts.find((candidate) => candidate.image === 'it-web');
    assert.equal(record?.verdict, 'compatible');
  });

  test('runsc logs land in the run folder', async () => {
    const logs = await execa('ls', [join(reportsDir, 'runs', report.runId, 'runsc-logs', 'runsc')]);
    assert.match(logs.stdout, /\.boot\.txt/);
  });

  test('leaves no containers for the user', async () => {
    const uid = (await execa('id', ['-u', ROOTLESS_USER])).stdout.trim();
    const result = await execa('runuser', ['-u', ROOTLESS_USER, '--', 'env', `XDG_RUNTIME_DIR=/run/user/${uid}`, 'podman', 'ps', '--all', '--quiet', '--filter', `label=gvmatrix.run=${report.runId}`]);
    assert.equal(result.stdout.trim(), '');
  });
});
