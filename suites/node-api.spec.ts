/**
 * Flows against the node-api image that need more than one request or a computed
 * expectation: binary files through the file store, a body over the size limit,
 * a long chunked stream, and requests served while a worker thread is busy.
 */
import { createHash } from 'node:crypto';
import { test, expect } from 'gvmatrix/suite';

const API_PORT = 3000;

test('binary file round-trips intact', async ({ app, request }) => {
  // 512 KiB covering every byte value, written through rename(2) and read back.
  const content = Buffer.alloc(512 * 1024);
  for (let i = 0; i < content.length; i++) {
    content[i] = (i * 31 + (i >> 10)) & 0xff;
  }
  const digest = createHash('sha256').update(content).digest('hex');

  const stored = await request.put(app.url(API_PORT, '/files/blob.bin'), {
    data: content,
    headers: { 'content-type': 'application/octet-stream' },
  });
  expect(stored.status()).toBe(201);
  expect(await stored.json()).toEqual({ name: 'blob.bin', bytes: content.length, sha256: digest });

  const fetched = await request.get(app.url(API_PORT, '/files/blob.bin'));
  expect(fetched.status()).toBe(200);
  const body = await fetched.body();
  expect(body.length).toBe(content.length);
  expect(createHash('sha256').update(body).digest('hex')).toBe(digest);

  // The server wrote the file under FILES_DIR inside the container.
  const onDisk = await app.exec(['sha256sum', '/var/lib/node-api/files/blob.bin']);
  expect(onDisk.exitCode, onDisk.stderr).toBe(0);
  expect(onDisk.stdout).toContain(digest);
});

test('file is replaced, never partial', async ({ app, request }) => {
  const versions = Array.from({ length: 20 }, (_, i) => `version ${i} `.repeat(2000));

  // Writers and readers race on one name. Every read must return one whole version.
  const writes = versions.map((text) => request.put(app.url(API_PORT, '/files/shared.txt'), { data: text }));
  await writes[0];
  const reads = Array.from({ length: 20 }, () => request.get(app.url(API_PORT, '/files/shared.txt')));
  const responses = await Promise.all([...writes, ...reads]);

  for (const response of responses.slice(0, versions.length)) {
    expect(response.status()).toBe(201);
  }
  for (const response of responses.slice(versions.length)) {
    expect(response.status()).toBe(200);
    expect(versions).toContain(await response.text());
  }
});

test('oversized body is rejected', async ({ app, request }) => {
  const response = await request.post(app.url(API_PORT, '/echo'), {
    data: Buffer.alloc(1024 * 1024 + 1, 0x20),
    headers: { 'content-type': 'application/json' },
  });

  expect(response.status()).toBe(413);
  expect(await response.json()).toEqual({ error: 'request body is larger than 1048576 bytes' });

  // The server keeps serving after rejecting the body.
  const health = await request.get(app.url(API_PORT, '/health'));
  expect(health.status()).toBe(200);
});

test('long chunked stream arrives whole', async ({ app, request }) => {
  const chunks = 200;

  const response = await request.get(app.url(API_PORT, `/stream?chunks=${chunks}`));

  expect(response.status()).toBe(200);
  expect(response.headers()['transfer-encoding']).toBe('chunked');
  const lines = (await response.text()).trimEnd().split('\n');
  expect(lines).toEqual(Array.from({ length: chunks }, (_, i) => `chunk ${i + 1} of ${chunks}`));
});

test('busy worker thread leaves server responsive', async ({ app, request }) => {
  // fibonacci(40) by naive recursion takes about a second on one core. It runs in a
  // worker thread, so requests sent after it must get their responses first.
  let slowCompletedAt: number | undefined;
  const slow = request.get(app.url(API_PORT, '/fibonacci?n=40')).then((response) => {
    slowCompletedAt = Date.now();
    return response;
  });

  for (let i = 0; i < 3; i++) {
    const response = await request.get(app.url(API_PORT, `/hash/md5?text=${i}`));
    expect(response.status()).toBe(200);
  }
  const quickCompletedAt = Date.now();

  const result = await slow;
  expect(result.status()).toBe(200);
  expect(await result.json()).toEqual({ n: 40, value: 102334155 });
  expect(slowCompletedAt).toBeDefined();
  expect(quickCompletedAt).toBeLessThan(slowCompletedAt ?? 0);
});

test('invalid input is rejected', async ({ app, request }) => {
  const cases = [
    { path: '/hash/no-such-algorithm?text=x', error: 'unknown hash algorithm "no-such-algorithm"' },
    { path: '/stream?chunks=0', error: 'chunks must be an integer from 1 to 1000' },
    { path: '/fibonacci?n=41', error: 'n must be an integer from 0 to 40' },
    { path: '/files/.hidden', error: 'file names are 1 to 64 letters, digits, dots, dashes or underscores, not starting with a dot' },
  ];

  for (const { path, error } of cases) {
    const response = await request.get(app.url(API_PORT, path));
    expect(response.status(), path).toBe(400);
    expect(await response.json(), path).toEqual({ error });
  }

  const notJson = await request.post(app.url(API_PORT, '/echo'), { data: Buffer.from('{not json'), headers: { 'content-type': 'application/json' } });
  expect(notJson.status()).toBe(400);
  expect(await notJson.json()).toEqual({ error: 'request body is not valid JSON' });
});
