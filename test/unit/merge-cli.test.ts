import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { pairResults } from '../../src/report/pairing.js';
import type { RunReport, TestRunResult } from '../../src/report/types.js';
import { EXPECT_FAILURE, RUNTIMES, baselineResult, sandboxResult } from './report-fixtures.js';

/** The compiled CLI, run the way a user runs it. */
const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

const work = mkdtempSync(join(tmpdir(), 'gvmatrix-merge-'));
after(() => rmSync(work, { recursive: true, force: true }));

function shardReport(runId: string, index: number, results: TestRunResult[], fields: Partial<RunReport> = {}): RunReport {
  return {
    runId,
    matrixFile: '/ci/matrix.yaml',
    startedAt: '2025-01-10T08:00:00.000Z',
    finishedAt: '2025-01-10T08:05:00.000Z',
    runtimes: RUNTIMES,
    results,
    verdicts: pairResults(results, 'runc', []),
    matrixDigest: 'c4'.padEnd(64, '0'),
    shard: { index, total: 2 },
    images: [...new Set(results.map((result) => result.image))],
    selectedImages: ['nginx', 'redis'],
    known: [],
    ...fields,
  };
}

/** Writes a report as results.json into a new folder under the test's work folder. */
function writeShard(name: string, report: RunReport): string {
  const folder = join(work, name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'results.json'), JSON.stringify(report));
  return folder;
}

function merge(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [CLI, 'merge', ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const NGINX = [baselineResult('nginx', 'serves page'), sandboxResult('nginx', 'serves page')];
const REDIS_FAILING = [
  baselineResult('redis', 'ping'),
  sandboxResult('redis', 'ping', { outcome: 'failed', attempts: ['failed'], error: EXPECT_FAILURE }),
];

describe('gvmatrix merge', () => {
  const first = writeShard('pass-1', shardReport('run-1', 1, NGINX));
  const second = writeShard('fail-2', shardReport('run-2', 2, REDIS_FAILING));

  test('exits 1 on a failing verdict', () => {
    const result = merge([first, second, '--reports', join(work, 'out-fail')]);
    assert.equal(result.status, 1, result.stderr);
  });

  test('writes junit and results', () => {
    const out = join(work, 'out-files');
    merge([first, second, '--reports', out]);
    assert.ok(existsSync(join(out, 'junit.xml')));
    const merged = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunReport;
    assert.deepEqual(
      merged.verdicts.map((record) => `${record.image}: ${record.verdict}`),
      ['nginx: compatible', 'redis: behavior-diff'],
    );
  });

  test('prints the summary', () => {
    const result = merge([first, second, '--reports', join(work, 'out-summary')]);
    assert.match(result.stdout, /redis › ping\s+behavior-diff/);
    assert.match(result.stderr, /merged shard 1\/2, shard 2\/2 into run /);
  });

  test('exits 0 when all pass', () => {
    const passing = writeShard('pass-2', shardReport('run-3', 2, [baselineResult('redis', 'ping'), sandboxResult('redis', 'ping')]));
    const result = merge([first, passing, '--reports', join(work, 'out-pass')]);
    assert.equal(result.status, 0, result.stderr);
  });

  test('--fail-on none exits 0', () => {
    const result = merge([first, second, '--fail-on', 'none', '--reports', join(work, 'out-none-policy')]);
    assert.equal(result.status, 0, result.stderr);
  });

  test('prints the result line', () => {
    const result = merge([first, second, '--reports', join(work, 'out-line')]);
    assert.match(result.stdout, /^gvmatrix-result: status=fail gate=new exit=1 /m);
  });

  test('conflict exits 2 naming it', () => {
    const other = writeShard('other-matrix', shardReport('run-4', 2, REDIS_FAILING, { matrixDigest: 'd5'.padEnd(64, '0') }));
    const result = merge([first, other, '--reports', join(work, 'out-conflict')]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /gvmatrix: cannot merge: .*pass-1 .* ran \/ci\/matrix\.yaml \(sha256 c40000000000\) but .*other-matrix .* \(sha256 d50000000000\)/);
  });

  test('conflict writes no reports', () => {
    const other = writeShard('other-matrix-2', shardReport('run-5', 2, REDIS_FAILING, { matrixDigest: 'e6'.padEnd(64, '0') }));
    const out = join(work, 'out-none');
    merge([first, other, '--reports', out]);
    assert.equal(existsSync(join(out, 'results.json')), false);
  });

  test('missing results.json exits 2', () => {
    const empty = join(work, 'no-results');
    mkdirSync(empty);
    const result = merge([first, empty, '--reports', join(work, 'out-missing')]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /no-results\/results\.json: not found/);
  });

  test('invalid JSON exits 2', () => {
    const broken = join(work, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'results.json'), '{"runId": ');
    const result = merge([first, broken, '--reports', join(work, 'out-broken')]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /broken\/results\.json is not valid JSON/);
  });

  test('output among inputs exits 2', () => {
    const result = merge([first, second, '--reports', second]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--reports .*fail-2 is the folder of the input .*fail-2\/results\.json/);
  });

  test('no folders exits 2', () => {
    const result = merge([]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /missing required argument 'folders'/);
  });
});
