import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { observableName } from '../../src/matrix/compare.js';
import { formatIssue } from '../../src/matrix/errors.js';
import { MatrixError, parseMatrix, type MatrixIssue } from '../../src/matrix/loader.js';
import type { Check, Comparison, Matrix } from '../../src/matrix/types.js';

const FILE = '/srv/gvmatrix/matrix.yaml';

/** Lines 1-5 of every case; the first image line is line 6. */
const HEAD = ['version: 1', 'runtimes:', '  runc: { oci: runc, baseline: true }', '  runsc: { oci: runsc }', 'images:'];

function withImages(...imageLines: string[]): string {
  return `${[...HEAD, ...imageLines].join('\n')}\n`;
}

function parse(text: string): Matrix {
  return parseMatrix(text, FILE, { checkFiles: false });
}

function singleIssue(text: string): MatrixIssue {
  try {
    parse(text);
  } catch (error) {
    if (!(error instanceof MatrixError)) throw error;
    assert.equal(error.issues.length, 1, `expected one issue, got:\n${error.issues.map(formatIssue).join('\n')}`);
    return error.issues[0]!;
  }
  assert.fail('expected a MatrixError, but the matrix parsed');
}

function assertIssue(issue: MatrixIssue, line: number, column: number, message: string): void {
  assert.equal(issue.message, message);
  assert.equal(issue.location.line, line);
  assert.equal(issue.location.column, column);
}

function firstCheck(matrix: Matrix, testIndex = 0): Check {
  const check = matrix.images[0]?.tests[testIndex]?.check;
  assert.ok(check, `test ${testIndex + 1} is missing`);
  return check;
}

function comparisonOf(check: Check): Comparison {
  assert.ok(check.compare, 'the check has no comparison');
  return check.compare;
}

describe('compare: in the matrix', () => {
  const matrix = parse(
    [
      'version: 1',
      'defaults:',
      '  normalize: [{ pattern: "/req-\\\\d+/", replace: "req-N" }]',
      'runtimes:',
      '  runc: { oci: runc, baseline: true }',
      '  runsc: { oci: runsc }',
      'images:',
      '  web:',
      '    image: web:1',
      '    ports: [80]',
      '    normalize: [{ pattern: "ETag", replace: "" }]',
      '    tests:',
      '      - name: page',
      '        http: { port: 80 }',
      '        compare: [status, body, headers, { header: Content-Type }, { file: /etc/hostname }]',
      '        normalize: [{ pattern: "/v\\\\d+/i", replace: "v<n>" }]',
      '      - name: release',
      '        exec: [uname, -r]',
      '        compare: [stdout, exitCode]',
      '        builtinNormalizers: false',
      '      - name: no compare',
      '        exec: [true]',
      '  quiet:',
      '    image: quiet:1',
      '    builtinNormalizers: false',
      '    tests:',
      '      - name: release',
      '        exec: [uname, -r]',
      '        compare: [stdout]',
      '',
    ].join('\n'),
  );

  test('http observables in order', () => {
    const names = comparisonOf(firstCheck(matrix)).observables.map(observableName);
    assert.deepEqual(names, ['status', 'body', 'headers', 'header: content-type', 'file: /etc/hostname']);
  });

  test('rules of defaults, image, test', () => {
    const rules = comparisonOf(firstCheck(matrix)).normalize;
    assert.deepEqual(rules, [
      { pattern: { kind: 'regex', source: 'req-\\d+', flags: '' }, replace: 'req-N' },
      { pattern: { kind: 'literal', text: 'ETag' }, replace: '' },
      { pattern: { kind: 'regex', source: 'v\\d+', flags: 'i' }, replace: 'v<n>' },
    ]);
  });

  test('builtins on by default', () => {
    assert.equal(comparisonOf(firstCheck(matrix)).builtinNormalizers, true);
  });

  test('test turns builtins off', () => {
    assert.equal(comparisonOf(firstCheck(matrix, 1)).builtinNormalizers, false);
  });

  test('image turns builtins off', () => {
    assert.equal(comparisonOf(matrix.images[1]!.tests[0]!.check).builtinNormalizers, false);
  });

  test('exec observables', () => {
    assert.deepEqual(comparisonOf(firstCheck(matrix, 1)).observables, [{ kind: 'stdout' }, { kind: 'exitCode' }]);
  });

  test('test without compare', () => {
    assert.equal(firstCheck(matrix, 2).compare, undefined);
  });

  test('image keeps its rules', () => {
    assert.equal(matrix.images[0]!.normalize.length, 2);
  });
});

describe('compare: errors', () => {
  const execTest = (...lines: string[]) =>
    withImages('  app:', '    image: app:1', '    ports: [80]', '    tests:', '      - name: t', ...lines);

  test('unknown observable suggests one', () => {
    const issue = singleIssue(execTest('        exec: [true]', '        compare: [stdot]'));
    assertIssue(issue, 12, 19, 'unknown compare entry "stdot"; did you mean "stdout"?');
  });

  test('http observable on exec test', () => {
    const issue = singleIssue(execTest('        exec: [true]', '        compare: [stdout, status]'));
    assertIssue(
      issue,
      12,
      27,
      'status belongs to http tests; an exec test can compare exitCode, stdout, stderr or { file: /absolute/path }',
    );
  });

  test('header on exec test', () => {
    const issue = singleIssue(execTest('        exec: [true]', '        compare: [{ header: Date }]'));
    assertIssue(
      issue,
      12,
      21,
      'header belongs to http tests; an exec test can compare exitCode, stdout, stderr or { file: /absolute/path }',
    );
  });

  test('relative file path', () => {
    const issue = singleIssue(execTest('        exec: [true]', '        compare: [{ file: etc/hostname }]'));
    assertIssue(issue, 12, 27, 'compare file must be an absolute path inside the container, such as /etc/os-release; got "etc/hostname"');
  });

  test('bare file word', () => {
    const issue = singleIssue(execTest('        exec: [true]', '        compare: [file]'));
    assertIssue(issue, 12, 19, 'compare entry file needs its argument; write it as { file: /etc/os-release }');
  });

  test('observable listed twice', () => {
    const issue = singleIssue(execTest('        exec: [true]', '        compare: [stdout, stdout]'));
    assertIssue(issue, 12, 27, 'compare lists "stdout" twice; remove one');
  });

  test('empty compare list', () => {
    const issue = singleIssue(execTest('        exec: [true]', '        compare: []'));
    assertIssue(issue, 12, 18, 'compare must list at least one value to compare, such as [exitCode, stdout]; remove compare: to compare nothing');
  });

  test('compare as a string', () => {
    const issue = singleIssue(execTest('        exec: [true]', '        compare: stdout'));
    assertIssue(issue, 12, 18, 'compare must be a list, such as [exitCode, stdout]; got the string "stdout"');
  });

  test('two keys in one entry', () => {
    const issue = singleIssue(execTest('        http: { port: 80 }', '        compare: [{ file: /a, header: Date }]'));
    assertIssue(issue, 12, 19, 'each compare entry must have exactly one key, such as { file: /etc/os-release } or { header: Content-Type }');
  });

  test('unknown key in entry', () => {
    const issue = singleIssue(execTest('        http: { port: 80 }', '        compare: [{ fiel: /a }]'));
    assertIssue(issue, 12, 21, 'unknown key "fiel"; did you mean "file"?');
  });

  test('invalid header name', () => {
    const issue = singleIssue(execTest('        http: { port: 80 }', '        compare: [{ header: "Content Type" }]'));
    assertIssue(issue, 12, 29, 'compare header "Content Type" is not an HTTP header name; write the name alone, such as Content-Type');
  });

  test('normalize without compare', () => {
    const issue = singleIssue(execTest('        exec: [true]', '        normalize: [{ pattern: a, replace: b }]'));
    assertIssue(
      issue,
      12,
      9,
      'normalize has no effect in a test without compare:; add compare: with the values to compare, such as compare: [stdout], or remove normalize',
    );
  });

  test('builtinNormalizers must be boolean', () => {
    const issue = singleIssue(execTest('        exec: [true]', '        compare: [stdout]', '        builtinNormalizers: off'));
    assertIssue(issue, 13, 29, 'builtinNormalizers must be true or false; got the string "off"');
  });

  test('unknown test key suggests compare', () => {
    const issue = singleIssue(execTest('        exec: [true]', '        compere: [stdout]'));
    assertIssue(issue, 12, 9, 'unknown key "compere"; did you mean "compare"?');
  });
});

describe('normalize: errors', () => {
  const execTest = (...lines: string[]) =>
    withImages('  app:', '    image: app:1', '    tests:', '      - name: t', '        exec: [true]', '        compare: [stdout]', ...lines);

  test('builtin mapping form hints key', () => {
    const issue = singleIssue(execTest('        normalize: { builtin: false }'));
    assertIssue(
      issue,
      12,
      20,
      'normalize must be a list of { pattern, replace } rules, such as [{ pattern: "/request-id: \\\\w+/", replace: "request-id: <id>" }]; ' +
        'got a mapping. To turn the built-in normalizers off, write builtinNormalizers: false beside it',
    );
  });

  test('rule without replace', () => {
    const issue = singleIssue(execTest('        normalize: [{ pattern: "/id=\\\\d+/" }]'));
    assertIssue(issue, 12, 21, 'normalize rule has no replace:; add the replacement text, or replace: "" to delete each match');
  });

  test('rule without pattern', () => {
    const issue = singleIssue(execTest('        normalize: [{ replace: x }]'));
    assertIssue(issue, 12, 21, 'normalize rule has no pattern:; add the text or /regex/ to replace, such as pattern: "/id=\\\\d+/"');
  });

  test('invalid rule regex', () => {
    const issue = singleIssue(execTest('        normalize: [{ pattern: "/a(/", replace: x }]'));
    assert.match(issue.message, /^normalize pattern is an invalid regular expression \/a\(\//);
  });

  test('rule matching empty text', () => {
    const issue = singleIssue(execTest('        normalize: [{ pattern: "/x*/", replace: y }]'));
    assertIssue(
      issue,
      12,
      32,
      'normalize pattern matches the empty string, so the replacement would go between every character; make it match at least one character, for example with + instead of *',
    );
  });

  test('unknown rule key', () => {
    const issue = singleIssue(execTest('        normalize: [{ pattern: a, replace: b, flags: g }]'));
    assertIssue(issue, 12, 47, 'unknown key "flags"; valid keys: "pattern", "replace"');
  });

  test('defaults rule is checked', () => {
    const text = [
      'version: 1',
      'defaults: { normalize: [{ pattern: a }] }',
      ...HEAD.slice(1),
      '  app: { image: app:1, tests: [{ name: t, exec: [true] }] }',
      '',
    ].join('\n');
    const issue = singleIssue(text);
    assertIssue(issue, 2, 25, 'normalize rule has no replace:; add the replacement text, or replace: "" to delete each match');
  });
});
