import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import * as constants from '../../src/evidence/linux-constants.js';
import type { ConstantTable } from '../../src/evidence/linux-constants.js';

/** Kernel uapi headers that define the tables' constants, in an order that compiles. */
const KERNEL_HEADERS = [
  'linux/types.h', 'asm/termbits.h', 'linux/serial.h', 'asm/ioctls.h', 'asm/sockios.h', 'linux/sockios.h',
  'linux/fs.h', 'linux/fiemap.h', 'linux/kd.h', 'linux/vt.h', 'linux/loop.h', 'linux/random.h',
  'linux/nsfs.h', 'linux/seccomp.h', 'linux/if_tun.h', 'linux/perf_event.h', 'linux/prctl.h',
  'asm/prctl.h', 'linux/fcntl.h', 'asm/socket.h', 'linux/in.h', 'linux/in6.h', 'linux/tcp.h',
  'linux/udp.h', 'linux/futex.h', 'linux/eventpoll.h', 'linux/ipc.h', 'linux/shm.h', 'linux/sem.h',
  'linux/falloc.h',
];

/** The socket levels carry glibc's SOL_* names, so they compile against glibc's headers. */
const GLIBC_HEADERS = ['sys/socket.h', 'netinet/in.h'];

const KERNEL_TABLES = Object.entries(constants).filter(
  (entry): entry is [string, ConstantTable] => Array.isArray(entry[1]) && entry[0] !== 'SOCKET_LEVELS',
);

const work = mkdtempSync(join(tmpdir(), 'gvmatrix-constants-'));
after(() => rmSync(work, { recursive: true, force: true }));

const gcc = spawnSync('gcc', ['--version'], { encoding: 'utf8' });
const noCompiler = gcc.error === undefined ? false : 'gcc is not installed: apt-get install gcc linux-libc-dev';

/**
 * Compiles a program that prints `NAME VALUE` for every name the headers define and
 * `NAME missing` for the others, runs it, and returns the printed values.
 */
function headerValues(headers: string[], names: string[], label: string): Map<string, number | 'missing'> {
  const lines = ['#include <stdio.h>', ...headers.map((header) => `#include <${header}>`), 'int main(void) {'];
  for (const name of new Set(names)) {
    lines.push(
      `#ifdef ${name}`,
      `  printf("${name} %llu\\n", (unsigned long long)(${name}));`,
      '#else',
      `  printf("${name} missing\\n");`,
      '#endif',
    );
  }
  lines.push('  return 0;', '}');

  const source = join(work, `${label}.c`);
  const program = join(work, label);
  writeFileSync(source, `${lines.join('\n')}\n`);

  const compiled = spawnSync('gcc', ['-o', program, source], { encoding: 'utf8' });
  assert.equal(compiled.status, 0, `gcc failed on ${label}.c:\n${compiled.stderr}`);
  const run = spawnSync(program, { encoding: 'utf8' });
  assert.equal(run.status, 0, `${label} failed:\n${run.stderr}`);

  const values = new Map<string, number | 'missing'>();
  for (const line of run.stdout.trim().split('\n')) {
    const [name, value] = line.split(' ');
    values.set(name ?? '', value === 'missing' ? 'missing' : Number(value));
  }
  return values;
}

describe('linux constants against headers', () => {
  test('kernel tables match', { skip: noCompiler }, () => {
    const names = KERNEL_TABLES.flatMap(([, table]) => table.map(([name]) => name));
    const values = headerValues(KERNEL_HEADERS, names, 'kernel');

    let compared = 0;
    for (const [tableName, table] of KERNEL_TABLES) {
      for (const [name, value] of table) {
        const headerValue = values.get(name);
        if (headerValue === 'missing') {
          continue;
        }
        assert.equal(value, headerValue, `${tableName} ${name}`);
        compared++;
      }
    }
    // Debian bookworm's Linux 6.1 headers lack 40 of the 753 entries, all added in later releases.
    assert.ok(compared >= 700, `only ${compared} constants compared`);
  });

  test('socket levels match', { skip: noCompiler }, () => {
    const values = headerValues(GLIBC_HEADERS, constants.SOCKET_LEVELS.map(([name]) => name), 'levels');
    for (const [name, value] of constants.SOCKET_LEVELS) {
      assert.equal(value, values.get(name), `SOCKET_LEVELS ${name}`);
    }
  });
});

describe('linux constant tables', () => {
  test('values unique per table', () => {
    for (const [tableName, table] of [...KERNEL_TABLES, ['SOCKET_LEVELS', constants.SOCKET_LEVELS] as const]) {
      const seen = new Map<number, string>();
      for (const [name, value] of table) {
        assert.equal(seen.get(value), undefined, `${tableName}: ${name} repeats the value of ${seen.get(value)}`);
        seen.set(value, name);
      }
    }
  });

  test('names unique per table', () => {
    for (const [tableName, table] of KERNEL_TABLES) {
      const names = table.map(([name]) => name);
      assert.equal(new Set(names).size, names.length, tableName);
    }
  });
});
