import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { syscallNumberOf } from '../../src/evidence/syscall-numbers.js';

describe('syscallNumberOf', () => {
  test('first and last of 0-335', () => {
    assert.equal(syscallNumberOf('read'), 0);
    assert.equal(syscallNumberOf('rseq'), 334);
  });

  test('middle of 0-335', () => {
    assert.equal(syscallNumberOf('ioctl'), 16);
    assert.equal(syscallNumberOf('prctl'), 157);
    assert.equal(syscallNumberOf('fanotify_init'), 300);
    assert.equal(syscallNumberOf('process_vm_readv'), 310);
  });

  test('numbers from 424', () => {
    assert.equal(syscallNumberOf('pidfd_send_signal'), 424);
    assert.equal(syscallNumberOf('io_uring_setup'), 425);
    assert.equal(syscallNumberOf('clone3'), 435);
    assert.equal(syscallNumberOf('mseal'), 462);
  });

  test('unknown names', () => {
    assert.equal(syscallNumberOf('sys_460'), undefined);
    assert.equal(syscallNumberOf('constructor'), undefined);
  });
});
