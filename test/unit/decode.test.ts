import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { decodeFinding } from '../../src/evidence/decode.js';
import { parseRunscLog } from '../../src/evidence/runsc-log.js';
import type { UnsupportedSyscall } from '../../src/evidence/types.js';

/** Real runsc debug logs; test/fixtures/runsc-logs/README.md describes how each was made. */
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/runsc-logs/', import.meta.url));

const SOURCE = { containerId: 'c0ffee', logFile: 'boot.txt' };

/** A finding as the parser returns it, for argument values that no fixture holds. */
function finding(name: string, args: string[], number?: number): UnsupportedSyscall {
  const syscall: UnsupportedSyscall = { name, args, line: `Unsupported syscall ${name}(${args.join(',')})`, ...SOURCE };
  if (number !== undefined) {
    syscall.number = number;
  }
  return syscall;
}

function feature(name: string, args: string[]): string | undefined {
  return decodeFinding(finding(name, args)).feature;
}

/** Returns the findings of the real log files named, in log order. */
function realFindings(path: string): UnsupportedSyscall[] {
  return parseRunscLog(readFileSync(FIXTURES + path, 'utf8'), SOURCE).unsupportedSyscalls;
}

describe('decodeFinding real lines', () => {
  const probe = realFindings('20221219-probe/runsc.log.20261204-195646.090582.boot.txt');

  test('ioctl TIOCSTI', () => {
    const ioctl = probe.find((found) => found.name === 'ioctl');
    assert.ok(ioctl !== undefined);
    assert.deepEqual(decodeFinding(ioctl), { name: 'ioctl', number: 16, feature: 'ioctl(TIOCSTI)', key: 'ioctl(TIOCSTI)' });
  });

  test('prctl PR_MCE_KILL', () => {
    const prctl = probe.find((found) => found.name === 'prctl');
    assert.ok(prctl !== undefined);
    assert.equal(decodeFinding(prctl).feature, 'prctl(PR_MCE_KILL)');
  });

  test('plain call keyed by name', () => {
    const fanotify = probe.find((found) => found.name === 'fanotify_init');
    assert.ok(fanotify !== undefined);
    assert.deepEqual(decodeFinding(fanotify), { name: 'fanotify_init', number: 300, key: 'fanotify_init' });
  });

  test('encoded ioctl requests', () => {
    const decoded = realFindings('20240729-decode/runsc.log.20261204-203626.040597.boot.txt')
      .filter((found) => found.name === 'ioctl')
      .map((found) => decodeFinding(found).feature);
    assert.deepEqual(decoded, [
      'ioctl(TIOCMGET)',
      'ioctl(TIOCGETD)',
      'ioctl(TIOCGSID)',
      'ioctl(TIOCGDEV)',
      'ioctl(TIOCGEXCL)',
      'ioctl(TIOCGICOUNT)',
    ]);
  });

  test('json prctl options', () => {
    const decoded = realFindings('20221219-decode-json/runsc.log.20261204-203644.633610.boot.txt')
      .filter((found) => found.name === 'prctl')
      .map((found) => decodeFinding(found).feature);
    assert.equal(decoded[0], 'prctl(PR_GET_TIMING)');
    assert.equal(decoded[10], 'prctl(PR_SET_CHILD_SUBREAPER)');
    assert.equal(decoded[16], 'prctl(PR_MPX_DISABLE_MANAGEMENT)');
  });

  test('UNKNOWN line keyed by kernel name', () => {
    const platform = realFindings('20221219-container-sandbox/container-sandbox.log');
    const clone3 = platform.find((found) => found.loggedName === 'UNKNOWN[435/0x1b3]');
    assert.ok(clone3 !== undefined);
    assert.deepEqual(decodeFinding(clone3), { name: 'clone3', number: 435, key: 'clone3' });
  });
});

describe('decodeFinding ioctl', () => {
  test('unknown request stays hex', () => {
    assert.equal(feature('ioctl', ['0x1', '0x4b3a0000']), 'ioctl(0x4b3a0000)');
  });

  test('console request', () => {
    assert.equal(feature('ioctl', ['0x1', '0x4b3a']), 'ioctl(KDSETMODE)');
  });

  test('file request', () => {
    assert.equal(feature('ioctl', ['0x3', '0x80086601']), 'ioctl(FS_IOC_GETFLAGS)');
  });

  test('socket request', () => {
    assert.equal(feature('ioctl', ['0x3', '0x8927']), 'ioctl(SIOCGIFHWADDR)');
  });

  test('upper register bits ignored', () => {
    assert.equal(feature('ioctl', ['0x1', '0xffffffff00005412']), 'ioctl(TIOCSTI)');
  });

  test('distinct requests distinct keys', () => {
    const first = decodeFinding(finding('ioctl', ['0x1', '0x5412'])).key;
    const second = decodeFinding(finding('ioctl', ['0x1', '0x5413'])).key;
    assert.notEqual(first, second);
  });
});

describe('decodeFinding prctl', () => {
  test('timer slack option', () => {
    assert.equal(feature('prctl', ['0x1d', '0x0']), 'prctl(PR_SET_TIMERSLACK)');
  });

  test('capability bounding read', () => {
    assert.equal(feature('prctl', ['0x17', '0x15']), 'prctl(PR_CAPBSET_READ)');
  });

  test('large option value', () => {
    assert.equal(feature('prctl', ['0x59616d61', '0xffffffffffffffff']), 'prctl(PR_SET_PTRACER)');
  });

  test('unknown option stays hex', () => {
    assert.equal(feature('prctl', ['0x7777']), 'prctl(0x7777)');
  });
});

describe('decodeFinding fcntl', () => {
  test('pipe size', () => {
    assert.equal(feature('fcntl', ['0x3', '0x407', '0x100000']), 'fcntl(F_SETPIPE_SZ)');
  });

  test('seals', () => {
    assert.equal(feature('fcntl', ['0x3', '0x409', '0xf']), 'fcntl(F_ADD_SEALS)');
  });

  test('lease', () => {
    assert.equal(feature('fcntl', ['0x3', '0x401']), 'fcntl(F_GETLEASE)');
  });

  test('open file description lock', () => {
    assert.equal(feature('fcntl', ['0x3', '0x25']), 'fcntl(F_OFD_SETLK)');
  });
});

describe('decodeFinding socket options', () => {
  // Argument values from "Container Sandbox:" lines that Cloud Run users published.
  test('SOL_SOCKET SO_PRIORITY', () => {
    const args = ['0xa', '0x1', '0xc', '0x3e9888ff2f8c', '0x4', '0x9'];
    assert.equal(feature('setsockopt', args), 'setsockopt(SOL_SOCKET, SO_PRIORITY)');
  });

  test('SOL_SOCKET SO_LINGER', () => {
    const args = ['0x12e', '0x1', '0xd', '0x3e23363fefb8', '0x8', '0x3e234cef5490'];
    assert.equal(feature('setsockopt', args), 'setsockopt(SOL_SOCKET, SO_LINGER)');
  });

  test('IPPROTO_TCP TCP_DEFER_ACCEPT', () => {
    const args = ['0xb', '0x6', '0x9', '0x3ee1608589cc', '0x4', '0x29910fc86500'];
    assert.equal(feature('setsockopt', args), 'setsockopt(IPPROTO_TCP, TCP_DEFER_ACCEPT)');
  });

  test('SOL_IP IP_TRANSPARENT', () => {
    assert.equal(feature('getsockopt', ['0x3', '0x0', '0x13']), 'getsockopt(SOL_IP, IP_TRANSPARENT)');
  });

  test('SOL_IPV6 IPV6_V6ONLY', () => {
    assert.equal(feature('getsockopt', ['0x3', '0x29', '0x1a']), 'getsockopt(SOL_IPV6, IPV6_V6ONLY)');
  });

  test('IPPROTO_UDP UDP_SEGMENT', () => {
    assert.equal(feature('setsockopt', ['0x3', '0x11', '0x67']), 'setsockopt(IPPROTO_UDP, UDP_SEGMENT)');
  });

  test('level without option table', () => {
    assert.equal(feature('setsockopt', ['0x3', '0x11a', '0x1']), 'setsockopt(SOL_TLS, 0x1)');
  });

  test('unknown level and option', () => {
    assert.equal(feature('setsockopt', ['0x3', '0x12345', '0x99']), 'setsockopt(0x12345, 0x99)');
  });

  test('known level unknown option', () => {
    assert.equal(feature('setsockopt', ['0x3', '0x6', '0x99']), 'setsockopt(IPPROTO_TCP, 0x99)');
  });

  test('get and set keyed apart', () => {
    const get = decodeFinding(finding('getsockopt', ['0x3', '0x1', '0xd'])).key;
    const set = decodeFinding(finding('setsockopt', ['0x3', '0x1', '0xd'])).key;
    assert.notEqual(get, set);
  });
});

describe('decodeFinding arch_prctl', () => {
  test('cpuid code', () => {
    assert.equal(feature('arch_prctl', ['0x1011', '0x0']), 'arch_prctl(ARCH_GET_CPUID)');
  });

  test('GS base code', () => {
    assert.equal(feature('arch_prctl', ['0x1004', '0x7ffd0000']), 'arch_prctl(ARCH_GET_GS)');
  });

  test('unknown code stays hex', () => {
    assert.equal(feature('arch_prctl', ['0x1050', '0x0']), 'arch_prctl(0x1050)');
  });
});

describe('decodeFinding other commands', () => {
  test('futex with both flags', () => {
    assert.equal(feature('futex', ['0x7f00', '0x189']), 'futex(FUTEX_WAIT_BITSET|FUTEX_PRIVATE_FLAG|FUTEX_CLOCK_REALTIME)');
  });

  test('futex PI lock', () => {
    assert.equal(feature('futex', ['0x7f00', '0x86']), 'futex(FUTEX_LOCK_PI|FUTEX_PRIVATE_FLAG)');
  });

  test('epoll_ctl operation', () => {
    assert.equal(feature('epoll_ctl', ['0x4', '0x3', '0x5']), 'epoll_ctl(EPOLL_CTL_MOD)');
  });

  test('shmctl command', () => {
    assert.equal(feature('shmctl', ['0x8000', '0xb']), 'shmctl(SHM_LOCK)');
  });

  test('semctl third argument', () => {
    assert.equal(feature('semctl', ['0x8000', '0x0', '0x11']), 'semctl(SETALL)');
  });

  test('fallocate flag bits', () => {
    assert.equal(feature('fallocate', ['0x3', '0x3', '0x0', '0x1000']), 'fallocate(FALLOC_FL_KEEP_SIZE|FALLOC_FL_PUNCH_HOLE)');
  });

  test('fallocate plain mode', () => {
    assert.equal(feature('fallocate', ['0x3', '0x0', '0x0', '0x1000']), 'fallocate(0)');
  });

  test('fallocate unknown bit', () => {
    assert.equal(feature('fallocate', ['0x3', '0x82']), 'fallocate(FALLOC_FL_PUNCH_HOLE|0x80)');
  });
});

describe('decodeFinding without arguments', () => {
  test('missing argument', () => {
    assert.deepEqual(decodeFinding(finding('ioctl', ['0x1'])), { name: 'ioctl', number: 16, key: 'ioctl' });
  });

  test('argument not a number', () => {
    assert.equal(feature('prctl', ['(null)']), undefined);
  });

  test('number from finding', () => {
    assert.deepEqual(decodeFinding(finding('sys_999', ['0x0'], 999)), { name: 'sys_999', number: 999, key: 'sys_999' });
  });

  test('unknown name has no number', () => {
    assert.deepEqual(decodeFinding(finding('no_such_call', [])), { name: 'no_such_call', key: 'no_such_call' });
  });
});
