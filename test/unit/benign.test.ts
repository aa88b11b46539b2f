import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { BENIGN_SYSCALLS, isBenign } from '../../src/evidence/benign.js';
import { parseRunscLog } from '../../src/evidence/runsc-log.js';

/** Real runsc debug logs; test/fixtures/runsc-logs/README.md describes how each was made. */
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/runsc-logs/', import.meta.url));

const SOURCE = { containerId: 'c0ffee', logFile: 'boot.txt' };

function findingsOf(path: string): string[] {
  const text = readFileSync(FIXTURES + path, 'utf8');
  return parseRunscLog(text, SOURCE).unsupportedSyscalls.map((finding) => finding.name);
}

describe('isBenign', () => {
  test('rseq is benign', () => {
    assert.equal(isBenign({ name: 'rseq' }), true);
  });

  test('clone3 is benign', () => {
    assert.equal(isBenign({ name: 'clone3' }), true);
  });

  test('fanotify_init is not', () => {
    assert.equal(isBenign({ name: 'fanotify_init' }), false);
  });

  test('threaded sort all benign', () => {
    const found = findingsOf('20221219-threads/runsc.log.20261204-200925.669124.boot.txt');
    assert.deepEqual(found, ['rseq', 'clone3']);
    assert.deepEqual(
      found.filter((name) => !isBenign({ name })),
      [],
    );
  });

  test('probe keeps real causes', () => {
    const found = findingsOf('20221219-probe/runsc.log.20261204-195646.090582.boot.txt');
    assert.deepEqual(
      found.filter((name) => !isBenign({ name })),
      ['prctl', 'ioctl', 'fanotify_init', 'perf_event_open', 'process_vm_readv'],
    );
  });

  test('every entry has a reason', () => {
    for (const [name, reason] of BENIGN_SYSCALLS) {
      assert.ok(reason.length > 20, `reason for ${name} is too short: ${reason}`);
    }
  });
});
