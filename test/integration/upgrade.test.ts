/**
 * The upgrade view on real runtimes: one test whose verdict differs between runsc
 * 20221219 and 20240729 (scripts/setup.sh extracts the latter).
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
const upgradeMatrix = join(repoRoot, 'test/fixtures/integration/upgrade.yaml');

describe('upgrade view across runsc releases', () => {
  let reportsDir: string;
  let output: string;
  let report: RunReport;

  before(async () => {
    reportsDir = await mkdtemp(join(tmpdir(), 'gvmatrix-upgrade-'));
    const result = await execa(process.execPath, [cli, 'run', '--matrix', upgradeMatrix, '--reports', reportsDir], { reject: false, cwd: repoRoot });
    output = `${result.stdout}\n${result.stderr}`;
    report = JSON.parse(await readFile(join(reportsDir, 'results.json'), 'utf8')) as RunReport;
  });

  after(async () => {
    await rm(reportsDir, { recursive: true, force: true });
  });

  test('old release is syscall-incompatible', () => {
    const record = report.verdicts.find((candidate) => candidate.runtime === 'runsc');
    assert.equal(record?.verdict, 'syscall-incompatible');
    assert.match(record?.message ?? '', /process_vm_readv/);
  });

  test('new release is compatible', () => {
    const record = report.verdicts.find((candidate) => candidate.runtime === 'runsc-20240729');
    assert.equal(record?.verdict, 'compatible');
  });

  test('results list the verdict change', () => {
    assert.deepEqual(report.verdictChanges, [
      { image: 'it-syscalls', test: 'process_vm_readv is implemented', verdicts: { runsc: 'syscall-incompatible', 'runsc-20240729': 'compatible' } },
    ]);
  });

  test('summary shows the change', () => {
    assert.match(output, /Verdicts that differ between sandbox runtimes:/);
    assert.match(output, /it-syscalls › process_vm_readv is implemented\s+syscall-incompatible\s+compatible/);
  });
});
