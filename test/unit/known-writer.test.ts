import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { formatKnownList, insertKnownEntries, KnownInsertError, type NewKnownEntry } from '../../src/matrix/known-writer.js';
import { parseMatrix } from '../../src/matrix/loader.js';

const NEW: NewKnownEntry = {
  image: 'app',
  test: 'reads stats',
  runtime: 'runsc',
  reason: 'unsupported syscalls: statx - Error: exit code 1',
  expires: '2027-01-31',
};

/** A valid matrix whose comments and layout the writer must keep. */
const MATRIX = [
  '# gvmatrix for the app team',
  'version: 1',
  'runtimes:',
  '  runc:  { oci: runc, baseline: true }   # the baseline',
  '  runsc: { oci: runsc, flags: ["--network=host"] }',
  'images:',
  '  app:',
  '    image: "docker.io/library/app:1.2"',
  '    tests:',
  '      - name: starts',
  "        exec: [sh, -c, 'exit 0']",
  '      - name: reads stats',
  '        exec: [stat, /data]',
  '      - name: "42"',
  '        exec: ["true"]',
  'known:',
  '  # io_uring is off in runsc',
  '  - { image: app, test: starts, runtime: runsc, reason: "io_uring" }   # keep',
  '',
  '# closing note',
  '',
].join('\n');

function knownOf(text: string): unknown[] {
  return (parse(text) as { known: unknown[] }).known;
}

describe('insertKnownEntries block list', () => {
  const result = insertKnownEntries(MATRIX, [NEW], 'gvmatrix baseline: 1 entry');
  const insertAt = MATRIX.indexOf('\n\n# closing note') + 1;

  test('text before insertion unchanged', () => {
    assert.equal(result.slice(0, insertAt), MATRIX.slice(0, insertAt));
  });

  test('text after insertion unchanged', () => {
    assert.ok(result.endsWith(MATRIX.slice(insertAt)), result);
  });

  test('inserted lines', () => {
    const inserted = result.slice(insertAt, result.length - (MATRIX.length - insertAt));
    assert.equal(
      inserted,
      [
        '  # gvmatrix baseline: 1 entry',
        '  - image: app',
        '    test: reads stats',
        '    runtime: runsc',
        '    reason: "unsupported syscalls: statx - Error: exit code 1"',
        '    expires: 2027-01-31',
        '',
      ].join('\n'),
    );
  });

  test('matrix loads with both entries', () => {
    const matrix = parseMatrix(result, '/work/matrix.yaml', { checkFiles: false });
    assert.deepEqual(
      matrix.known.map((known) => [known.test, known.expires]),
      [
        ['starts', undefined],
        ['reads stats', '2027-01-31'],
      ],
    );
  });
});

describe('insertKnownEntries other layouts', () => {
  test('list at column zero', () => {
    const text = 'known:\n- { image: a, test: b }\nimages: {}\n';
    const result = insertKnownEntries(text, [NEW]);
    assert.equal(result, `known:\n- { image: a, test: b }\n- image: app\n  test: reads stats\n  runtime: runsc\n  reason: "unsupported syscalls: statx - Error: exit code 1"\n  expires: 2027-01-31\nimages: {}\n`);
  });

  test('after a block scalar', () => {
    const text = 'known:\n  - image: a\n    reason: |\n      two\n      lines\n\nimages: {}\n';
    const result = insertKnownEntries(text, [NEW]);
    assert.deepEqual(knownOf(result), [{ image: 'a', reason: 'two\nlines\n' }, { ...NEW }]);
  });

  test('flow list gets flow item', () => {
    const text = 'version: 1\nknown: [{ image: a, test: b }]  # short\n';
    const result = insertKnownEntries(text, [{ image: 'app', test: 'starts', runtime: 'runsc', reason: 'why' }]);
    assert.equal(result, 'version: 1\nknown: [{ image: a, test: b }, { image: app, test: starts, runtime: runsc, reason: why }]  # short\n');
  });

  test('empty flow list becomes block', () => {
    const text = 'version: 1\nknown: []   # none yet\nimages: {}\n';
    const result = insertKnownEntries(text, [{ image: 'app', test: 'starts', runtime: 'runsc', reason: 'why' }]);
    assert.equal(result, 'version: 1\nknown:   # none yet\n  - image: app\n    test: starts\n    runtime: runsc\n    reason: why\nimages: {}\n');
  });

  test('new key at end', () => {
    const text = 'version: 1\n# last comment';
    const result = insertKnownEntries(text, [{ image: 'app', test: 'starts', runtime: 'runsc', reason: 'why' }]);
    assert.equal(result, 'version: 1\n# last comment\nknown:\n  - image: app\n    test: starts\n    runtime: runsc\n    reason: why\n');
  });

  test('no entries leaves text', () => {
    assert.equal(insertKnownEntries(MATRIX, []), MATRIX);
  });

  test('quoting keeps values', () => {
    const tricky: NewKnownEntry = { image: 'app', test: '42', runtime: 'runsc', reason: `'quoted' "both" # not a comment: \\n` };
    const result = insertKnownEntries(MATRIX, [tricky]);
    assert.deepEqual(knownOf(result).at(-1), tricky);
  });

  test('flow top level rejected', () => {
    assert.throws(() => insertKnownEntries('{ version: 1 }\n', [NEW]), KnownInsertError);
  });

  test('alias known rejected', () => {
    const text = 'x: &list [1]\nknown: *list\n';
    assert.throws(() => insertKnownEntries(text, [NEW]), /known: is not a list of entries/);
  });
});

describe('formatKnownList', () => {
  test('document with comment', () => {
    const text = formatKnownList([{ image: 'app', test: 'starts', runtime: 'runsc', reason: 'why' }], 'from run 1');
    assert.equal(text, 'known:\n  # from run 1\n  - image: app\n    test: starts\n    runtime: runsc\n    reason: why\n');
  });
});
