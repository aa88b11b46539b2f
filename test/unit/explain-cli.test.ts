import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';

/** The compiled CLI, run the way a user runs it. */
const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const LOGS = fileURLToPath(new URL('../../../test/fixtures/runsc-logs/', import.meta.url));
const CSV = fileURLToPath(new URL('../../../test/fixtures/runsc-help/syscalls-20240729.csv', import.meta.url));
const README = fileURLToPath(new URL('../../../README.md', import.meta.url));

const work = mkdtempSync(join(tmpdir(), 'gvmatrix-explain-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** Writes an executable shell script that replaces a runsc binary in a test. */
function fakeRunsc(name: string, body: string): string {
  const path = join(work, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** Prints the copied 20240729 table excerpt, as `runsc help syscalls -format=csv` prints the whole table. */
const RUNSC_0729 = fakeRunsc(
  'runsc-0729',
  `case "$1" in\n--version) echo 'runsc version 0.0~20240729.0';;\nhelp) cat '${CSV}';;\nesac`,
);

/** Fails `help syscalls` with the message and exit status that runsc 20221219 gives for an unknown topic. */
const RUNSC_NO_TABLE = fakeRunsc(
  'runsc-no-table',
  `case "$1" in\n--version) echo 'runsc version 0.0~20221219.0';;\nhelp) echo "Subcommand $2 not understood" >&2; exit 128;;\nesac`,
);

function explain(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [CLI, 'explain', ...args], { encoding: 'utf8', input: input ?? '' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('gvmatrix explain', () => {
  test('folder of runsc logs', () => {
    const run = explain([`${LOGS}20240729-decode`, '--runsc', RUNSC_0729]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.split('\n')[0], 'runsc reported 22 distinct unsupported calls in 1 container (4 log files).');
  });

  test('decoded feature block', () => {
    const run = explain([`${LOGS}20240729-decode`, '--runsc', RUNSC_0729]);
    const block = [
      'prctl(PR_SET_TIMERSLACK)',
      '  syscall   prctl, number 157',
      '  reported  1 time in 1 container',
      '  support   Partial Support (prctl as a whole): Not all options are supported.',
      '  docs      https://gvisor.dev/docs/user_guide/compatibility/linux/amd64/#prctl',
    ].join('\n');
    assert.ok(run.stdout.includes(`\n${block}\n`), run.stdout);
  });

  test('platform lines as JSON', () => {
    const run = explain([`${LOGS}20221219-container-sandbox/container-sandbox.log`, '--runsc', RUNSC_0729, '--json']);
    assert.equal(run.status, 0, run.stderr);
    const document = JSON.parse(run.stdout);
    const clone3 = document.calls.find((call: { key: string }) => call.key === 'clone3');
    assert.equal(clone3.benign, true);
    assert.equal(clone3.support, 'Partial Support');
    assert.match(clone3.firstLine, /UNKNOWN\[435\/0x1b3\]/);
  });

  test('platform lines counts', () => {
    const run = explain([`${LOGS}20221219-container-sandbox/container-sandbox.log`, '--runsc', RUNSC_0729, '--json']);
    const document = JSON.parse(run.stdout);
    assert.equal(document.calls.length, 7);
    assert.equal(document.calls.find((call: { key: string }) => call.key === 'rseq').reports, 2);
  });

  test('standard input', () => {
    const boot = readFileSync(`${LOGS}20221219-decode-json/runsc.log.20261204-203644.633610.boot.txt`, 'utf8');
    const run = explain(['-', '--runsc', RUNSC_0729], boot);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /\nioctl\(TIOCGDEV\)\n/);
    assert.match(run.stdout, /^runsc reported 24 distinct unsupported calls in 1 container \(1 log file\)\./);
  });

  test('binary without table', () => {
    const run = explain([`${LOGS}20221219-probe`, '--runsc', RUNSC_NO_TABLE]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout.split('\n')[1] ?? '', /^No support levels: runsc 0\.0~20221219\.0 has no syscall support table: /);
  });

  test('missing file', () => {
    const run = explain([join(work, 'no-such.log')]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^gvmatrix: \S+no-such\.log does not exist\. Pass a runsc debug log/);
  });

  test('empty file', () => {
    const empty = join(work, 'empty.log');
    writeFileSync(empty, '');
    const run = explain([empty]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /empty\.log is empty\./);
  });

  test('empty standard input', () => {
    const run = explain(['-']);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^gvmatrix: standard input is empty\./);
  });

  test('file without runsc lines', () => {
    const run = explain([README]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /README\.md has no runsc log lines/);
  });

  test('folder without runsc logs', () => {
    const run = explain([work]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /contains no runsc debug logs/);
  });
});

describe('gvmatrix explain with runsc on PATH', () => {
  const lookup = spawnSync('sh', ['-c', 'command -v runsc'], { encoding: 'utf8' });
  const noRunsc = lookup.status === 0 ? false : 'runsc is not on PATH';

  test('default table source', { skip: noRunsc }, () => {
    const version = /^runsc version (\S+)/.exec(spawnSync('runsc', ['--version'], { encoding: 'utf8' }).stdout)?.[1];
    const hasTable = spawnSync('runsc', ['help', 'syscalls', '-format=csv'], { encoding: 'utf8' }).status === 0;

    const run = explain([`${LOGS}20221219-probe`]);
    assert.equal(run.status, 0, run.stderr);
    const expected = hasTable
      ? `Support levels from the syscall table of runsc ${version} (runsc).`
      : `No support levels: runsc ${version} has no syscall support table: `;
    assert.ok(run.stdout.split('\n')[1]?.startsWith(expected), run.stdout);
  });
});
