import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { printRunResult } from '../../src/cli/run-output.js';
import { entry, reportWith, verdictRecord } from './gate-fixtures.js';

function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  return { stream, text: () => chunks.join('') };
}

const REPORT = reportWith([verdictRecord('app', 'starts', 'compatible'), verdictRecord('app', 'uses io_uring', 'known')]);
const FILES = ['/work/reports/junit.xml', '/work/reports/results.json'];

describe('printRunResult', () => {
  test('summary ends with result line', () => {
    const output = collector();
    const status = printRunResult(REPORT, [], FILES, { failOn: 'new', json: false }, output.stream);
    const lines = output.text().trimEnd().split('\n');
    assert.equal(status, 0);
    assert.equal(lines.at(-2), 'reports: /work/reports/junit.xml, /work/reports/results.json');
    assert.match(lines.at(-1) ?? '', /^gvmatrix-result: status=pass gate=new exit=0 /);
  });

  test('gate line before reports', () => {
    const output = collector();
    printRunResult(REPORT, [], FILES, { failOn: 'any', json: false }, output.stream);
    assert.match(output.text(), /\ngate --fail-on any: fail, because of 1 verdict \(1 known\)\n\nreports: /);
  });

  test('any policy exits 1', () => {
    const output = collector();
    assert.equal(printRunResult(REPORT, [], FILES, { failOn: 'any', json: false }, output.stream), 1);
  });

  test('json holds report and gate', () => {
    const output = collector();
    const known = [entry('app', 'uses io_uring', { expires: '2026-01-01' })];
    const status = printRunResult(REPORT, known, FILES, { failOn: 'new', json: true }, output.stream);
    const document = JSON.parse(output.text()) as { runId: string; verdicts: unknown[]; gate: { status: string; knownEntries: { expired: unknown[] } } };
    assert.equal(status, 1);
    assert.equal(document.runId, REPORT.runId);
    assert.equal(document.verdicts.length, 2);
    assert.equal(document.gate.status, 'fail');
    assert.equal(document.gate.knownEntries.expired.length, 1);
  });

  test('json has no result line', () => {
    const output = collector();
    printRunResult(REPORT, [], FILES, { failOn: 'new', json: true }, output.stream);
    assert.doesNotMatch(output.text(), /gvmatrix-result:/);
  });
});
