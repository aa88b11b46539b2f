import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import {
  loadSupportTable,
  parseSupportTable,
  supportOf,
  SupportTableError,
  type SupportTable,
} from '../../src/evidence/support-table.js';

/** Records of `runsc help syscalls -format=csv` from runsc 0.0~20240729.0, copied unchanged. */
const CSV_PATH = fileURLToPath(new URL('../../../test/fixtures/runsc-help/syscalls-20240729.csv', import.meta.url));
const CSV = readFileSync(CSV_PATH, 'utf8');

const work = mkdtempSync(join(tmpdir(), 'gvmatrix-support-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** Writes an executable shell script that replaces a runsc binary in a test. */
function fakeRunsc(name: string, body: string): string {
  const path = join(work, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

function tableOf(csv: string): SupportTable {
  const rows = parseSupportTable(csv);
  return { runsc: 'runsc', syscalls: new Map(rows.map((row) => [row.number, row])) };
}

describe('parseSupportTable', () => {
  test('amd64 rows only', () => {
    assert.equal(parseSupportTable(CSV).length, 18);
  });

  test('simple row', () => {
    const ioctl = parseSupportTable(CSV).find((row) => row.number === 16);
    assert.deepEqual(ioctl, { number: 16, name: 'ioctl', support: 'Full Support', note: 'Fully Supported.' });
  });

  test('quoted note with line break', () => {
    const ioSetup = parseSupportTable(CSV).find((row) => row.number === 206);
    assert.equal(
      ioSetup?.note,
      'Generally supported with exceptions. User ring optimizations are not implemented.\nSee: gvisor.dev/issue/204',
    );
  });

  test('doubled quotes in note', () => {
    const fanotify = parseSupportTable(CSV).find((row) => row.number === 300);
    assert.equal(fanotify?.note, 'Needs CONFIG_FANOTIFY; Returns "invalid system call number".');
  });

  test('quoted note with commas', () => {
    const archPrctl = parseSupportTable(CSV).find((row) => row.number === 158);
    assert.equal(archPrctl?.note, 'Options ARCH_GET_GS, ARCH_SET_GS not supported.');
  });

  test('other architecture', () => {
    const arm64 = parseSupportTable(CSV, 'linux', 'arm64');
    assert.deepEqual(
      arm64.map((row) => [row.number, row.name, row.support]),
      [
        [0, 'io_setup', 'Partial Support'],
        [18, 'lookup_dcookie', 'Unimplemented'],
      ],
    );
  });

  test('carriage returns accepted', () => {
    // Line breaks inside quoted notes stay as written, so only the other columns compare equal.
    const columns = (csv: string): unknown[] => parseSupportTable(csv).map((row) => [row.number, row.name, row.support]);
    assert.deepEqual(columns(CSV.replaceAll('\n', '\r\n')), columns(CSV));
  });

  test('wrong header rejected', () => {
    assert.throws(() => parseSupportTable('Num,Name\n16,ioctl\n'), SupportTableError);
  });

  test('empty text rejected', () => {
    assert.throws(() => parseSupportTable(''), /expected the header "OS,Arch,Num,Name,Support,Note", found an empty text/);
  });

  test('short record rejected', () => {
    const csv = 'OS,Arch,Num,Name,Support,Note\nlinux,amd64,16,ioctl\n';
    assert.throws(() => parseSupportTable(csv), /record 1 has 4 fields, expected 6/);
  });

  test('bad number rejected', () => {
    const csv = 'OS,Arch,Num,Name,Support,Note\nlinux,amd64,x16,ioctl,Full Support,ok\n';
    assert.throws(() => parseSupportTable(csv), /syscall number "x16"/);
  });
});

describe('supportOf', () => {
  test('by number', () => {
    assert.equal(supportOf(tableOf(CSV), { name: 'whatever', number: 435 })?.name, 'clone3');
  });

  test('by name without number', () => {
    assert.equal(supportOf(tableOf(CSV), { name: 'rseq' })?.number, 334);
  });

  test('missing syscall', () => {
    assert.equal(supportOf(tableOf(CSV), { name: 'sys_999', number: 999 }), undefined);
  });
});

describe('loadSupportTable', () => {
  const csvBinary = fakeRunsc(
    'runsc-with-table',
    `case "$1" in\n--version) echo 'runsc version 0.0~20240729.0'; echo 'spec: 1.2.0';;\nhelp) cat '${CSV_PATH}';;\nesac`,
  );

  test('table and version', async () => {
    const result = await loadSupportTable(csvBinary);
    assert.equal(result.table?.version, '0.0~20240729.0');
    assert.equal(result.table?.syscalls.size, 18);
  });

  test('cached per binary', async () => {
    assert.equal(loadSupportTable(csvBinary), loadSupportTable(csvBinary));
  });

  test('binary without the topic', async () => {
    // Stands in for a runsc older than the `syscalls` help topic, with the message and
    // exit status of the 20221219 build for an unknown topic.
    const binary = fakeRunsc(
      'runsc-without-table',
      `case "$1" in\n--version) echo 'runsc version 0.0~20221219.0';;\nhelp) echo "Subcommand $2 not understood" >&2; exit 128;;\nesac`,
    );
    const result = await loadSupportTable(binary);
    assert.equal(result.table, undefined);
    assert.match(result.table === undefined ? result.reason : '', /^runsc 0\.0~20221219\.0 has no syscall support table: /);
    assert.match(result.table === undefined ? result.reason : '', /exit code 128\nstderr:\nSubcommand syscalls not understood/);
  });

  test('binary not found', async () => {
    const result = await loadSupportTable(join(work, 'no-such-runsc'));
    assert.match(result.table === undefined ? result.reason : '', /no-such-runsc could not be run, so there is no syscall support table/);
  });

  test('output not a table', async () => {
    const binary = fakeRunsc('runsc-table-text', `case "$1" in\n--version) exit 1;;\nhelp) echo 'read  Full Support';;\nesac`);
    const result = await loadSupportTable(binary);
    assert.match(result.table === undefined ? result.reason : '', /runsc-table-text printed no usable syscall support table: expected the header/);
  });
});
