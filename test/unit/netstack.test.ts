import { test } from 'node:test';
import assert from 'node:assert/strict';
import { avoidsNetstack, netstackProblem, runscReleaseDate } from '../../src/engine/netstack.js';
import type { RuntimeInfo } from '../../src/report/types.js';

function runtime(kind: 'runc' | 'runsc', version: string, flags: string[], netstack?: 'hide-proc-sys-net'): RuntimeInfo {
  const info: RuntimeInfo = { name: kind, kind, baseline: kind === 'runc', path: `/usr/bin/${kind}`, version, flags };
  if (netstack) info.netstack = netstack;
  return info;
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
  assert.match(problem?.problem ?? '', /20221219/);
  assert.match(problem?.problem ?? '', /rmem_default/);
});

test('netstack fix lists every choice', () => {
  const fix = netstackProblem(runtime('runsc', 'runsc version 0.0~20221219.0', []), '6.18.44-fc')?.fix ?? '';
  assert.match(fix, /network: host/);
  assert.match(fix, /network: none/);
  assert.match(fix, /netstack: hide-proc-sys-net/);
  assert.match(fix, /20240731 or later/);
});

test('netstack workaround passes', () => {
  const info = runtime('runsc', 'runsc version 0.0~20221219.0', [], 'hide-proc-sys-net');
  assert.equal(netstackProblem(info, '6.18.44'), undefined);
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
