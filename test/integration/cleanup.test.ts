/**
 * Killed runs and shared reports folders, through the real CLI: a run killed with SIGKILL
 * leaves containers, API services and sockets that `gvmatrix clean` removes, and a second
 * run on a locked reports folder exits 3. Needs root, podman, runc and runsc.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { readRunRecords, runRecordDir, type RunRecord } from '../../src/engine/run-record.js';
import { findRunServices } from '../../src/engine/run-sweep.js';
import { listRunContainers } from '../../src/engine/session.js';
import { LOCK_FILE } from '../../src/cli/reports-lock.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const cli = join(repoRoot, 'dist/src/cli/main.js');
const fixtureMatrix = join(repoRoot, 'test/fixtures/integration/matrix.yaml');

/** Starts `gvmatrix ARGS` in its own process group, so the test can kill it and all it started. */
function startCli(args: string[]): ResultPromise {
  return execa(process.execPath, [cli, ...args], { reject: false, cwd: repoRoot, detached: true, env: { FORCE_COLOR: '0' } });
}

function runCli(args: string[]) {
  return execa(process.execPath, [cli, ...args], { reject: false, cwd: repoRoot, env: { FORCE_COLOR: '0' } });
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (value === undefined) {
    assert.ok(Date.now() < deadline, `timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    value = await probe();
  }
  return value;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

/** Kills what is left of a process group this test started; a group that is gone already is fine. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) {
    return;
  }
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: every process of the group has exited.
  }
}

describe('gvmatrix clean after a killed run', () => {
  let reportsDir: string;
  let child: ResultPromise | undefined;

  after(async () => {
    killGroup(child?.pid);
    await runCli(['clean']);
    await rm(reportsDir, { recursive: true, force: true });
  });

  test('removes everything of the run', async () => {
    reportsDir = await mkdtemp(join(tmpdir(), 'gvmatrix-it-kill-'));
    child = startCli(['run', '--matrix', fixtureMatrix, '--reports', reportsDir]);
    const pid = child.pid;
    assert.ok(pid);

    const record = await waitFor<RunRecord>('the run record of the gvmatrix process', 300_000, async () => {
      const { records } = await readRunRecords();
      return records.find((candidate) => candidate.process.pid === pid && candidate.servicePids.length === 2);
    });
    await waitFor('a container labelled with the run id', 300_000, async () => ((await listRunContainers(record.runId)).length > 0 ? true : undefined));

    // Only gvmatrix itself dies, as when a CI runner kills the job's main process: its
    // Playwright process and the API services it started keep running.
    process.kill(pid, 'SIGKILL');
    await child;
    assert.ok((await findRunServices(record)).length > 0, 'the API services died with gvmatrix, so the test checks nothing');

    const clean = await runCli(['clean']);
    const output = `${clean.stdout}\n${clean.stderr}`;

    assert.equal(clean.exitCode, 0, output);
    assert.match(clean.stdout, new RegExp(`^run ${record.runId}: removed `, 'm'));
    assert.deepEqual(await listRunContainers(record.runId), []);
    assert.deepEqual(await findRunServices(record), []);
    assert.equal(await exists(record.socketDir), false, `socket folder ${record.socketDir} remains`);
    assert.equal(await exists(join(runRecordDir(), `${record.runId}.json`)), false, 'the run record remains');
  });
});

describe('second run on a locked reports folder', () => {
  let reportsDir: string;
  let first: ResultPromise | undefined;

  after(async () => {
    killGroup(first?.pid);
    await runCli(['clean']);
    await rm(reportsDir, { recursive: true, force: true });
  });

  test('exits 3 naming the first run', async () => {
    reportsDir = await mkdtemp(join(tmpdir(), 'gvmatrix-it-lock-'));
    first = startCli(['run', '--matrix', fixtureMatrix, '--reports', reportsDir]);
    const lockFile = join(reportsDir, LOCK_FILE);
    const owner = await waitFor('the lock of the first run', 60_000, async () =>
      (await exists(lockFile)) ? (JSON.parse(await readFile(lockFile, 'utf8')) as { runId: string; process: { pid: number } }) : undefined,
    );

    const second = await runCli(['run', '--matrix', fixtureMatrix, '--reports', reportsDir]);

    assert.equal(second.exitCode, 3, second.stderr);
    assert.equal(owner.process.pid, first.pid);
    assert.match(second.stderr, new RegExp(`run ${owner.runId}`));
    assert.match(second.stderr, new RegExp(`pid ${owner.process.pid}`));
    assert.match(second.stderr, /--reports/);
    assert.equal(first.exitCode, null, 'the first run ended before the second one started');

    first.kill('SIGTERM');
    await first;
  });
});
