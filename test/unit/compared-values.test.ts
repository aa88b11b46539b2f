import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { formatHeaders, recordComparedValue } from '../../src/driver/compared-values.js';
import { MAX_STORED_OUTPUT } from '../../src/driver/output-text.js';

const BUILTINS = { builtinNormalizers: true, normalize: [] };

describe('recordComparedValue', () => {
  test('keeps raw and normalized text', () => {
    const value = recordComparedValue('stdout', { text: '4.4.0\n' }, BUILTINS, {});
    assert.deepEqual([value.value, value.normalized], ['4.4.0\n', '<kernel>\n']);
  });

  test('hash covers the whole value', () => {
    const text = `${'a'.repeat(MAX_STORED_OUTPUT)}tail`;
    const value = recordComparedValue('body', { text }, { builtinNormalizers: false, normalize: [] }, {});
    assert.equal(value.normalizedSha256, createHash('sha256').update(text).digest('hex'));
  });

  test('long value is cut with note', () => {
    const value = recordComparedValue('body', { text: 'b'.repeat(MAX_STORED_OUTPUT + 10) }, BUILTINS, {});
    assert.ok(value.value.endsWith('\n[gvmatrix: 10 more characters dropped]'), value.value.slice(-60));
  });

  test('read error has empty text', () => {
    const value = recordComparedValue('file: /etc/missing', { error: 'cat failed' }, BUILTINS, {});
    assert.deepEqual([value.value, value.normalized, value.error], ['', '', 'cat failed']);
  });
});

describe('formatHeaders', () => {
  test('sorted lower-case lines', () => {
    const text = formatHeaders([
      { name: 'Server', value: 'nginx/1.22.1' },
      { name: 'Date', value: 'Fri, 04 Dec 2026 20:34:00 GMT' },
      { name: 'content-type', value: 'text/html' },
    ]);
    assert.equal(text, 'content-type: text/html\ndate: Fri, 04 Dec 2026 20:34:00 GMT\nserver: nginx/1.22.1');
  });

  test('repeated header keeps order', () => {
    const text = formatHeaders([
      { name: 'Set-Cookie', value: 'a=1' },
      { name: 'Accept-Ranges', value: 'bytes' },
      { name: 'set-cookie', value: 'b=2' },
    ]);
    assert.equal(text, 'accept-ranges: bytes\nset-cookie: a=1\nset-cookie: b=2');
  });
});
