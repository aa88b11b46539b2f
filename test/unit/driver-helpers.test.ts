import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demultiplexLogs, describeWait, shellQuote } from '../../src/driver/wait.js';
import { formatPattern, patternToRegExp } from '../../src/driver/patterns.js';
import { excerpt, truncateOutput } from '../../src/driver/checks.js';
import { escapeControlCharacters, truncateOutputStart } from '../../src/driver/output-text.js';

test('shell quote leaves plain words', () => {
  assert.equal(shellQuote(['pg_isready', '-h', '127.0.0.1']), 'pg_isready -h 127.0.0.1');
});

test('shell quote wraps spaces and quotes', () => {
  assert.equal(shellQuote(['sh', '-c', "echo 'a b'"]), `sh -c 'echo '\\''a b'\\'''`);
});

test('literal pattern escapes regex characters', () => {
  const regex = patternToRegExp({ kind: 'literal', text: 'a.b (c)' });
  assert.equal(regex.test('xa.b (c)y'), true);
  assert.equal(regex.test('axb (c)'), false);
});

test('regex pattern keeps flags', () => {
  const regex = patternToRegExp({ kind: 'regex', source: 'welcome', flags: 'i' });
  assert.equal(regex.test('WELCOME'), true);
  assert.equal(formatPattern({ kind: 'regex', source: 'welcome', flags: 'i' }), '/welcome/i');
});

test('wait descriptions name the target', () => {
  assert.equal(describeWait({ kind: 'http', port: 80, path: '/health', status: 200 }), 'HTTP GET /health on port 80 to return 200');
  assert.equal(describeWait({ kind: 'tcp', port: 6379 }), 'a TCP connection to port 6379');
  assert.equal(describeWait({ kind: 'log', pattern: { kind: 'regex', source: 'ready', flags: '' }, times: 2 }), 'log line matching /ready/ 2 times');
  assert.equal(describeWait({ kind: 'exec', command: ['pg_isready'] }), '`pg_isready` to exit 0');
});

test('demultiplex framed log stream', () => {
  const frame = (stream: number, text: string) => {
    const body = Buffer.from(text);
    const header = Buffer.alloc(8);
    header[0] = stream;
    header.writeUInt32BE(body.length, 4);
    return Buffer.concat([header, body]);
  };
  assert.equal(demultiplexLogs(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')])), 'out\nerr\n');
});

test('demultiplex plain text passes', () => {
  assert.equal(demultiplexLogs(Buffer.from('plain log\n')), 'plain log\n');
});

test('truncate notes dropped characters', () => {
  const text = truncateOutput('x'.repeat(120), 100);
  assert.ok(text.startsWith('x'.repeat(100)));
  assert.match(text, /20 more characters dropped/);
});

test('excerpt flattens and shortens', () => {
  assert.equal(excerpt('a\n  b'), '"a b"');
  assert.equal(excerpt('y'.repeat(250), 10), `"${'y'.repeat(10)}..."`);
});

test('excerpt reads only the start', () => {
  // Whitespace after the start flattens away, yet the value goes on, so the excerpt ends in "...".
  assert.equal(excerpt(`start${' '.repeat(5_000)}end`, 20), '"start..."');
  assert.equal(excerpt(`${'k'.repeat(30)}\n`.repeat(1_000_000), 12), `"${'k'.repeat(12)}..."`);
});

test('excerpt escapes DEL and C1', () => {
  assert.equal(excerpt('a\u0000b\u007fc\u009bd'), '"a\\u0000b\\u007fc\\u009bd"');
});

test('truncate start keeps the end', () => {
  const text = truncateOutputStart(`${'a'.repeat(20)}${'z'.repeat(100)}`, 100);
  assert.equal(text, `[gvmatrix: 20 earlier characters dropped]\n${'z'.repeat(100)}`);
  assert.equal(truncateOutputStart('short', 100), 'short');
});

test('control characters escaped', () => {
  assert.equal(escapeControlCharacters('a\u0000\u001b[31m\r\u009b\u007f'), 'a\\u0000\\u001b[31m\\u000d\\u009b\\u007f');
  assert.equal(escapeControlCharacters('tab\tline\nend \u00e9'), 'tab\tline\nend \u00e9');
});
