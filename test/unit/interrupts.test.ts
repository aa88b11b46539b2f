import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { execa } from 'execa';
import { InterruptedError, RunInterrupts } from '../../src/cli/interrupts.js';
import { ignoreClosedOutput } from '../../src/cli/progress.js';
import { LOCK_FILE, lockReportsFolder, releaseDeadRunLock } from '../../src/cli/reports-lock.js';
import { findRunTestProcesses } from '../../src/engine/run-sweep.js';
import { parseRunRecord, type RunRecord } from '../../src/engine/run-record.js';
import { CONTEXT_ENV } from '../../src/driver/context.js';
import { writeFilesAtomic } from '../../src/report/write-file.js';
import { planInterruptions, stageLength, stageOfLine, STAGES } from '../../scripts/interrupt-harness.js';

async function withFolder(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gvmatrix-interrupts-'));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('race rejects on SIGINT', async () => {
  const interrupts = new RunInterrupts().listen();
  try {
    const work = new Promise<string>((resolve) => setTimeout(() => resolve('done'), 2_000));
    const raced = interrupts.race(work);
    process.kill(process.pid, 'SIGINT');

    await assert.rejects(raced, InterruptedError);
    assert.equal(interrupts.signal, 'SIGINT');
    assert.equal(interrupts.interrupted, true);
    await work;
  } finally {
    interrupts.stop();
  }
});

test('race after a signal rejects at once', async () => {
  const interrupts = new RunInterrupts().listen();
  try {
    process.kill(process.pid, 'SIGTERM');
    await new Promise((resolve) => setImmediate(resolve));

    await assert.rejects(interrupts.race(Promise.resolve(1)), { name: 'InterruptedError', signal: 'SIGTERM' });
  } finally {
    interrupts.stop();
  }
});

test('race passes results through', async () => {
  const interrupts = new RunInterrupts().listen();
  try {
    assert.equal(await interrupts.race(Promise.resolve(7)), 7);
    await assert.rejects(interrupts.race(Promise.reject(new Error('build failed'))), /build failed/);
    assert.equal(interrupts.interrupted, false);
  } finally {
    interrupts.stop();
  }
});

test('lock leaves no temporary file', () => {
  return withFolder(async (dir) => {
    const release = await lockReportsFolder(dir, 'R1', () => {});

    assert.deepEqual(await readdir(dir), [LOCK_FILE]);
    assert.match(await readFile(join(dir, LOCK_FILE), 'utf8'), /"runId":"R1"/);
    await release();
  });
});

test('dead run lock is released', () => {
  return withFolder(async (dir) => {
    const dead = { runId: 'R-dead', process: { pid: 2 ** 22 + 1, startTime: '1' } };
    await writeFile(join(dir, LOCK_FILE), JSON.stringify(dead));

    assert.equal(await releaseDeadRunLock(dir, 'R-other'), false);
    assert.equal(await releaseDeadRunLock(dir, 'R-dead'), true);
    await assert.rejects(readFile(join(dir, LOCK_FILE)), { code: 'ENOENT' });
  });
});

test('live run lock stays', () => {
  return withFolder(async (dir) => {
    const release = await lockReportsFolder(dir, 'R-live', () => {});

    assert.equal(await releaseDeadRunLock(dir, 'R-live'), false);
    assert.match(await readFile(join(dir, LOCK_FILE), 'utf8'), /R-live/);
    await release();
  });
});

test('run record keeps its reports folder', () => {
  const record: RunRecord = { runId: 'R1', process: { pid: 7, startTime: '9' }, socketDir: '/run/gvmatrix/R1', servicePids: [], reportsDir: '/tmp/reports' };

  assert.deepEqual(parseRunRecord(JSON.stringify(record)), record);
  assert.equal(parseRunRecord(JSON.stringify({ ...record, reportsDir: 3 })), undefined);
});

test('test processes found by context', () => {
  return withFolder(async (dir) => {
    const record: RunRecord = { runId: 'R-ctx', process: { pid: 7, startTime: '9' }, socketDir: '/run/gvmatrix/R-ctx', servicePids: [], reportsDir: dir };
    const contextFile = join(dir, 'runs', 'R-ctx', 'context.json');
    const child = execa(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { env: { [CONTEXT_ENV]: contextFile }, reject: false });
    const other = execa(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { env: { [CONTEXT_ENV]: `${contextFile}.other` }, reject: false });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));

      assert.deepEqual(await findRunTestProcesses(record), [child.pid]);
      assert.deepEqual(await findRunTestProcesses({ ...record, reportsDir: undefined }), []);
    } finally {
      child.kill('SIGKILL');
      other.kill('SIGKILL');
      await Promise.all([child, other]);
    }
  });
});

test('plan alternates signals and cleanups', () => {
  const plan = planInterruptions(20, 42);

  assert.equal(plan.length, 20);
  assert.deepEqual(plan.slice(0, 4).map((run) => run.signal), ['SIGINT', 'SIGKILL', 'SIGINT', 'SIGKILL']);
  assert.deepEqual(plan.filter((run) => run.signal === 'SIGKILL').slice(0, 4).map((run) => run.cleanup), ['clean', 'sweep', 'clean', 'sweep']);
  for (const stage of STAGES) {
    const signals = new Set(plan.filter((run) => run.stage === stage).map((run) => run.signal));
    assert.deepEqual([...signals].sort(), ['SIGINT', 'SIGKILL'], `stage ${stage}`);
  }
  assert.deepEqual(planInterruptions(20, 42), plan);
  assert.notDeepEqual(planInterruptions(20, 43).map((run) => run.fraction), plan.map((run) => run.fraction));
});

test('stages follow output lines', () => {
  assert.equal(stageOfLine('gvmatrix: runtime runc: /usr/sbin/runc (runc version 1.1.5+ds1)', 'preflight'), 'image check');
  assert.equal(stageOfLine('gvmatrix: run 20261204-222809-dd71be: 2 images x 2 runtimes on rootful Podman, working folder /r', 'image check'), 'endpoint start');
  assert.equal(stageOfLine('Running 16 tests using 2 workers', 'endpoint start'), 'container start');
  assert.equal(stageOfLine('[1/16] [runc] › src/driver/declarative.ts:27:9 › it-syscalls › uname prints a release', 'container start'), 'mid-test');
  assert.equal(stageOfLine('  12 passed (40.1s)', 'mid-test'), 'report writing');
  assert.equal(stageOfLine('[2/16] [runc] › it-syscalls › x', 'mid-test'), undefined);
});

test('stage length runs to the next stage', () => {
  const times = { preflight: 0, 'image check': 1, 'endpoint start': 3, teardown: 20 };

  assert.equal(stageLength(times, 25, 'image check'), 2);
  assert.equal(stageLength(times, 25, 'endpoint start'), 17);
  assert.equal(stageLength(times, 25, 'teardown'), 5);
});

test('failed set write keeps old files', () => {
  return withFolder(async (dir) => {
    const first = join(dir, 'results.json');
    await writeFile(first, 'old');
    await writeFile(join(dir, 'not-a-folder'), '');

    await assert.rejects(
      writeFilesAtomic([
        { path: first, text: 'new' },
        { path: join(dir, 'not-a-folder', 'junit.xml'), text: 'new' },
      ]),
      /failed to write .*junit\.xml/,
    );
    assert.equal(await readFile(first, 'utf8'), 'old');
    assert.deepEqual((await readdir(dir)).sort(), ['not-a-folder', 'results.json']);
  });
});

test('set write replaces every file', () => {
  return withFolder(async (dir) => {
    await writeFilesAtomic([
      { path: join(dir, 'a'), text: 'A' },
      { path: join(dir, 'sub', 'b'), text: 'B' },
    ]);

    assert.equal(await readFile(join(dir, 'a'), 'utf8'), 'A');
    assert.equal(await readFile(join(dir, 'sub', 'b'), 'utf8'), 'B');
    assert.deepEqual((await readdir(dir)).sort(), ['a', 'sub']);
  });
});

test('closed output pipe is ignored', () => {
  const stream = new PassThrough();
  ignoreClosedOutput([stream]);

  assert.doesNotThrow(() => stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })));
  assert.throws(() => stream.emit('error', Object.assign(new Error('write EIO'), { code: 'EIO' })), /EIO/);
});

test('process outlives its output reader', () => {
  return withFolder(async (dir) => {
    const marker = join(dir, 'finished');
    const progressModule = new URL('../../src/cli/progress.js', import.meta.url).href;
    const script = `
      const { ignoreClosedOutput } = await import(${JSON.stringify(progressModule)});
      const { writeFileSync } = await import('node:fs');
      ignoreClosedOutput();
      setTimeout(() => {
        for (let i = 0; i < 100; i++) process.stderr.write('progress line\\n');
        setTimeout(() => writeFileSync(${JSON.stringify(marker)}, 'yes'), 200);
      }, 500);`;
    const child = execa(process.execPath, ['--input-type=module', '-e', script], { reject: false, buffer: false });
    child.stderr?.destroy();

    const result = await child;
    assert.equal(result.exitCode, 0);
    assert.equal(await readFile(marker, 'utf8'), 'yes');
  });
});
