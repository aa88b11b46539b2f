import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkKnownEntries } from '../../src/report/known-check.js';
import { RUNTIMES } from './report-fixtures.js';
import { entry, reportWith, verdictRecord } from './gate-fixtures.js';

const report = reportWith([verdictRecord('app', 'uses io_uring', 'known'), verdictRecord('app', 'starts', 'compatible')]);

describe('checkKnownEntries expiry', () => {
  test('run date from start time', () => {
    assert.equal(checkKnownEntries([], report).date, '2026-03-10');
  });

  test('valid through its date', () => {
    const check = checkKnownEntries([entry('app', 'uses io_uring', { expires: '2026-03-10' })], report);
    assert.deepEqual(check.expired, []);
  });

  test('expired the day after', () => {
    const check = checkKnownEntries([entry('app', 'uses io_uring', { expires: '2026-03-09', line: 51 })], report);
    assert.equal(check.expired.length, 1);
    assert.equal(check.expired[0]?.location, '/work/matrix.yaml:51');
    assert.equal(check.expired[0]?.expires, '2026-03-09');
  });

  test('no date never expires', () => {
    const check = checkKnownEntries([entry('app', 'uses io_uring')], report);
    assert.deepEqual(check.expired, []);
  });

  test('UTC date near midnight', () => {
    const late = reportWith(report.verdicts, { startedAt: '2026-03-10T23:59:59.000Z' });
    const check = checkKnownEntries([entry('app', 'uses io_uring', { expires: '2026-03-10' })], late);
    assert.deepEqual(check.expired, []);
  });
});

describe('checkKnownEntries matching', () => {
  test('matched entry has no warning', () => {
    assert.deepEqual(checkKnownEntries([entry('app', 'uses io_uring')], report).unmatched, []);
  });

  test('renamed test warns', () => {
    const check = checkKnownEntries([entry('app', 'uses io_uring v1')], report);
    assert.equal(check.unmatched.length, 1);
    assert.match(check.unmatched[0]?.message ?? '', /ran no test named "uses io_uring v1" under runsc/);
  });

  test('regex runtime matches record', () => {
    const known = [entry('app', 'uses io_uring', { runtime: { kind: 'regex', source: '^runsc', flags: '' } })];
    assert.deepEqual(checkKnownEntries(known, report).unmatched, []);
  });

  test('regex written back in finding', () => {
    const known = [entry('app', 'gone', { runtime: { kind: 'regex', source: '^runsc', flags: 'i' } })];
    assert.equal(checkKnownEntries(known, report).unmatched[0]?.runtime, '/^runsc/i');
  });

  test('image outside the run skipped', () => {
    const known = [entry('other', 'gone', { expires: '2020-01-01' })];
    const check = checkKnownEntries(known, report);
    assert.deepEqual(check.unmatched, []);
    assert.deepEqual(check.expired, []);
  });

  test('runtime outside the run skipped', () => {
    const known = [entry('app', 'gone', { runtime: { kind: 'literal', text: 'runsc-kvm' }, expires: '2020-01-01' })];
    const check = checkKnownEntries(known, report);
    assert.deepEqual(check.unmatched, []);
    assert.deepEqual(check.expired, []);
  });

  test('baseline-only runtimes check nothing', () => {
    const baselineOnly = reportWith(report.verdicts, { runtimes: RUNTIMES.filter((runtime) => runtime.baseline) });
    assert.deepEqual(checkKnownEntries([entry('app', 'gone')], baselineOnly).unmatched, []);
  });
});
