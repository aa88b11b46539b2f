import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verdictChanges } from '../../src/report/upgrade.js';
import type { Verdict, VerdictRecord } from '../../src/report/types.js';

function record(image: string, testName: string, runtime: string, verdict: Verdict): VerdictRecord {
  return { image, test: testName, runtime, verdict, message: '', details: '' } as unknown as VerdictRecord;
}

const SANDBOXES = ['runsc', 'runsc-20240729'];

test('changed verdict is listed', () => {
  const changes = verdictChanges(
    [record('probe', 'process_vm_readv', 'runsc', 'syscall-incompatible'), record('probe', 'process_vm_readv', 'runsc-20240729', 'compatible')],
    SANDBOXES,
  );
  assert.equal(changes.length, 1);
  assert.deepEqual(changes[0]?.verdicts, { runsc: 'syscall-incompatible', 'runsc-20240729': 'compatible' });
});

test('same verdict is not listed', () => {
  const changes = verdictChanges([record('nginx', 'serves', 'runsc', 'compatible'), record('nginx', 'serves', 'runsc-20240729', 'compatible')], SANDBOXES);
  assert.equal(changes.length, 0);
});

test('single sandbox lists nothing', () => {
  assert.equal(verdictChanges([record('nginx', 'serves', 'runsc', 'behavior-diff')], SANDBOXES).length, 0);
});

test('verdicts follow runtime order', () => {
  const changes = verdictChanges(
    [record('a', 't', 'runsc-20240729', 'sandbox-crash'), record('a', 't', 'runsc', 'compatible')],
    SANDBOXES,
  );
  assert.deepEqual(Object.keys(changes[0]?.verdicts ?? {}), SANDBOXES);
});

test('changes sort by image and test', () => {
  const changes = verdictChanges(
    [
      record('b', 't', 'runsc', 'compatible'),
      record('b', 't', 'runsc-20240729', 'flaky'),
      record('a', 'z', 'runsc', 'compatible'),
      record('a', 'z', 'runsc-20240729', 'known'),
    ],
    SANDBOXES,
  );
  assert.deepEqual(changes.map((change) => change.image), ['a', 'b']);
});
