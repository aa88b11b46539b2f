import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_REPORTED_STEP_TEXT, capStepText, parseObservedSteps } from '../../src/report/steps-attachment.js';
import type { StepRecord } from '../../src/report/types.js';

/** The records of "host change reloads configuration" under runsc, as the driver attached them. */
const RUNSC_STEPS: StepRecord[] = [
  { index: 1, kind: 'host', description: 'host write conf/app.conf', durationMs: 1 },
  {
    index: 2,
    kind: 'wait',
    description: 'wait for log line matching /loaded: level=2/',
    durationMs: 5115,
    error: 'timed out after 5000 ms waiting for log line matching /loaded: level=2/; last: log so far: "loaded: level=1 Setting up watches. Watches established."',
  },
];

function observed(steps: unknown): string {
  return JSON.stringify({ kind: 'steps', steps });
}

describe('parseObservedSteps', () => {
  test('steps records parsed', () => {
    assert.deepEqual(parseObservedSteps(observed(RUNSC_STEPS)), RUNSC_STEPS);
  });

  test('optional fields kept', () => {
    const record: StepRecord = {
      index: 3,
      name: 'watcher',
      kind: 'exec',
      description: 'exec inotifywait -m /data',
      background: true,
      exitCode: 0,
      stdout: 'Watches established.\n',
      stderr: '',
      containerUid: 1000,
      containerGid: 1000,
      durationMs: 12,
    };
    assert.deepEqual(parseObservedSteps(observed([record])), [record]);
  });

  test('exec and http records ignored', () => {
    assert.equal(parseObservedSteps(JSON.stringify({ kind: 'exec', command: ['true'], exitCode: 0, stdout: '', stderr: '' })), undefined);
    assert.equal(parseObservedSteps(JSON.stringify({ kind: 'http', url: 'http://127.0.0.1:8080/', status: 200, headers: {}, body: '' })), undefined);
  });

  test('no steps list rejected', () => {
    assert.throws(() => parseObservedSteps('{"kind": "steps"}'), /field steps must be an array of step records, got undefined/);
  });

  test('array rejected', () => {
    assert.throws(() => parseObservedSteps('[]'), /expected a JSON object with a kind field, got \[\]/);
  });

  test('invalid JSON rejected', () => {
    assert.throws(() => parseObservedSteps('{"kind": "steps", "steps": ['), SyntaxError);
  });

  test('unknown step kind named', () => {
    assert.throws(() => parseObservedSteps(observed([{ ...RUNSC_STEPS[0], kind: 'shell' }])), /field kind of step record 1 must be one of exec, wait, host, expect, got "shell"/);
  });

  test('missing description named', () => {
    const { description: _description, ...record } = RUNSC_STEPS[1] as StepRecord;
    assert.throws(() => parseObservedSteps(observed([RUNSC_STEPS[0], record])), /field description of step record 2 must be a string, got undefined/);
  });

  test('text exit code rejected', () => {
    assert.throws(() => parseObservedSteps(observed([{ ...RUNSC_STEPS[0], exitCode: '0' }])), /field exitCode of step record 1 must be a number when present, got "0"/);
  });

  test('non-object record rejected', () => {
    assert.throws(() => parseObservedSteps(observed(['host write'])), /step record 1 must be an object with index, kind, description and durationMs, got "host write"/);
  });

  test('long output capped', () => {
    const stdout = 'x'.repeat(MAX_REPORTED_STEP_TEXT + 150);
    const [record] = parseObservedSteps(observed([{ index: 1, kind: 'exec', description: 'exec yes', exitCode: 0, stdout, stderr: 'short', durationMs: 3 }])) ?? [];

    assert.equal(record?.stdout, `${'x'.repeat(MAX_REPORTED_STEP_TEXT)}\n[gvmatrix: 150 more characters dropped]`);
    assert.equal(record?.stderr, 'short');
  });
});

describe('capStepText', () => {
  test('caps stdout, stderr and error', () => {
    const record: StepRecord = { index: 1, kind: 'exec', description: 'exec sh', stdout: 'abcdef', stderr: 'abc', error: 'abcdefgh', durationMs: 1 };
    const capped = capStepText(record, 4);

    assert.equal(capped.stdout, 'abcd\n[gvmatrix: 2 more characters dropped]');
    assert.equal(capped.stderr, 'abc');
    assert.equal(capped.error, 'abcd\n[gvmatrix: 4 more characters dropped]');
  });

  test('record left unchanged', () => {
    const record: StepRecord = { index: 1, kind: 'exec', description: 'exec sh', stdout: 'abcdef', durationMs: 1 };
    capStepText(record, 2);
    assert.equal(record.stdout, 'abcdef');
  });
});
