/**
 * The benchmark's plain podman script checks what it claims to: on a small matrix of the
 * shipped images, the tests whose expectations hold pass and every test with one wrong
 * expectation fails with a message naming it. Needs root, podman, runc, runsc and the images
 * that scripts/setup.sh builds (nginx and redis).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { loadMatrix } from '../../src/matrix/loader.js';
import { plainRuntimes } from '../../bench/plain-runtimes.js';
import { plainScript } from '../../bench/plain-script.js';

const MATRIX = `version: 1
runtimes:
  runc: { oci: runc, baseline: true }
  runsc: { oci: runsc, flags: ["--network=host"] }
images:
  nginx:
    image: localhost/gvmatrix/nginx:latest
    ports: [80]
    wait: { http: { port: 80, path: /health } }
    tests:
      - name: page matches
        http: { port: 80, path: /, expect: { status: 200, body: "/Welcome to nginx!/", headers: { content-type: "/text\\\\/html/" } } }
      - name: wrong status
        http: { port: 80, path: /no-such-file, expect: { status: 200 } }
      - name: wrong body
        http: { port: 80, path: /, expect: { body: "/Welcome to Apache/" } }
      - name: wrong header
        http: { port: 80, path: /health, expect: { headers: { x-served-by: someone-else } } }
      - name: request header is sent
        http: { port: 80, path: /health, method: GET, headers: { accept: application/json }, expect: { status: 200, body: '{"status":"ok"}' } }
  redis:
    image: localhost/gvmatrix/redis:latest
    ports: [6379]
    wait: { log: "/Ready to accept connections/" }
    tests:
      - name: output matches
        exec: [sh, -c, "redis-cli SET greeting hello && redis-cli GET greeting"]
        expect: { exitCode: 0, stdout: "/^OK\\\\nhello$/m" }
      - name: wrong exit code
        exec: [sh, -c, "exit 3"]
        expect: { exitCode: 0 }
      - name: wrong stdout
        exec: [redis-cli, PING]
        expect: { stdout: PANG }
      - name: wrong stderr
        exec: [sh, -c, "echo oops >&2"]
        expect: { exitCode: 0, stderr: "/^fine$/" }
`;

describe('plain script of the benchmark', () => {
  let dir: string;
  let result: { exitCode?: number; stdout: string; stderr: string };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gvmatrix-plain-test-'));
    const matrixFile = join(dir, 'matrix.yaml');
    await writeFile(matrixFile, MATRIX);
    const matrix = await loadMatrix(matrixFile);
    const workDir = join(dir, 'work');
    const runtimes = await plainRuntimes(matrix, undefined, workDir);
    const script = plainScript({ matrixFile, images: matrix.images, runtimes, concurrency: 2, workDir, runId: `test-${process.pid}` });
    await writeFile(join(dir, 'plain.sh'), script);
    result = await execa('bash', [join(dir, 'plain.sh')], { reject: false, timeout: 120_000 });
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('counts passes and failures', () => {
    assert.match(result.stdout, /^plain-result: passed=6 failed=12 tests=18$/m, `${result.stdout}\n${result.stderr}`);
  });

  test('exits 1 when a test fails', () => {
    assert.equal(result.exitCode, 1);
  });

  test('names each wrong expectation', () => {
    const failures = result.stdout.split('\n').filter((line) => line.trim().startsWith('fail'));
    const expected: [string, RegExp][] = [
      ['wrong status', /GET \/no-such-file on port 80 returned status 404, expected 200/],
      ['wrong body', /body of GET \/ on port 80 does not match \/Welcome to Apache\//],
      ['wrong header', /header x-served-by of GET \/health on port 80 is missing or does not match "someone-else"/],
      ['wrong exit code', /`sh -c exit 3` exited with 3, expected 0/],
      ['wrong stdout', /stdout of `redis-cli PING` does not match "PANG"/],
      ['wrong stderr', /stderr of `sh -c echo oops >&2` does not match \/\^fine\$\//],
    ];
    assert.equal(failures.length, expected.length * 2, failures.join('\n'));
    for (const runtime of ['runc', 'runsc']) {
      for (const [name, message] of expected) {
        const line = failures.find((failure) => failure.includes(`\t${runtime}\t`) && failure.includes(`\t${name}\t`));
        assert.ok(line, `no failure line for "${name}" under ${runtime} in:\n${failures.join('\n')}`);
        assert.match(line, message);
      }
    }
  });

  test('leaves no container behind', async () => {
    const { stdout } = await execa('podman', ['ps', '-aq', '--filter', `label=gvmatrix-bench.run=test-${process.pid}`]);
    assert.equal(stdout.trim(), '');
  });
});
