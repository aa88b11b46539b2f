import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointArgs, endpointRuntimeFlags } from '../../src/engine/endpoint.js';
import { mirrorFromAptSources } from '../../src/engine/images.js';
import { formatCommandFailure } from '../../src/engine/command.js';
import { newRunId } from '../../src/engine/session.js';
import type { RuntimeInfo } from '../../src/report/types.js';

const RUNSC: RuntimeInfo = {
  name: 'runsc',
  kind: 'runsc',
  baseline: false,
  path: '/usr/bin/runsc',
  version: 'runsc version 0.0~20221219.0',
  flags: ['--network=host'],
};

test('runtime flags drop dashes for podman', () => {
  assert.deepEqual(endpointRuntimeFlags(RUNSC), ['network=host']);
});

test('runsc debug log ends with slash', () => {
  assert.deepEqual(endpointRuntimeFlags(RUNSC, '/r/logs'), ['network=host', 'debug-log=/r/logs/']);
});

test('runc gets no debug log flag', () => {
  const runc: RuntimeInfo = { ...RUNSC, name: 'runc', kind: 'runc', flags: [] };
  assert.deepEqual(endpointRuntimeFlags(runc, '/r/logs'), []);
});

test('endpoint command line', () => {
  assert.deepEqual(endpointArgs(RUNSC, '/run/x/runsc.sock', '/r/l/'), [
    '--runtime',
    '/usr/bin/runsc',
    '--runtime-flag',
    'network=host',
    '--runtime-flag',
    'debug-log=/r/l/',
    'system',
    'service',
    '--time=0',
    'unix:///run/x/runsc.sock',
  ]);
});

test('mirror from deb822 sources', () => {
  const text = 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm\n\nTypes: deb\nURIs: http://deb.debian.org/debian-security\n';
  assert.equal(mirrorFromAptSources([text]), 'http://deb.debian.org/debian');
});

test('mirror from sources.list line', () => {
  const text = '# comment\ndeb [signed-by=/k.gpg] http://mirror.example/debian bookworm main\n';
  assert.equal(mirrorFromAptSources(['', text]), 'http://mirror.example/debian');
});

test('mirror missing from sources', () => {
  assert.equal(mirrorFromAptSources(['deb https://deb.nodesource.com/node_20.x nodistro main\n']), undefined);
});

test('command failure names exit code', () => {
  const message = formatCommandFailure('podman build x', 125, undefined, false, 'line1\nError: no such file');
  assert.match(message, /^`podman build x` failed with exit code 125/);
  assert.match(message, /Error: no such file/);
});

test('command failure names timeout', () => {
  assert.match(formatCommandFailure('podman pull x', undefined, 'SIGTERM', true, ''), /timed out/);
});

test('command failure names missing binary', () => {
  assert.match(formatCommandFailure('mmdebstrap', undefined, undefined, false, 'mmdebstrap: command not found', 'install it'), /could not be started[\s\S]*install it/);
});

test('run ids sort by time', () => {
  const first = newRunId(new Date('2026-01-02T03:04:05Z'));
  const second = newRunId(new Date('2026-01-02T03:04:06Z'));
  assert.match(first, /^20260102-030405-[0-9a-f]{6}$/);
  assert.ok(first < second);
});
