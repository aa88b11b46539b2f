import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { formatResultLine } from '../../src/cli/result-line.js';
import { TryTimer, parseTiming, type TestTiming } from '../../src/driver/timing.js';
import { DEFAULT_SLOW_RATIO } from '../../src/matrix/defaults.js';
import { MatrixError, parseMatrix, type MatrixIssue } from '../../src/matrix/loader.js';
import { decideGate, parseFailOnSlow } from '../../src/report/gate.js';
import { formatGate } from '../../src/report/gate-text.js';
import { pairResults } from '../../src/report/pairing.js';
import { formatSummary } from '../../src/report/summary.js';
import { RATIO_FLOOR_MS, compareTiming, durationRatio } from '../../src/report/timing.js';
import type { RunReport, TestRunResult } from '../../src/report/types.js';
import { RUNTIMES, baselineResult, sandboxResult } from './report-fixtures.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const FILE = '/srv/gvmatrix/matrix.yaml';

function timed(result: TestRunResult, timing: TestTiming): TestRunResult {
  return { ...result, timing };
}

/** A baseline and a sandbox result of `image › test` whose checks took the given milliseconds. */
function pair(test: string, baselineCheckMs: number, sandboxCheckMs: number, slowRatio = 3): TestRunResult[] {
  return [
    timed(baselineResult('app', test), { startMs: 400, readyMs: 100, checkMs: baselineCheckMs, slowRatio }),
    timed(sandboxResult('app', test), { startMs: 900, readyMs: 300, checkMs: sandboxCheckMs, slowRatio }),
  ];
}

function report(results: TestRunResult[]): RunReport {
  return {
    runId: '20261204-230000-timing',
    matrixFile: '/work/matrix.yaml',
    startedAt: '2026-12-04T23:00:00.000Z',
    finishedAt: '2026-12-04T23:05:00.000Z',
    runtimes: RUNTIMES,
    results,
    verdicts: pairResults(results, 'runc', []),
  };
}

describe('durationRatio', () => {
  test('divides sandbox by baseline', () => {
    assert.equal(durationRatio(1500, 500), 3);
  });

  test('rounds to two decimals', () => {
    assert.equal(durationRatio(1000, 300), 3.33);
  });

  test('floor lifts short durations', () => {
    assert.equal(RATIO_FLOOR_MS, 50);
    assert.equal(durationRatio(2, 1), 1);
    assert.equal(durationRatio(200, 4), 4);
    assert.equal(durationRatio(20, 400), 0.13);
  });

  test('zero baseline gives finite ratio', () => {
    assert.equal(durationRatio(100, 0), 2);
  });
});

describe('compareTiming', () => {
  test('check and start ratios', () => {
    const [baseline, sandbox] = pair('reads', 500, 1000) as [TestRunResult, TestRunResult];
    assert.deepEqual(compareTiming(sandbox, baseline), { checkRatio: 2, startRatio: 2.4, slowRatio: 3, slow: false });
  });

  test('ratio above slowRatio is slow', () => {
    const [baseline, sandbox] = pair('reads', 500, 1600) as [TestRunResult, TestRunResult];
    assert.equal(compareTiming(sandbox, baseline)?.slow, true);
  });

  test('ratio equal to slowRatio is not slow', () => {
    const [baseline, sandbox] = pair('reads', 500, 1500) as [TestRunResult, TestRunResult];
    assert.equal(compareTiming(sandbox, baseline)?.checkRatio, 3);
    assert.equal(compareTiming(sandbox, baseline)?.slow, false);
  });

  test('failed sandbox has no check ratio', () => {
    const [baseline, sandbox] = pair('reads', 500, 5000) as [TestRunResult, TestRunResult];
    const comparison = compareTiming({ ...sandbox, outcome: 'failed' }, baseline);
    assert.equal(comparison?.checkRatio, undefined);
    assert.equal(comparison?.startRatio, 2.4);
    assert.equal(comparison?.slow, false);
  });

  test('container never ready has no start ratio', () => {
    const baseline = timed(baselineResult('app', 'reads'), { startMs: 400, readyMs: 100, checkMs: 500 });
    const sandbox = timed(sandboxResult('app', 'reads', { outcome: 'failed' }), { startMs: 900 });
    assert.equal(compareTiming(sandbox, baseline)?.startRatio, undefined);
  });

  test('result without timing has none', () => {
    assert.equal(compareTiming(sandboxResult('app', 'reads'), baselineResult('app', 'reads')), undefined);
  });

  test('pairing attaches the comparison', () => {
    const verdicts = pairResults(pair('reads', 500, 2000), 'runc', []);
    assert.equal(verdicts[0]?.timing?.checkRatio, 4);
    assert.equal(verdicts[0]?.timing?.slow, true);
  });
});

describe('TryTimer', () => {
  test('records the steps in order', async () => {
    const timer = new TryTimer();
    await new Promise((resolve) => setTimeout(resolve, 20));
    timer.markRunning();
    await new Promise((resolve) => setTimeout(resolve, 20));
    timer.markReady();
    await new Promise((resolve) => setTimeout(resolve, 20));
    timer.markChecked();
    const timing = timer.timing(2.5);
    assert.ok((timing.startMs ?? 0) >= 15, `startMs ${timing.startMs}`);
    assert.ok((timing.readyMs ?? 0) >= 15, `readyMs ${timing.readyMs}`);
    assert.ok((timing.checkMs ?? 0) >= 15, `checkMs ${timing.checkMs}`);
    assert.equal(timing.slowRatio, 2.5);
  });

  test('unfinished try leaves steps out', () => {
    const timer = new TryTimer();
    timer.markRunning();
    const timing = timer.timing(undefined);
    assert.equal(typeof timing.startMs, 'number');
    assert.equal(timing.readyMs, undefined);
    assert.equal(timing.checkMs, undefined);
    assert.equal('slowRatio' in timing, false);
  });

  test('parseTiming rejects a negative field', () => {
    assert.throws(() => parseTiming('{"checkMs":-1}'), /field checkMs must be a number of 0 or more, got -1/);
    assert.deepEqual(parseTiming('{"checkMs":12.5,"other":true}'), { checkMs: 12.5 });
  });
});

function issuesOf(text: string): MatrixIssue[] {
  try {
    parseMatrix(text, FILE, { checkFiles: false });
  } catch (error) {
    if (error instanceof MatrixError) return error.issues;
    throw error;
  }
  assert.fail('expected a MatrixError, but the matrix parsed');
}

function matrixText(defaults: string, imageSetting: string, testSetting: string): string {
  return [
    'version: 1',
    `defaults: { timeout: 30s${defaults} }`,
    'runtimes:',
    '  runc: { oci: runc, baseline: true }',
    '  runsc: { oci: runsc }',
    'images:',
    '  app:',
    '    image: app:1',
    `    tests: [{ name: own, exec: ["true"]${testSetting} }, { name: inherits, exec: ["true"] }]`,
    '  other:',
    `    image: other:1${imageSetting}`,
    '    tests: [{ name: plain, exec: ["true"] }]',
    '',
  ].join('\n');
}

describe('slowRatio in the matrix', () => {
  test('built-in default applies', () => {
    const matrix = parseMatrix(matrixText('', '', ''), FILE, { checkFiles: false });
    assert.equal(matrix.defaults.slowRatio, DEFAULT_SLOW_RATIO);
    assert.equal(matrix.images[0]?.tests[0]?.slowRatio, DEFAULT_SLOW_RATIO);
  });

  test('test over image over defaults', () => {
    const text = matrixText(', slowRatio: 4', '\n    slowRatio: 2.5', ', slowRatio: 1.5');
    const matrix = parseMatrix(text, FILE, { checkFiles: false });
    const [app, other] = matrix.images;
    assert.equal(app?.slowRatio, 4);
    assert.equal(app?.tests.find((entry) => entry.name === 'own')?.slowRatio, 1.5);
    assert.equal(app?.tests.find((entry) => entry.name === 'inherits')?.slowRatio, 4);
    assert.equal(other?.slowRatio, 2.5);
    assert.equal(other?.tests[0]?.slowRatio, 2.5);
  });

  test('ratio of 1 is rejected', () => {
    const [issue, ...rest] = issuesOf(matrixText(', slowRatio: 1', '', ''));
    assert.deepEqual(rest, []);
    assert.equal(issue?.location.line, 2);
    assert.equal(issue?.location.column, 38);
    assert.match(issue?.message ?? '', /^slowRatio must be a number greater than 1, such as 2 or 3\.5 \(sandbox duration \/ baseline duration\); got 1$/);
  });

  test('text is rejected with position', () => {
    const [issue] = issuesOf(matrixText('', '', ', slowRatio: fast'));
    assert.equal(issue?.location.line, 9);
    assert.match(issue?.message ?? '', /^slowRatio must be a number greater than 1.*got the string "fast"/);
  });

  test('negative image ratio is rejected', () => {
    const [issue] = issuesOf(matrixText('', '\n    slowRatio: -2', ''));
    assert.equal(issue?.location.line, 12);
    assert.equal(issue?.location.column, 16);
  });
});

describe('--fail-on-slow gate', () => {
  const run = report([...pair('fast', 500, 600), ...pair('slow', 500, 2500), ...pair('tiny', 3, 40)]);

  test('parses a ratio', () => {
    assert.equal(parseFailOnSlow('2.5'), 2.5);
  });

  for (const value of ['1', '0.5', '-3', 'fast', '', 'Infinity', '2x']) {
    test(`rejects "${value}"`, () => {
      assert.throws(() => parseFailOnSlow(value), new RegExp(`^Error: --fail-on-slow must be a number greater than 1, .*got "${value}"$`));
    });
  }

  test('tight limit fails the gate', () => {
    const gate = decideGate(run, [], 'new', 1.1);
    assert.equal(gate.status, 'fail');
    assert.equal(gate.exitCode, 1);
    assert.deepEqual(
      gate.slow.map((slow) => `${slow.test} ${slow.checkRatio}`),
      ['fast 1.2', 'slow 5'],
    );
  });

  test('loose limit passes', () => {
    const gate = decideGate(run, [], 'new', 100);
    assert.equal(gate.status, 'pass');
    assert.deepEqual(gate.slow, []);
  });

  test('no limit lists nothing', () => {
    const gate = decideGate(run, [], 'new');
    assert.equal(gate.status, 'pass');
    assert.equal(gate.failOnSlow, undefined);
    assert.deepEqual(gate.slow, []);
  });

  test('limit applies under none', () => {
    assert.equal(decideGate(run, [], 'none', 2).exitCode, 1);
  });

  test('message lists slow tests', () => {
    const text = formatGate(decideGate(run, [], 'new', 2));
    assert.match(text, /Tests slower than --fail-on-slow 2 \(sandbox\/baseline duration of the check\):\n {2}runsc {2}app › slow {2}×5\.00/);
    assert.match(text, /gate --fail-on new --fail-on-slow 2: fail, because of 1 test slower than --fail-on-slow$/);
  });

  test('result line counts slow tests', () => {
    assert.match(formatResultLine(decideGate(run, [], 'new', 2), run.runId), / unmatched=0 slow=1 run=20261204-230000-timing$/);
  });

  test('summary shows ratios and slow mark', () => {
    const summary = formatSummary(run);
    assert.match(summary, /check ratio, then start-until-ready ratio.*\(1 slow\):/);
    assert.match(summary, /app › slow\s+×5\.00 start ×2\.40 slow\n/);
    assert.match(summary, /app › tiny\s+×1\.00 start ×2\.40\n/);
  });
});

describe('gvmatrix merge --fail-on-slow', () => {
  const work = mkdtempSync(join(tmpdir(), 'gvmatrix-timing-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  const folder = join(work, 'run');
  mkdirSync(folder);
  const results = [...pair('fast', 500, 600), ...pair('slow', 500, 2500)];
  const fields: Partial<RunReport> = { matrixDigest: 'c4'.padEnd(64, '0'), images: ['app'], selectedImages: ['app'], known: [] };
  writeFileSync(join(folder, 'results.json'), JSON.stringify({ ...report(results), ...fields }));

  function merge(args: string[]): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, [CLI, 'merge', folder, '--reports', join(work, 'out'), ...args], { encoding: 'utf8' });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  test('tight limit exits 1', () => {
    const result = merge(['--fail-on-slow', '1.0001']);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stdout, /runsc {2}app › slow {2}×5\.00/);
    assert.match(result.stdout, / slow=2 run=/);
  });

  test('huge limit exits 0', () => {
    const result = merge(['--fail-on-slow', '1000']);
    assert.equal(result.status, 0, result.stderr);
    const merged = JSON.parse(readFileSync(join(work, 'out', 'results.json'), 'utf8')) as RunReport;
    assert.deepEqual(
      merged.verdicts.map((record) => [record.test, record.timing?.checkRatio]),
      [['fast', 1.2], ['slow', 5]],
    );
  });

  test('bad value exits 2', () => {
    const result = merge(['--fail-on-slow', '0.9']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--fail-on-slow must be a number greater than 1, .*got "0\.9"/);
  });

  test('run rejects a bad value', () => {
    const result = spawnSync(process.execPath, [CLI, 'run', '--matrix', join(work, 'missing.yaml'), '--fail-on-slow', 'fast'], { encoding: 'utf8' });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /got "fast"/);
  });
});
