// A small HTTP API on Node's standard library only: JSON echo, hashing, a chunked stream,
// a file store under FILES_DIR and a CPU task run in a worker thread.
'use strict';

const http = require('node:http');
const crypto = require('node:crypto');
const fs = require('node:fs/promises');
const path = require('node:path');
const { Worker } = require('node:worker_threads');

const PORT = Number(process.env.PORT || 3000);
const FILES_DIR = process.env.FILES_DIR || '/var/lib/node-api/files';
const MAX_BODY_BYTES = 1024 * 1024;
const FILE_NAME = /^[A-Za-z0-9._-]{1,64}$/;

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function sendJson(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new HttpError(413, `request body is larger than ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

// Computes the n-th Fibonacci number by naive recursion in a worker thread, so the
// event loop keeps serving other requests meanwhile.
function fibonacciInWorker(n) {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const fib = (k) => (k < 2 ? k : fib(k - 1) + fib(k - 2));
    parentPort.postMessage(fib(workerData));
  `;
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: n });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker thread exited with code ${code}`));
    });
  });
}

async function route(req, res, url) {
  const { pathname } = url;

  if (req.method === 'GET' && pathname === '/health') {
    return sendJson(res, 200, { status: 'ok', node: process.version, uptimeSeconds: Math.round(process.uptime()) });
  }

  if (req.method === 'POST' && pathname === '/echo') {
    const body = await readBody(req);
    let json;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpError(400, 'request body is not valid JSON');
    }
    return sendJson(res, 200, { received: json, bytes: body.length, contentType: req.headers['content-type'] ?? null });
  }

  const hash = /^\/hash\/([a-z0-9-]+)$/.exec(pathname);
  if (req.method === 'GET' && hash) {
    const algorithm = hash[1];
    if (!crypto.getHashes().includes(algorithm)) {
      throw new HttpError(400, `unknown hash algorithm "${algorithm}"`);
    }
    const text = url.searchParams.get('text') ?? '';
    return sendJson(res, 200, { algorithm, digest: crypto.createHash(algorithm).update(text).digest('hex') });
  }

  if (req.method === 'GET' && pathname === '/stream') {
    const chunks = Number(url.searchParams.get('chunks') ?? '5');
    if (!Number.isInteger(chunks) || chunks < 1 || chunks > 1000) {
      throw new HttpError(400, 'chunks must be an integer from 1 to 1000');
    }
    // No content-length, so Node sends the body with chunked transfer encoding.
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    for (let i = 1; i <= chunks; i++) {
      res.write(`chunk ${i} of ${chunks}\n`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return res.end();
  }

  const file = /^\/files\/([^/]+)$/.exec(pathname);
  if (file) {
    const name = decodeURIComponent(file[1]);
    if (!FILE_NAME.test(name) || name.startsWith('.')) {
      throw new HttpError(400, 'file names are 1 to 64 letters, digits, dots, dashes or underscores, not starting with a dot');
    }
    const target = path.join(FILES_DIR, name);
    if (req.method === 'PUT') {
      const body = await readBody(req);
      // Write to a unique temporary name and rename, so a reader never sees a partial
      // file and concurrent uploads of one name do not write into the same file.
      const temporary = path.join(FILES_DIR, `.${name}.${crypto.randomUUID()}.tmp`);
      await fs.writeFile(temporary, body);
      await fs.rename(temporary, target);
      return sendJson(res, 201, { name, bytes: body.length, sha256: crypto.createHash('sha256').update(body).digest('hex') });
    }
    if (req.method === 'GET') {
      let body;
      try {
        body = await fs.readFile(target);
      } catch (error) {
        if (error.code === 'ENOENT') throw new HttpError(404, `file "${name}" not found`);
        throw error;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      return res.end(body);
    }
  }

  if (req.method === 'GET' && pathname === '/fibonacci') {
    const n = Number(url.searchParams.get('n') ?? '25');
    if (!Number.isInteger(n) || n < 0 || n > 40) {
      throw new HttpError(400, 'n must be an integer from 0 to 40');
    }
    return sendJson(res, 200, { n, value: await fibonacciInWorker(n) });
  }

  throw new HttpError(404, `no route for ${req.method} ${pathname}`);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  route(req, res, url).catch((error) => {
    const status = error instanceof HttpError ? error.status : 500;
    if (status === 500) console.error(`${req.method} ${url.pathname} failed:`, error);
    if (res.headersSent) return res.destroy(error);
    sendJson(res, status, { error: error.message });
  });
});

function shutdown(signal) {
  console.log(`${signal} received, closing the server`);
  server.close(() => process.exit(0));
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

fs.mkdir(FILES_DIR, { recursive: true })
  .then(() => {
    server.listen(PORT, '0.0.0.0', () => {
      console.log(`node-api listening on 0.0.0.0:${PORT} (Node ${process.version})`);
    });
  })
  .catch((error) => {
    console.error(`cannot create ${FILES_DIR}:`, error);
    process.exit(1);
  });
