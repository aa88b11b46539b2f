import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { annotateSupport } from '../../src/report/support-annotation.js';
import type { RuntimeInfo, TestRunResult } from '../../src/report/types.js';

function runscRuntime(name: string, path: string): RuntimeInfo {
  return { name, kind: 'runsc', baseline: false, path, version: 'runsc version test', flags: [] };
}

function resultWithFinding(runtime: string): TestRunResult {
  return {
    image: 'probe',
    test: 'fanotify',
    runtime,
    runtimeKind: 'runsc',
    baseline: false,
    outcome: 'failed',
    attempts: ['failed'],
    durationMs: 1,
    source: 'matrix',
    evidence: {
      containerIds: ['c'],
      logFiles: [],
      unsupportedSyscalls: [{ name: 'fanotify_init', number: 300, args: ['0x0'], line: 'Unsupported syscall fanotify_init(0x0)', containerId: 'c', logFile: 'boot' }],
      panics: [],
    },
  } as TestRunResult;
}

test('real runsc table adds support level', async () => {
  const result = resultWithFinding('runsc');
  const missing = await annotateSupport([result], [runscRuntime('runsc', '/usr/bin/runsc')]);
  assert.deepEqual(missing, {});
  assert.equal(result.evidence.unsupportedSyscalls[0]?.support?.level, 'Unimplemented');
  assert.match(result.evidence.unsupportedSyscalls[0]?.support?.note ?? '', /CONFIG_FANOTIFY/);
});

test('binary without table is reported', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gvmatrix-support-'));
  try {
    const fake = join(dir, 'runsc');
    await writeFile(fake, '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "runsc version fake"; exit 0; fi\necho "Subcommand $2 not understood" >&2\nexit 128\n');
    await chmod(fake, 0o755);
    const result = resultWithFinding('old');
    const missing = await annotateSupport([result], [runscRuntime('old', fake)]);
    assert.ok(missing.old, 'a reason for the missing table');
    assert.equal(result.evidence.unsupportedSyscalls[0]?.support, undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('runc runtimes are skipped', async () => {
  const missing = await annotateSupport([], [{ name: 'runc', kind: 'runc', baseline: true, path: '/usr/sbin/runc', version: '', flags: [] }]);
  assert.deepEqual(missing, {});
});
