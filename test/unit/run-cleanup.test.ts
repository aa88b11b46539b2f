import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentProcessIdentity, isSameProcess, parseStatStartTime } from '../../src/engine/process-identity.js';
import { parseRunRecord, writeRunRecord, type RunRecord } from '../../src/engine/run-record.js';
import { isRunServiceCommand, sweepDeadRuns } from '../../src/engine/run-sweep.js';
import { newRunId, socketRoot } from '../../src/engine/session.js';
import { containerLabels, RUN_LABEL } from '../../src/driver/labels.js';
import { currentPodman, type Podman } from '../../src/engine/podman.js';

// A real /proc/PID/stat line of a process whose name contains ") (": field 22 is 5128734.
const STAT_LINE = '4242 (a) (b c) S 1 4242 4242 0 -1 4194560 1234 0 0 0 12 3 0 0 20 0 1 0 5128734 10485760 512 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 3 0 0 0 0 0';

test('stat start time after odd name', () => {
  assert.equal(parseStatStartTime(STAT_LINE), '5128734');
});

test('zombie process has no start time', () => {
  assert.equal(parseStatStartTime(STAT_LINE.replace(') S 1', ') Z 1')), undefined);
});

test('stat line without name is rejected', () => {
  assert.equal(parseStatStartTime('4242 S 1'), undefined);
});

test('own stat has a start time', async () => {
  const identity = await currentProcessIdentity();
  assert.equal(identity.pid, process.pid);
  assert.match(identity.startTime, /^\d+$/);
});

test('liveness: same pid and start time', () => {
  assert.equal(isSameProcess({ pid: 10, startTime: '500' }, '500'), true);
});

test('liveness: missing pid is dead', () => {
  assert.equal(isSameProcess({ pid: 10, startTime: '500' }, undefined), false);
});

test('liveness: reused pid is dead', () => {
  assert.equal(isSameProcess({ pid: 10, startTime: '500' }, '501'), false);
});

test('service command of the run matches', () => {
  const argv = ['podman', '--runtime', '/usr/bin/runsc', '--runtime-flag', 'network=host', 'system', 'service', '--time=0', 'unix:///run/gvmatrix/R1/runsc.sock'];
  assert.equal(isRunServiceCommand(argv, '/run/gvmatrix/R1'), true);
});

test('rootless service behind runuser matches', () => {
  const argv = ['runuser', '-u', 'gvmatrix', '--', 'env', 'XDG_RUNTIME_DIR=/run/user/1000', 'podman', '--runtime', 'runc', 'system', 'service', '--time=0', 'unix:///run/user/1000/gvmatrix/R1/runc.sock'];
  assert.equal(isRunServiceCommand(argv, '/run/user/1000/gvmatrix/R1'), true);
});

test('service of another run is not matched', () => {
  const argv = ['podman', 'system', 'service', '--time=0', 'unix:///run/gvmatrix/R10/runc.sock'];
  assert.equal(isRunServiceCommand(argv, '/run/gvmatrix/R1'), false);
});

test('non-service podman is not matched', () => {
  const argv = ['podman', 'ps', '--filter', 'unix:///run/gvmatrix/R1/runc.sock'];
  assert.equal(isRunServiceCommand(argv, '/run/gvmatrix/R1'), false);
});

test('other program naming the socket is not matched', () => {
  const argv = ['sleep', 'system', 'service', 'unix:///run/gvmatrix/R1/runc.sock'];
  assert.equal(isRunServiceCommand(argv, '/run/gvmatrix/R1'), false);
});

function record(runId: string, pid: number, startTime: string): RunRecord {
  return { runId, process: { pid, startTime }, socketDir: `/run/gvmatrix/${runId}`, servicePids: [] };
}

test('run record parses back', () => {
  const written = { ...record('20261204-215000-abcdef', 7, '99'), podmanUser: 'gvmatrix', servicePids: [8, 9] };
  assert.deepEqual(parseRunRecord(JSON.stringify(written)), written);
});

test('run record with foreign socket folder is rejected', () => {
  const written = { ...record('R1', 7, '99'), socketDir: '/' };
  assert.equal(parseRunRecord(JSON.stringify(written)), undefined);
});

test('run record that is not JSON is rejected', () => {
  assert.equal(parseRunRecord('{"runId":'), undefined);
});

test('sweep leaves live runs alone', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gvmatrix-records-'));
  try {
    const self = await currentProcessIdentity();
    await writeRunRecord(record('live-run', self.pid, self.startTime), dir);
    await writeFile(join(dir, 'broken.json'), 'not json');

    const result = await sweepDeadRuns({ dryRun: false, recordDir: dir });

    assert.deepEqual(result.live, ['live-run']);
    assert.deepEqual(result.swept, []);
    assert.deepEqual(result.invalidRecords, [join(dir, 'broken.json')]);
    assert.deepEqual((await readdir(dir)).sort(), ['broken.json', 'live-run.json']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('two runs share no resources', () => {
  const first = newRunId();
  const second = newRunId();
  const podman: Podman = currentPodman();
  assert.notEqual(first, second);
  assert.notEqual(socketRoot(first, podman), socketRoot(second, podman));
  assert.notEqual(containerLabels(first, 'i', 'r', 't')[RUN_LABEL], containerLabels(second, 'i', 'r', 't')[RUN_LABEL]);
  assert.notEqual(join('reports-a', 'runs', first), join('reports-a', 'runs', second));
  const rootless: Podman = { ...podman, user: { name: 'gvmatrix', uid: 1000, gid: 1000, home: '/home/gvmatrix', runtimeDir: '/run/user/1000' } };
  assert.notEqual(socketRoot(first, rootless), socketRoot(second, rootless));
});
