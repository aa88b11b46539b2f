import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { SYSCALL_NUMBERS, syscallNameOf, syscallNumberOf } from '../../src/evidence/syscall-numbers.js';

/** This machine's amd64 syscall numbers, from the linux-libc-dev package. */
const UNISTD_64 = '/usr/include/x86_64-linux-gnu/asm/unistd_64.h';

/** Returns the `#define __NR_name number` lines of asm/unistd_64.h as number to name. */
function headerNames(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const match of text.matchAll(/^#define __NR_(\w+)\s+(\d+)\s*$/gm)) {
    names.set(Number(match[2]), match[1] ?? '');
  }
  return names;
}

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

describe('syscallNameOf', () => {
  test('named numbers', () => {
    assert.equal(syscallNameOf(0), 'read');
    assert.equal(syscallNameOf(435), 'clone3');
    assert.equal(syscallNameOf(460), 'lsm_set_self_attr');
  });

  test('unassigned numbers', () => {
    assert.equal(syscallNameOf(336), undefined);
    assert.equal(syscallNameOf(423), undefined);
    assert.equal(syscallNameOf(999), undefined);
  });

  test('round trip every name', () => {
    for (const [name, number] of SYSCALL_NUMBERS) {
      assert.equal(syscallNameOf(number), name, `number ${number}`);
    }
  });
});

describe('syscall table against kernel header', () => {
  const missing = existsSync(UNISTD_64) ? false : `${UNISTD_64} is missing: apt-get install linux-libc-dev`;

  test('names agree on shared numbers', { skip: missing }, () => {
    const header = headerNames(readFileSync(UNISTD_64, 'utf8'));
    let compared = 0;
    for (const [name, number] of SYSCALL_NUMBERS) {
      const headerName = header.get(number);
      if (headerName === undefined) {
        continue;
      }
      assert.equal(name, headerName, `number ${number} in ${UNISTD_64}`);
      compared++;
    }
    // Linux 6.1 (Debian bookworm) defines 0-334 and 424-450: 362 numbers.
    assert.ok(compared >= 362, `only ${compared} numbers compared with ${UNISTD_64}`);
  });

  test('header numbers all tabled', { skip: missing }, () => {
    const header = headerNames(readFileSync(UNISTD_64, 'utf8'));
    for (const [number, name] of header) {
      assert.equal(syscallNameOf(number), name, `${name} (${number}) from ${UNISTD_64}`);
    }
  });
});
