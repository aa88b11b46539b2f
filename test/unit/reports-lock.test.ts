import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCK_FILE, lockDecision, lockReportsFolder, parseLockOwner, ReportsLockedError } from '../../src/cli/reports-lock.js';
import { exitStatusFor } from '../../src/cli/exit-status.js';

async function withFolder(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gvmatrix-lock-'));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const OWNER = { runId: 'R1', process: { pid: 4242, startTime: '77' } };

test('decision: live owner keeps lock', () => {
  assert.equal(lockDecision(OWNER, true), 'locked');
});

test('decision: dead owner is taken over', () => {
  assert.equal(lockDecision(OWNER, false), 'take-over');
});

test('decision: unreadable lock is taken over', () => {
  assert.equal(lockDecision(undefined, false), 'take-over');
});

test('lock owner parses back', () => {
  assert.deepEqual(parseLockOwner(JSON.stringify(OWNER)), OWNER);
  assert.equal(parseLockOwner('{"runId":"R1"}'), undefined);
});

test('lock file names the run', () => {
  return withFolder(async (dir) => {
    const release = await lockReportsFolder(dir, 'R1', () => {});
    const owner = parseLockOwner(await readFile(join(dir, LOCK_FILE), 'utf8'));
    assert.equal(owner?.runId, 'R1');
    assert.equal(owner?.process.pid, process.pid);
    await release();
    await assert.rejects(readFile(join(dir, LOCK_FILE)), { code: 'ENOENT' });
  });
});

test('second lock while owner lives', () => {
  return withFolder(async (dir) => {
    const release = await lockReportsFolder(dir, 'R1', () => {});
    await assert.rejects(lockReportsFolder(dir, 'R2', () => {}), (error: Error) => {
      assert.ok(error instanceof ReportsLockedError);
      assert.match(error.message, /run R1/);
      assert.match(error.message, new RegExp(`pid ${process.pid}`));
      assert.match(error.message, /--reports/);
      assert.equal(exitStatusFor(error), 3);
      return true;
    });
    await release();
  });
});

test('stale lock is taken over', () => {
  return withFolder(async (dir) => {
    // This pid is alive, but its start time is not this process's: a reused pid.
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ runId: 'OLD', process: { pid: process.pid, startTime: '1' } }));
    const messages: string[] = [];

    const release = await lockReportsFolder(dir, 'R2', (message) => messages.push(message));

    assert.equal(messages.length, 1);
    assert.match(messages[0] ?? '', /from run OLD/);
    assert.equal(parseLockOwner(await readFile(join(dir, LOCK_FILE), 'utf8'))?.runId, 'R2');
    await release();
  });
});

test('release keeps a taken-over lock', () => {
  return withFolder(async (dir) => {
    const release = await lockReportsFolder(dir, 'R1', () => {});
    const other = JSON.stringify({ runId: 'R3', process: { pid: 1, startTime: '1' } });
    await writeFile(join(dir, LOCK_FILE), other);
    await release();
    assert.equal(await readFile(join(dir, LOCK_FILE), 'utf8'), other);
  });
});

test('release removes created folders', () => {
  return withFolder(async (dir) => {
    const reportsDir = join(dir, 'new', 'reports');
    const release = await lockReportsFolder(reportsDir, 'R1', () => {});
    await release();
    assert.deepEqual(await readdir(dir), []);
  });
});

test('release keeps written folders', () => {
  return withFolder(async (dir) => {
    const reportsDir = join(dir, 'reports');
    const release = await lockReportsFolder(reportsDir, 'R1', () => {});
    await writeFile(join(reportsDir, 'junit.xml'), '<testsuites/>');
    await release();
    assert.deepEqual(await readdir(reportsDir), ['junit.xml']);
  });
});
