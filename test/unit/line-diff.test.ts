import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { unifiedDiff } from '../../src/report/line-diff.js';

const LABELS = { fromLabel: 'runc', toLabel: 'runsc' };

/** Lines "1" to "n", each ending in a newline. */
function numbered(count: number): string {
  return Array.from({ length: count }, (_, index) => `${index + 1}\n`).join('');
}

describe('unifiedDiff', () => {
  const folder = mkdtempSync(join(tmpdir(), 'gvmatrix-diff-'));

  after(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  test('equal texts give nothing', () => {
    assert.equal(unifiedDiff('a\nb\n', 'a\nb\n', LABELS), '');
  });

  test('one changed line', () => {
    assert.equal(unifiedDiff('6.18.44-fc-v1272\n', '4.4.0\n', LABELS), '--- runc\n+++ runsc\n@@ -1 +1 @@\n-6.18.44-fc-v1272\n+4.4.0');
  });

  // The expected texts below are what GNU diffutils 3.8 `diff -u` prints for the same input.
  test('distant changes get two hunks', () => {
    const after = numbered(20).replace(/^3$/m, 'three').replace(/^18$/m, 'eighteen');
    const expected = [
      '--- runc', '+++ runsc',
      '@@ -1,6 +1,6 @@', ' 1', ' 2', '-3', '+three', ' 4', ' 5', ' 6',
      '@@ -15,6 +15,6 @@', ' 15', ' 16', ' 17', '-18', '+eighteen', ' 19', ' 20',
    ].join('\n');
    assert.equal(unifiedDiff(numbered(20), after, LABELS), expected);
  });

  test('near changes share a hunk', () => {
    const after = numbered(20).replace(/^3$/m, 'three').replace(/^7$/m, 'seven');
    const expected = [
      '--- runc', '+++ runsc',
      '@@ -1,10 +1,10 @@', ' 1', ' 2', '-3', '+three', ' 4', ' 5', ' 6', '-7', '+seven', ' 8', ' 9', ' 10',
    ].join('\n');
    assert.equal(unifiedDiff(numbered(20), after, LABELS), expected);
  });

  test('inserted line', () => {
    assert.equal(unifiedDiff('a\nb\n', 'a\nx\nb\n', LABELS), '--- runc\n+++ runsc\n@@ -1,2 +1,3 @@\n a\n+x\n b');
  });

  test('empty old text', () => {
    assert.equal(unifiedDiff('', 'x\n', LABELS), '--- runc\n+++ runsc\n@@ -0,0 +1 @@\n+x');
  });

  test('final newline only', () => {
    assert.equal(unifiedDiff('a\n', 'a', LABELS), '--- runc\n+++ runsc\n(the values differ only in the newline at their end)');
  });

  test('long diff is cut at 80 lines', () => {
    const before = Array.from({ length: 100 }, (_, index) => `old ${index}\n`).join('');
    const lines = unifiedDiff(before, numbered(100), LABELS).split('\n');
    assert.equal(lines.length, 81);
    assert.equal(lines[80], '[gvmatrix: 123 more diff lines cut]');
  });

  test('long line is cut', () => {
    const diff = unifiedDiff('a\n', `${'x'.repeat(600)}\n`, LABELS);
    assert.match(diff, /\n\+x{499}\.\.\. \[101 more characters\]$/);
  });

  test('large distance falls back', () => {
    const before = Array.from({ length: 1200 }, (_, index) => `a${index}\n`).join('');
    const after = Array.from({ length: 1200 }, (_, index) => `b${index}\n`).join('');
    const diff = unifiedDiff(before, after, { ...LABELS, maxLines: 10_000 });
    assert.equal(diff.split('\n').filter((line) => line.startsWith('-a')).length, 1200);
  });

  test('patch applies random diffs', () => {
    // A pseudo-random sequence with a fixed seed, so a failure reproduces.
    let seed = 7;
    const next = (limit: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % limit;
    };
    const randomText = () => Array.from({ length: next(30) }, () => `line ${next(6)}\n`).join('');

    for (let round = 0; round < 40; round++) {
      const before = randomText();
      const after = randomText();
      const diff = unifiedDiff(before, after, { ...LABELS, maxLines: 10_000 });
      if (diff === '') continue;

      writeFileSync(join(folder, 'old'), before);
      writeFileSync(join(folder, 'patch'), `${diff}\n`);
      const result = spawnSync('patch', ['-s', '-o', join(folder, 'new'), join(folder, 'old'), join(folder, 'patch')], { encoding: 'utf8' });
      assert.equal(result.status, 0, `patch rejected:\n${diff}\n${result.stdout}${result.stderr}`);
      assert.equal(readFileSync(join(folder, 'new'), 'utf8'), after, diff);
    }
  });
});
