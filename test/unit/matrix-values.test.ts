import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseByteSize } from '../../src/matrix/byte-size.js';
import { parseDuration } from '../../src/matrix/duration.js';
import type { Parsed } from '../../src/matrix/parsed.js';
import { parsePattern } from '../../src/matrix/pattern.js';
import { editDistance, nearest, suggestion } from '../../src/matrix/suggest.js';

function valueOf<T>(result: Parsed<T>): T {
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.value;
}

function reasonOf<T>(result: Parsed<T>): string {
  assert.equal(result.ok, false);
  return result.ok ? '' : result.reason;
}

describe('parseDuration', () => {
  test('number counts seconds', () => {
    assert.equal(valueOf(parseDuration(90)), 90_000);
    assert.equal(valueOf(parseDuration(0.5)), 500);
  });

  test('units ms, s, m, h', () => {
    assert.equal(valueOf(parseDuration('500ms')), 500);
    assert.equal(valueOf(parseDuration('30s')), 30_000);
    assert.equal(valueOf(parseDuration('1.5s')), 1500);
    assert.equal(valueOf(parseDuration('2m')), 120_000);
    assert.equal(valueOf(parseDuration('1h')), 3_600_000);
  });

  test('zero is rejected', () => {
    assert.equal(reasonOf(parseDuration(0)), 'must be a duration greater than 0, such as 30s or 500ms; got 0');
    assert.equal(reasonOf(parseDuration('0s')), 'must be a duration of at least 1ms; got "0s"');
  });

  test('missing unit is rejected', () => {
    assert.equal(
      reasonOf(parseDuration('30')),
      'must be a duration such as 30s, 500ms or 2m (units: ms, s, m, h); got "30"',
    );
  });
});

describe('parseByteSize', () => {
  test('number counts bytes', () => {
    assert.equal(valueOf(parseByteSize(1_000_000)), 1_000_000);
  });

  test('binary units', () => {
    assert.equal(valueOf(parseByteSize('512k')), 512 * 1024);
    assert.equal(valueOf(parseByteSize('256M')), 256 * 1024 ** 2);
    assert.equal(valueOf(parseByteSize('2g')), 2 * 1024 ** 3);
  });

  test('fraction of a byte rejected', () => {
    assert.equal(
      reasonOf(parseByteSize(1.5)),
      'must be a whole number of bytes greater than 0, or a string such as 256m; got 1.5',
    );
  });
});

describe('parsePattern', () => {
  test('plain text is literal', () => {
    assert.deepEqual(valueOf(parsePattern('Welcome to nginx')), { kind: 'literal', text: 'Welcome to nginx' });
  });

  test('slashes make a regex', () => {
    assert.deepEqual(valueOf(parsePattern('/^ok$/m')), { kind: 'regex', source: '^ok$', flags: 'm' });
  });

  test('path-like text needs escaping', () => {
    assert.match(reasonOf(parsePattern('/usr/bin/env')), /Invalid flags supplied to RegExp constructor 'env'/);
  });

  test('lone slashes are literal', () => {
    assert.deepEqual(valueOf(parsePattern('//')), { kind: 'literal', text: '//' });
    assert.deepEqual(valueOf(parsePattern('/')), { kind: 'literal', text: '/' });
  });
});

describe('suggest', () => {
  test('swap counts as one edit', () => {
    assert.equal(editDistance('imgaes', 'images'), 1);
  });

  test('distance to empty is length', () => {
    assert.equal(editDistance('', 'tests'), 5);
  });

  test('nearest ignores case', () => {
    assert.equal(nearest('Images', ['version', 'images']), 'images');
  });

  test('nearest rejects far words', () => {
    assert.equal(nearest('healthcheck', ['build', 'image', 'wait']), undefined);
  });

  test('suggestion lists when far', () => {
    assert.equal(suggestion('xyz', ['runc', 'runsc'], 'kinds'), 'valid kinds: "runc", "runsc"');
  });
});
