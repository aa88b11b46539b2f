import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StageTimeoutError, formatStageFailure, shortContainerId, timedOutAfter, withStageTimeout } from '../../src/engine/stage-timeout.js';
import { containerIdsFromConmon, isContainerRuntimeProcess, parseStatParentPid } from '../../src/engine/container-processes.js';
import { formatEndpointExit } from '../../src/engine/endpoint-exit.js';

const ID = '3f2a1b4c5d6e7f808182838485868788898a8b8c8d8e8f909192939495969798';

test('stage failure names every part', () => {
  const message = formatStageFailure('container start', timedOutAfter(120_000), { image: 'nginx', runtime: 'runsc', container: ID }, 'readiness wait for HTTP GET /');
  assert.equal(message, 'container start timed out after 120 s: image nginx, runtime runsc, container 3f2a1b4c5d6e (stage: readiness wait for HTTP GET /)');
});

test('stage failure without a container', () => {
  assert.match(formatStageFailure('container start', 'failed', { image: 'a', runtime: 'b' }, 'create and start'), /runtime b, no container yet \(stage/);
});

test('container names stay whole', () => {
  assert.equal(shortContainerId('gvmatrix-abc123-0011aabb'), 'gvmatrix-abc123-0011aabb');
  assert.equal(shortContainerId(ID), '3f2a1b4c5d6e');
});

test('fractional seconds keep one digit', () => {
  assert.equal(timedOutAfter(1_500), 'timed out after 1.5 s');
});

test('bounds under a second show in ms', () => {
  assert.equal(timedOutAfter(1), 'timed out after 1 ms');
  assert.equal(timedOutAfter(250), 'timed out after 250 ms');
});

test('bound rejects hung work', async () => {
  const hung = new Promise<never>(() => {});
  let container = 'gvmatrix-x';
  const pending = withStageTimeout(hung, { step: 'exec', stage: 'check exec `sleep infinity`', timeoutMs: 20, subject: () => ({ image: 'i', runtime: 'r', container }) });
  container = ID;
  await assert.rejects(pending, (error: unknown) => {
    assert.ok(error instanceof StageTimeoutError);
    assert.equal(error.message, 'exec timed out after 20 ms: image i, runtime r, container 3f2a1b4c5d6e (stage: check exec `sleep infinity`)');
    return true;
  });
});

test('bound returns finished work', async () => {
  const value = await withStageTimeout(Promise.resolve(7), { step: 's', stage: 't', timeoutMs: 1_000, subject: () => ({}) });
  assert.equal(value, 7);
});

test('abandon settles before the bound', async () => {
  const abandon = Promise.reject(new Error('service died'));
  abandon.catch(() => undefined);
  await assert.rejects(withStageTimeout(new Promise(() => {}), { step: 's', stage: 't', timeoutMs: 10_000, subject: () => ({}), abandon }), /service died/);
});

test('runtime process matches by id', () => {
  assert.equal(isContainerRuntimeProcess(['/usr/bin/runsc', '--root', '/run/runsc', 'delete', '--force', ID], [ID]), true);
  assert.equal(isContainerRuntimeProcess(['/usr/bin/conmon', '-c', ID], [ID]), false);
  assert.equal(isContainerRuntimeProcess(['/usr/bin/podman', 'container', 'cleanup', ID], [ID]), false);
  assert.equal(isContainerRuntimeProcess(['/usr/bin/runsc', 'delete', 'other'], [ID]), false);
});

test('conmon names the id of a container name', () => {
  const argv = ['/usr/bin/conmon', '--api-version', '1', '-c', ID, '-u', ID, '-r', '/usr/bin/runsc', '-n', 'gvmatrix-abc-01'];
  assert.equal(containerIdsFromConmon(argv, ['gvmatrix-abc-01']), ID);
  assert.equal(containerIdsFromConmon(argv, ['other']), undefined);
  assert.equal(containerIdsFromConmon(['/usr/bin/runsc', '-n', 'gvmatrix-abc-01', '-c', ID], ['gvmatrix-abc-01']), undefined);
});

test('stat line gives the parent pid', () => {
  assert.equal(parseStatParentPid('4242 (sleep (x)) S 4200 4242 4200 0 -1 4194560'), 4200);
});

test('dead service message names socket and signal', () => {
  const message = formatEndpointExit({ runtime: 'runsc', socket: '/run/gvmatrix/r/runsc.sock', pid: 12, exitCode: undefined, signal: 'SIGKILL', at: '2026-01-01T00:00:00.000Z' });
  assert.equal(message, 'the Podman API service of runtime runsc (pid 12) on /run/gvmatrix/r/runsc.sock was killed by SIGKILL at 2026-01-01T00:00:00.000Z');
  assert.match(formatEndpointExit({ runtime: 'runc', socket: 's', pid: undefined, exitCode: 125, signal: undefined, at: 't' }), /runc on s exited with status 125/);
});
