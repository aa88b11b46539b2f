import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { HttpTimeoutError, sendHttpCheck } from '../../src/driver/http-client.js';

/** Starts a loopback server for one test and returns its base URL and a stop function. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ base: string; stop: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    stop: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

test('http check sends request, reads headers', async () => {
  const server = await serve((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      res.setHeader('X-Seen', `${req.method} ${req.headers['content-type']} ${req.headers.connection} ${Buffer.concat(chunks).toString()}`);
      res.setHeader('Set-Cookie', ['a=1', 'b=2']);
      res.setHeader('X-Twice', ['one', 'two']);
      res.end('ok');
    });
  });
  try {
    const response = await sendHttpCheck({ url: `${server.base}/echo`, method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"n":1}', timeoutMs: 5_000 });
    assert.equal(response.status, 200);
    assert.equal(response.body, 'ok');
    assert.equal(response.headers['x-seen'], 'POST application/json close {"n":1}');
    assert.equal(response.headers['set-cookie'], 'a=1\nb=2');
    assert.equal(response.headers['x-twice'], 'one, two');
    assert.deepEqual(
      response.headersArray.filter(({ name }) => name === 'X-Twice'),
      [
        { name: 'X-Twice', value: 'one' },
        { name: 'X-Twice', value: 'two' },
      ],
    );
  } finally {
    await server.stop();
  }
});

test('http check decodes gzip, no redirects', async () => {
  const server = await serve((req, res) => {
    if (req.url === '/moved') {
      res.writeHead(302, { location: '/zipped' }).end();
      return;
    }
    res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain' }).end(gzipSync('hello from gzip'));
  });
  try {
    const zipped = await sendHttpCheck({ url: `${server.base}/zipped`, method: 'GET', headers: {}, timeoutMs: 5_000 });
    assert.equal(zipped.body, 'hello from gzip');
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    const moved = await sendHttpCheck({ url: `${server.base}/moved`, method: 'GET', headers: {}, timeoutMs: 5_000 });
    assert.equal(moved.status, 302);
    assert.equal(moved.headers.location, '/zipped');
  } finally {
    await server.stop();
  }
});

test('http check times out', async () => {
  const server = await serve((_req, res) => {
    res.writeHead(200);
    res.write('partial');
  });
  try {
    await assert.rejects(sendHttpCheck({ url: `${server.base}/slow`, method: 'GET', headers: {}, timeoutMs: 300 }), (error: unknown) => {
      assert.ok(error instanceof HttpTimeoutError);
      assert.match(error.message, /no complete response within 300 ms/);
      return true;
    });
  } finally {
    await server.stop();
  }
});

test('http check to closed port fails', async () => {
  const server = await serve((_req, res) => res.end());
  const base = server.base;
  await server.stop();
  await assert.rejects(sendHttpCheck({ url: `${base}/`, method: 'GET', headers: {}, timeoutMs: 5_000 }), /ECONNREFUSED/);
});
