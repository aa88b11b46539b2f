import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { buildJUnit } from '../../src/report/junit.js';
import { pairResults } from '../../src/report/pairing.js';
import type { TestRunResult, VerdictRecord } from '../../src/report/types.js';
import { classify } from '../../src/report/verdict.js';
import {
  EXPECT_FAILURE,
  FANOTIFY,
  RUNTIMES,
  baselineResult,
  comparedValue,
  evidence,
  knownEntry,
  probeLines,
  sandboxResult,
  unreadValue,
} from './report-fixtures.js';

const IMAGE = 'it-syscalls';
const TEST = 'kernel release';

function pair(baselineValues: TestRunResult['compared'], sandboxValues: TestRunResult['compared'], sandboxOverrides: Partial<TestRunResult> = {}): VerdictRecord {
  const baseline = baselineResult(IMAGE, TEST, { compared: baselineValues });
  const sandbox = sandboxResult(IMAGE, TEST, { compared: sandboxValues, ...sandboxOverrides });
  return classify(sandbox, baseline, []);
}

describe('compared values in verdicts', () => {
  test('equal values are compatible', () => {
    const record = pair([comparedValue('stdout', 'hello\n')], [comparedValue('stdout', 'hello\n')]);
    assert.equal(record.verdict, 'compatible');
    assert.equal(record.differences, undefined);
  });

  test('differing stdout is behavior-diff', () => {
    const record = pair([comparedValue('stdout', '6.18.44-fc-v1272\n')], [comparedValue('stdout', '4.4.0\n')]);
    assert.equal(record.verdict, 'behavior-diff');
  });

  test('message shows both values', () => {
    const record = pair([comparedValue('stdout', '6.18.44-fc-v1272\n')], [comparedValue('stdout', '4.4.0\n')]);
    assert.equal(record.message, 'stdout differs: runc "6.18.44-fc-v1272", runsc "4.4.0"');
  });

  test('details hold unified diff', () => {
    const record = pair([comparedValue('stdout', '6.18.44-fc-v1272\n')], [comparedValue('stdout', '4.4.0\n')]);
    const diff = '--- runc (baseline), normalized\n+++ runsc, normalized\n@@ -1 +1 @@\n-6.18.44-fc-v1272\n+4.4.0';
    assert.ok(record.details.includes(`stdout:\n${diff}`), record.details);
  });

  test('difference names observable', () => {
    const record = pair([comparedValue('stdout', 'a\n')], [comparedValue('stdout', 'b\n')]);
    assert.deepEqual(record.differences?.map((difference) => difference.observable), ['stdout']);
  });

  test('builtin normalizers make release equal', () => {
    const record = pair([comparedValue('stdout', '6.18.44-fc-v1272\n', true)], [comparedValue('stdout', '4.4.0\n', true)]);
    assert.equal(record.verdict, 'compatible');
  });

  test('second observable named in message', () => {
    const record = pair(
      [comparedValue('stdout', 'a\n'), comparedValue('exitCode', '0'), comparedValue('file: /etc/motd', 'x')],
      [comparedValue('stdout', 'b\n'), comparedValue('exitCode', '0'), comparedValue('file: /etc/motd', 'y')],
    );
    assert.equal(record.message, 'stdout differs: runc "a", runsc "b"; file: /etc/motd differs too');
  });

  test('same read error is equal', () => {
    const error = '`cat -- /etc/missing` exited with 1: cat: /etc/missing: No such file or directory';
    const record = pair([unreadValue('file: /etc/missing', error)], [unreadValue('file: /etc/missing', error)]);
    assert.equal(record.verdict, 'compatible');
  });

  test('read error against value differs', () => {
    const error = '`cat -- /proc/kmsg` exited with 1: cat: /proc/kmsg: Operation not permitted';
    const record = pair([unreadValue('file: /proc/kmsg', error)], [comparedValue('file: /proc/kmsg', '<6>booting\n')]);
    assert.match(record.message, /: runc "\(not read: `cat -- \/proc\/kmsg` exited with 1: cat: \/proc\/kms\.\.\.", runsc "<6>booting"$/);
  });

  test('difference past stored part', () => {
    const stored = 'x'.repeat(64 * 1024);
    const record = pair([comparedValue('stdout', `${stored}a`)], [comparedValue('stdout', `${stored}b`)]);
    assert.equal(record.differences?.[0]?.diff, 'The stored parts of the values are equal; they differ after the characters the report keeps.');
  });

  test('failed sandbox keeps syscall verdict', () => {
    const record = pair([comparedValue('stdout', 'EPERM\n')], [comparedValue('stdout', 'ENOSYS\n')], {
      outcome: 'failed',
      attempts: ['failed'],
      error: EXPECT_FAILURE,
      evidence: evidence({ unsupportedSyscalls: [FANOTIFY] }),
    });
    assert.equal(record.verdict, 'syscall-incompatible');
  });

  test('failed sandbox details show diff', () => {
    const record = pair([comparedValue('stdout', 'EPERM\n')], [comparedValue('stdout', 'ENOSYS\n')], {
      outcome: 'failed',
      attempts: ['failed'],
      error: EXPECT_FAILURE,
    });
    assert.match(record.details, /\n-EPERM\n\+ENOSYS/);
  });

  test('difference beats flaky retry', () => {
    const record = pair([comparedValue('stdout', 'a\n')], [comparedValue('stdout', 'b\n')], { attempts: ['failed', 'passed'] });
    assert.equal(record.verdict, 'behavior-diff');
  });

  test('known entry keeps differences', () => {
    const baseline = baselineResult(IMAGE, TEST, { compared: [comparedValue('stdout', 'a\n')] });
    const sandbox = sandboxResult(IMAGE, TEST, { compared: [comparedValue('stdout', 'b\n')] });
    const record = classify(sandbox, baseline, [knownEntry(IMAGE, TEST, { kind: 'literal', text: 'runsc' })]);
    assert.equal(record.verdict, 'known');
    assert.equal(record.differences?.length, 1);
  });

  test('value missing under sandbox is noted', () => {
    const record = pair([comparedValue('stdout', 'a\n')], undefined);
    assert.equal(record.verdict, 'compatible');
    assert.match(record.details, /Not compared, because only one runtime recorded a value:\n {2}stdout \(no value recorded under runsc\)/);
  });
});

describe('per-call comparison', () => {
  const baselineProbe = `${probeLines({ 'fanotify_init(FAN_CLASS_NOTIF)': 'EPERM', io_uring_setup: 'ENOSYS', 'openat2(RESOLVE_BENEATH)': '' })}\n`;
  const sandboxProbe = `${probeLines({ 'fanotify_init(FAN_CLASS_NOTIF)': 'ENOSYS', io_uring_setup: 'EFAULT', 'openat2(RESOLVE_BENEATH)': '' })}\n`;

  test('rows list differing calls', () => {
    const record = pair([comparedValue('stdout', baselineProbe)], [comparedValue('stdout', sandboxProbe)]);
    assert.deepEqual(record.differences?.[0]?.calls, [
      { call: 'fanotify_init(FAN_CLASS_NOTIF)', baseline: 'errno=EPERM', sandbox: 'errno=ENOSYS' },
      { call: 'io_uring_setup', baseline: 'errno=ENOSYS', sandbox: 'errno=EFAULT' },
    ]);
  });

  test('table replaces line diff', () => {
    const record = pair([comparedValue('stdout', baselineProbe)], [comparedValue('stdout', sandboxProbe)]);
    assert.equal(record.differences?.[0]?.diff, undefined);
  });

  test('message names first call', () => {
    const record = pair([comparedValue('stdout', baselineProbe)], [comparedValue('stdout', sandboxProbe)]);
    assert.equal(
      record.message,
      'stdout differs in 2 calls: fanotify_init(FAN_CLASS_NOTIF): runc errno=EPERM, runsc errno=ENOSYS (and 1 more call)',
    );
  });

  test('details hold the table', () => {
    const record = pair([comparedValue('stdout', baselineProbe)], [comparedValue('stdout', sandboxProbe)]);
    const table = [
      'call                           | baseline (runc) | sandbox (runsc)',
      'fanotify_init(FAN_CLASS_NOTIF) | errno=EPERM     | errno=ENOSYS',
      'io_uring_setup                 | errno=ENOSYS    | errno=EFAULT',
    ].join('\n');
    assert.ok(record.details.includes(`stdout, the calls that differ:\n${table}`), record.details);
  });

  test('missing call shows absent', () => {
    const shorter = `${probeLines({ 'fanotify_init(FAN_CLASS_NOTIF)': 'EPERM', io_uring_setup: 'ENOSYS' })}\n`;
    const record = pair([comparedValue('stdout', baselineProbe)], [comparedValue('stdout', shorter)]);
    assert.deepEqual(record.differences?.[0]?.calls, [
      { call: 'openat2(RESOLVE_BENEATH)', baseline: 'args=0x0 ret=0 errno=""', sandbox: '(absent)' },
    ]);
  });

  test('repeated call keyed by occurrence', () => {
    const before = '{"name":"read","ret":3}\n{"name":"read","ret":0}\n';
    const after = '{"name":"read","ret":3}\n{"name":"read","ret":-1}\n';
    const record = pair([comparedValue('stdout', before)], [comparedValue('stdout', after)]);
    assert.deepEqual(record.differences?.[0]?.calls, [{ call: 'read#2', baseline: 'ret=0', sandbox: 'ret=-1' }]);
  });

  test('mixed output uses line diff', () => {
    const record = pair([comparedValue('stdout', '{"call":"a","ret":0}\nplain line\n')], [comparedValue('stdout', '{"call":"a","ret":1}\nplain line\n')]);
    assert.match(record.differences?.[0]?.diff ?? '', /\n-\{"call":"a","ret":0\}\n\+\{"call":"a","ret":1\}/);
  });
});

describe('behavior-diff in JUnit', () => {
  test('failure body holds the diff', () => {
    const results = [
      baselineResult(IMAGE, TEST, { compared: [comparedValue('stdout', '6.18.44-fc-v1272\n')] }),
      sandboxResult(IMAGE, TEST, { compared: [comparedValue('stdout', '4.4.0\n')] }),
    ];
    const xml = buildJUnit({
      runId: 'run-2',
      matrixFile: '/work/matrix.yaml',
      startedAt: '2026-12-04T20:33:40.000Z',
      finishedAt: '2026-12-04T20:34:10.000Z',
      runtimes: RUNTIMES,
      results,
      verdicts: pairResults(results, 'runc', []),
    });
    const folder = mkdtempSync(join(tmpdir(), 'gvmatrix-compare-'));
    try {
      const file = join(folder, 'junit.xml');
      writeFileSync(file, xml);
      const testCase = `//testcase[@classname="${IMAGE}.runsc" and @name="${TEST}"]`;
      const body = execFileSync('xmllint', ['--xpath', `string(${testCase}/failure)`, file], { encoding: 'utf8' });
      assert.match(body, /@@ -1 \+1 @@\n-6\.18\.44-fc-v1272\n\+4\.4\.0/);
      const differs = execFileSync('xmllint', ['--xpath', `string(${testCase}//property[@name="gvmatrix.differs"]/@value)`, file], { encoding: 'utf8' });
      assert.equal(differs.trim(), 'stdout');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
