/**
 * Two runs at the same time with different reports folders share nothing: no API socket,
 * no run id in container labels, no runsc debug-log folder. Each ends with its own
 * complete reports, the end of one leaves the other running, and a third run on a folder
 * that a live run writes is rejected without disturbing it. Needs root, podman, runc and runsc.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { RunContext } from '../../src/driver/context.js';
import { RUN_LABEL } from '../../src/driver/labels.js';
import { readRunRecords } from '../../src/engine/run-record.js';
import { findRunServices } from '../../src/engine/run-sweep.js';
import { listRunContainers } from '../../src/engine/session.js';
import { checkReports, countLeftovers, formatLeftovers, repoRoot, startGvmatrix, totalLeftovers } from '../../scripts/interrupt-harness.js';

const fixtureMatrix = join(repoRoot, 'test/fixtures/integration/matrix.yaml');

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (value === undefined) {
    assert.ok(Date.now() < deadline, `timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    value = await probe();
  }
  return value;
}

/** Reads the context file of the run writing a reports folder, once the run has written it. */
async function readContext(reportsDir: string): Promise<RunContext | undefined> {
  const runs = await readdir(join(reportsDir, 'runs')).catch(() => [] as string[]);
  for (const runId of runs) {
    const text = await readFile(join(reportsDir, 'runs', runId, 'context.json'), 'utf8').catch(() => undefined);
    if (text) {
      return JSON.parse(text) as RunContext;
    }
  }
  return undefined;
}

/** Returns a container's run label, or undefined when the container is gone (its test ended since it was listed). */
async function labelOf(containerId: string): Promise<string | undefined> {
  const { stdout, exitCode } = await execa('podman', ['inspect', '--format', `{{index .Config.Labels "${RUN_LABEL}"}}`, containerId], { reject: false });
  return exitCode === 0 ? stdout.trim() : undefined;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

describe('two runs at the same time', () => {
  let root: string;
  const children: ReturnType<typeof startGvmatrix>[] = [];

  after(async () => {
    for (const child of children) {
      child.kill('SIGKILL');
    }
    await Promise.all(children);
    await execa(process.execPath, [join(repoRoot, 'dist/src/cli/main.js'), 'clean'], { reject: false });
    await rm(root, { recursive: true, force: true });
  });

  test('share nothing and both finish', { timeout: 600_000 }, async () => {
    root = await mkdtemp(join(tmpdir(), 'gvmatrix-it-concurrent-'));
    const shortDir = join(root, 'short');
    const longDir = join(root, 'long');
    // The short run has one image, so it ends while the long one still runs its tests.
    const short = startGvmatrix(['run', '--matrix', fixtureMatrix, '--image', 'it-web', '--reports', shortDir]);
    const long = startGvmatrix(['run', '--matrix', fixtureMatrix, '--reports', longDir]);
    children.push(short, long);

    const shortContext = await waitFor('the context of the short run', 120_000, () => readContext(shortDir));
    const longContext = await waitFor('the context of the long run', 120_000, () => readContext(longDir));
    const [shortContainers, longContainers] = await waitFor('containers of both runs', 120_000, async () => {
      const found = [await listRunContainers(shortContext.runId), await listRunContainers(longContext.runId)];
      return found.every((ids) => ids.length > 0) ? found : undefined;
    });

    assert.notEqual(shortContext.runId, longContext.runId);
    const shortSockets = shortContext.runtimes.map((runtime) => runtime.socket);
    const longSockets = longContext.runtimes.map((runtime) => runtime.socket);
    assert.deepEqual(shortSockets.filter((socket) => longSockets.includes(socket)), [], 'shared API sockets');
    const shortLogs = shortContext.runtimes.flatMap((runtime) => (runtime.debugLogDir ? [runtime.debugLogDir] : []));
    const longLogs = longContext.runtimes.flatMap((runtime) => (runtime.debugLogDir ? [runtime.debugLogDir] : []));
    assert.equal(shortLogs.length, 1);
    assert.equal(longLogs.length, 1);
    assert.ok(!shortLogs.some((dir) => longLogs.some((other) => dir.startsWith(other) || other.startsWith(dir))), `shared runsc log folders: ${shortLogs} ${longLogs}`);
    for (const [ids, runId] of [[shortContainers ?? [], shortContext.runId], [longContainers ?? [], longContext.runId]] as const) {
      for (const id of ids) {
        const label = await labelOf(id);
        if (label !== undefined) {
          assert.equal(label, runId, `label of container ${id}`);
        }
      }
    }

    // A sweep while both live touches neither. The short run may end while clean runs,
    // and clean may then report it, but only once it has exited.
    const clean = await execa(process.execPath, [join(repoRoot, 'dist/src/cli/main.js'), 'clean'], { reject: false, env: { FORCE_COLOR: '0' } });
    assert.equal(clean.exitCode, 0, clean.stderr);
    assert.doesNotMatch(clean.stdout, new RegExp(longContext.runId));
    if (clean.stdout.includes(shortContext.runId)) {
      assert.notEqual(short.exitCode, null, `clean swept the live short run:\n${clean.stdout}`);
    }

    const shortResult = await short;
    assert.equal(long.exitCode, null, 'the long run ended before the short one');
    const longRecord = (await readRunRecords()).records.find((record) => record.runId === longContext.runId);
    assert.ok(longRecord, 'the record of the long run is gone after the short run ended');
    assert.equal((await findRunServices(longRecord)).length, 2, 'API services of the long run after the short run ended');

    // A third run on the long run's folder is rejected, naming the folder and the owner.
    const third = await startGvmatrix(['run', '--matrix', fixtureMatrix, '--image', 'it-web', '--reports', longDir]);
    assert.equal(third.exitCode, 3, third.all);
    assert.ok(third.all.includes(longDir), third.all);
    assert.match(third.all, new RegExp(`run ${longContext.runId} \\(gvmatrix pid ${long.pid}\\)`));
    assert.equal(await exists(join(longDir, 'runs', longContext.runId, 'context.json')), true);

    const longResult = await long;
    assert.ok([0, 1].includes(shortResult.exitCode ?? -1), shortResult.all);
    assert.equal(longResult.exitCode, 1, longResult.all);
    assert.deepEqual(await checkReports(shortDir), { kind: 'complete', runId: shortContext.runId });
    assert.deepEqual(await checkReports(longDir), { kind: 'complete', runId: longContext.runId });
    const longReport = JSON.parse(await readFile(join(longDir, 'results.json'), 'utf8')) as { verdicts: { verdict: string }[] };
    assert.equal(longReport.verdicts.length, 8);
    assert.equal(longReport.verdicts.filter((verdict) => verdict.verdict === 'not-run').length, 0);
    for (const [runId, dir] of [[shortContext.runId, shortDir], [longContext.runId, longDir]] as const) {
      const leftovers = await countLeftovers(runId, dir);
      assert.equal(totalLeftovers(leftovers), 0, `run ${runId}: ${formatLeftovers(leftovers)}`);
    }
  });
});
