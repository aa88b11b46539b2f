/**
 * Runtime variants end to end: a one-test matrix runs through the real CLI under runsc
 * 20240729 with `platform: systrap` and under runsc 20221219 with
 * `netstack: hide-proc-sys-net`, each serving HTTP through a port mapped to the host.
 * Needs root, podman, both runsc builds (scripts/setup.sh installs them) and unshare.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { runtimeBinaryForPodman } from '../../src/engine/netstack-wrapper.js';
import type { RunReport, RuntimeInfo } from '../../src/report/types.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const cli = join(repoRoot, 'dist/src/cli/main.js');
const variantsMatrix = join(repoRoot, 'test/fixtures/integration/variants-matrix.yaml');

/** Returns the text of every runsc boot log of one runtime in a run folder. */
async function bootLogs(runDir: string, runtime: string): Promise<string> {
  const dir = join(runDir, 'runsc-logs', runtime);
  const files = (await readdir(dir)).filter((name) => name.endsWith('.boot.txt'));
  assert.ok(files.length > 0, `no boot log in ${dir}`);
  const texts = await Promise.all(files.map((name) => readFile(join(dir, name), 'utf8')));
  return texts.join('\n');
}

describe('gvmatrix run with runtime variants', () => {
  let reportsDir: string;
  let exitCode: number | undefined;
  let output: string;
  let report: RunReport;
  let runDir: string;

  before(async () => {
    reportsDir = await mkdtemp(join(tmpdir(), 'gvmatrix-variants-'));
    const result = await execa(process.execPath, [cli, 'run', '--matrix', variantsMatrix, '--reports', reportsDir], {
      reject: false,
      env: { FORCE_COLOR: '0' },
    });
    exitCode = result.exitCode;
    output = `${result.stdout}\n${result.stderr}`;
    report = JSON.parse(await readFile(join(reportsDir, 'results.json'), 'utf8')) as RunReport;
    runDir = join(reportsDir, 'runs', report.runId);
  });

  after(async () => {
    await rm(reportsDir, { recursive: true, force: true });
  });

  test('exits 0 for passing variants', () => {
    assert.equal(exitCode, 0, output);
  });

  test('systrap variant is compatible', () => {
    const record = report.verdicts.find((candidate) => candidate.runtime === 'runsc-systrap');
    assert.equal(record?.verdict, 'compatible', output);
  });

  test('netstack variant is compatible', () => {
    const record = report.verdicts.find((candidate) => candidate.runtime === 'runsc-netstack');
    assert.equal(record?.verdict, 'compatible', output);
  });

  test('systrap flags are recorded', () => {
    const runtime = report.runtimes.find((candidate) => candidate.name === 'runsc-systrap');
    assert.deepEqual(runtime?.flags, ['--platform=systrap', '--network=host']);
  });

  test('sandbox booted on systrap', async () => {
    assert.match(await bootLogs(runDir, 'runsc-systrap'), /Platform: systrap/);
  });

  test('sandbox booted with netstack', async () => {
    assert.match(await bootLogs(runDir, 'runsc-netstack'), /Network: sandbox/);
  });

  test('wrapper is in the run folder', () => {
    assert.equal(existsSync(join(runDir, 'runtimes', 'runsc-netstack', 'runsc')), true);
  });
});

describe('netstack wrapper script', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gvmatrix-wrapper-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('hides /proc/sys/net and passes arguments', async () => {
    // A stand-in runtime binary: it prints the number of entries in /proc/sys/net, then its arguments.
    const fake = join(dir, 'fake runsc');
    await writeFile(fake, '#!/bin/sh\nls -A /proc/sys/net | wc -l\nprintf "%s|" "$@"\n');
    await chmod(fake, 0o755);
    const runtime: RuntimeInfo = { name: 'fake', kind: 'runsc', baseline: false, path: fake, version: '', flags: [], netstack: 'hide-proc-sys-net' };

    const wrapper = await runtimeBinaryForPodman(runtime, join(dir, 'runtimes'));
    const result = await execa(wrapper, ['--root', '/run/x', 'create', 'two words', "it's"]);
    assert.equal(result.stdout, "0\n--root|/run/x|create|two words|it's|");
  });

  test('host keeps /proc/sys/net', async () => {
    assert.ok((await readdir('/proc/sys/net')).includes('core'));
  });

  test('other runtimes run their binary', async () => {
    const runtime: RuntimeInfo = { name: 'plain', kind: 'runsc', baseline: false, path: '/usr/bin/runsc', version: '', flags: ['--network=host'] };
    assert.equal(await runtimeBinaryForPodman(runtime, join(dir, 'runtimes')), '/usr/bin/runsc');
  });
});
