import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { reportWith, verdictRecord } from './gate-fixtures.js';

/** The compiled CLI, run the way a user runs it; none of these commands starts a container. */
const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

const work = mkdtempSync(join(tmpdir(), 'gvmatrix-gate-cli-'));
after(() => rmSync(work, { recursive: true, force: true }));

function gvmatrix(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: work });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const MATRIX_FILE = join(work, 'matrix.yaml');
const MATRIX_TEXT = [
  'version: 1',
  '# runtimes under test',
  'runtimes:',
  '  runc: { oci: runc, baseline: true }',
  '  runsc: { oci: runsc }',
  'images:',
  '  app:',
  '    image: app:1',
  '    tests:',
  '      - { name: starts, exec: ["true"] }     # the smoke test',
  '      - { name: reads stats, exec: [stat, /data] }',
  '',
].join('\n');
writeFileSync(MATRIX_FILE, MATRIX_TEXT);

/** Writes a results.json into its own reports folder and returns the folder. */
function writeReports(name: string, verdicts: Parameters<typeof reportWith>[0]): string {
  const folder = join(work, name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'results.json'), JSON.stringify(reportWith(verdicts, { matrixFile: MATRIX_FILE, runId: name })));
  return folder;
}

const OLD = writeReports('old', [verdictRecord('app', 'starts', 'compatible'), verdictRecord('app', 'reads stats', 'compatible')]);
const NEW = writeReports('new', [
  verdictRecord('app', 'starts', 'compatible'),
  verdictRecord('app', 'reads stats', 'syscall-incompatible', 'unsupported syscalls: statx - Error: exit code 1'),
]);

describe('gvmatrix diff', () => {
  test('worse verdict exits 1', () => {
    const run = gvmatrix(['diff', OLD, NEW]);
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, /worse {2}runsc {2}app › reads stats {2}compatible -> syscall-incompatible {2}unsupported syscalls: statx/);
    assert.equal(run.stdout.trimEnd().split('\n').at(-1), 'gvmatrix-diff: worse=1 better=0 changed=0 only-old=0 only-new=0 exit=1');
  });

  test('better verdict exits 0', () => {
    const run = gvmatrix(['diff', NEW, join(OLD, 'results.json')]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /better {2}runsc {2}app › reads stats/);
  });

  test('json output', () => {
    const run = gvmatrix(['diff', OLD, NEW, '--json']);
    const diff = JSON.parse(run.stdout) as { worse: number; exitCode: number; changes: { kind: string }[] };
    assert.equal(diff.worse, 1);
    assert.equal(diff.exitCode, 1);
    assert.equal(diff.changes[0]?.kind, 'worse');
  });

  test('missing file exits 2', () => {
    const run = gvmatrix(['diff', join(work, 'absent'), NEW]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /absent not found/);
  });

  test('foreign JSON exits 2', () => {
    const file = join(work, 'package.json');
    writeFileSync(file, '{ "name": "app" }');
    const run = gvmatrix(['diff', file, NEW]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /is not a gvmatrix results\.json: the field "runId" is missing/);
  });
});

describe('gvmatrix baseline', () => {
  test('prints entries as YAML', () => {
    const run = gvmatrix(['baseline', '--reports', NEW]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^known:\n {2}# gvmatrix baseline: 1 entry from run new, recorded \d{4}-\d\d-\d\d; add under known: in /);
    assert.ok(run.stdout.includes('\n  - image: app\n    test: reads stats\n    runtime: runsc\n    reason: "unsupported syscalls: statx - Error: exit code 1"\n'), run.stdout);
  });

  test('output merges once', () => {
    const file = join(work, 'merged.yaml');
    writeFileSync(file, MATRIX_TEXT);

    const first = gvmatrix(['baseline', '--reports', NEW, '--output', file, '--expires', '2999-12-31']);
    assert.equal(first.status, 0, first.stderr);
    const merged = readFileSync(file, 'utf8');
    assert.ok(merged.startsWith(MATRIX_TEXT), merged);
    assert.match(merged, /\n {4}expires: 2999-12-31\n$/);

    const second = gvmatrix(['baseline', '--reports', NEW, '--output', file]);
    assert.equal(second.status, 0, second.stderr);
    assert.equal(readFileSync(file, 'utf8'), merged);
    assert.match(second.stderr, /covers it already/);
  });

  test('past expiry exits 2', () => {
    const run = gvmatrix(['baseline', '--reports', NEW, '--expires', '2000-01-01']);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--expires 2000-01-01 is before today/);
  });

  test('invalid date exits 2', () => {
    const run = gvmatrix(['baseline', '--reports', NEW, '--expires', '2027-02-30']);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /expected a date written as YYYY-MM-DD/);
  });

  test('missing reports exits 2', () => {
    const run = gvmatrix(['baseline', '--reports', join(work, 'no-reports')]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /no-reports not found/);
  });

  test('no failures prints nothing', () => {
    const run = gvmatrix(['baseline', '--reports', OLD]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /has no failures to add/);
  });
});

describe('gvmatrix run without a matrix', () => {
  test('result line on error', () => {
    const run = gvmatrix(['run', '--matrix', join(work, 'absent.yaml'), '--fail-on', 'none']);
    assert.equal(run.status, 2);
    assert.equal(run.stdout.trimEnd().split('\n').at(-1), 'gvmatrix-result: status=error gate=none exit=2 verdicts= failing=0 expired=0 unmatched=0 slow=0 run=');
  });

  test('json document on error', () => {
    const run = gvmatrix(['run', '--matrix', join(work, 'absent.yaml'), '--json']);
    const output = JSON.parse(run.stdout) as { gate: { status: string; exitCode: number }; error: string };
    assert.equal(output.gate.status, 'error');
    assert.equal(output.gate.exitCode, 2);
    assert.match(output.error, /absent\.yaml/);
  });

  test('invalid policy exits 2', () => {
    const run = gvmatrix(['run', '--fail-on', 'some']);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /Allowed choices are new, any, none/);
  });
});
