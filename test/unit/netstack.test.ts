import { test } from 'node:test';
import assert from 'node:assert/strict';
import { avoidsNetstack, netstackProblem, runscReleaseDate } from '../../src/engine/netstack.js';
import type { RuntimeInfo } from '../../src/report/types.js';

function runtime(kind: 'runc' | 'runsc', version: string, flags: string[]): RuntimeInfo {
  return { name: kind, kind, baseline: kind === 'runc', path: `/usr/bin/${kind}`, version, flags };
}

test('release date from Debian version', () => {
  assert.equal(runscReleaseDate('runsc version 0.0~20221219.0'), 20221219);
});

test('release date missing', () => {
  assert.equal(runscReleaseDate('runsc version release-1'), undefined);
});

test('host and none avoid netstack', () => {
  assert.equal(avoidsNetstack(['--network=host']), true);
  assert.equal(avoidsNetstack(['--debug', '--network=none']), true);
  assert.equal(avoidsNetstack(['--network=sandbox']), false);
  assert.equal(avoidsNetstack([]), false);
});

test('old runsc on Linux 6 is a problem', () => {
  const problem = netstackProblem(runtime('runsc', 'runsc version 0.0~20221219.0', []), '6.18.44-fc');
  assert.match(problem ?? '', /--network=host/);
  assert.match(problem ?? '', /20221219/);
});

test('old runsc with host network passes', () => {
  assert.equal(netstackProblem(runtime('runsc', 'runsc version 0.0~20221219.0', ['--network=host']), '6.18.44'), undefined);
});

test('fixed runsc release passes', () => {
  assert.equal(netstackProblem(runtime('runsc', 'runsc version 0.0~20240731.0', []), '6.18.44'), undefined);
});

test('old runsc on Linux 5 passes', () => {
  assert.equal(netstackProblem(runtime('runsc', 'runsc version 0.0~20221219.0', []), '5.10.0-28-amd64'), undefined);
});

test('runc is never a problem', () => {
  assert.equal(netstackProblem(runtime('runc', 'runc version 1.1.5', []), '6.18.44'), undefined);
});
