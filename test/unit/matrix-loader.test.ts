import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { formatIssue } from '../../src/matrix/errors.js';
import { builtImageRef, loadMatrix, MatrixError, parseMatrix, type MatrixIssue } from '../../src/matrix/loader.js';
import type { Check, ImageSpec, Matrix, MatrixTest, WaitSpec } from '../../src/matrix/types.js';

/** Path used for matrices parsed without file checks; nothing is read from it. */
const FILE = '/srv/gvmatrix/matrix.yaml';

const temporaryFolders: string[] = [];

after(() => {
  for (const folder of temporaryFolders) rmSync(folder, { recursive: true, force: true });
});

/** Creates a temporary folder with the given files (relative path to content). */
function folderWith(files: Record<string, string>): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'gvmatrix-loader-'));
  temporaryFolders.push(folder);
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(folder, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return folder;
}

function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

/** Lines 1-5 of most cases below; the first image line is line 6. */
const HEAD = ['version: 1', 'runtimes:', '  runc: { oci: runc, baseline: true }', '  runsc: { oci: runsc }', 'images:'];

function withImages(...imageLines: string[]): string {
  return yaml(...HEAD, ...imageLines);
}

function issuesOf(text: string, options = { checkFiles: false }, file = FILE): MatrixIssue[] {
  try {
    parseMatrix(text, file, options);
  } catch (error) {
    if (error instanceof MatrixError) return error.issues;
    throw error;
  }
  assert.fail('expected a MatrixError, but the matrix parsed');
}

function singleIssue(text: string, options = { checkFiles: false }, file = FILE): MatrixIssue {
  const issues = issuesOf(text, options, file);
  assert.equal(issues.length, 1, `expected one issue, got:\n${issues.map(formatIssue).join('\n')}`);
  return issues[0]!;
}

function assertIssue(issue: MatrixIssue, line: number, column: number, message: string): void {
  assert.equal(issue.message, message);
  assert.equal(issue.location.line, line);
  assert.equal(issue.location.column, column);
}

function image(matrix: Matrix, name: string): ImageSpec {
  const found = matrix.images.find((candidate) => candidate.name === name);
  assert.ok(found, `image ${name} is missing`);
  return found;
}

function testNamed(spec: ImageSpec, name: string): MatrixTest {
  const found = spec.tests.find((candidate) => candidate.name === name);
  assert.ok(found, `test ${name} is missing`);
  return found;
}

function execCheck(check: Check): Extract<Check, { kind: 'exec' }> {
  assert.equal(check.kind, 'exec');
  return check as Extract<Check, { kind: 'exec' }>;
}

function httpCheck(check: Check): Extract<Check, { kind: 'http' }> {
  assert.equal(check.kind, 'http');
  return check as Extract<Check, { kind: 'http' }>;
}

const FULL_MATRIX = yaml(
  'version: 1',
  'defaults:',
  '  timeout: 45s',
  '  startupTimeout: 2m',
  '  retries: 1',
  '  resources: { memory: 512m, cpus: 1.5 }',
  'runtimes:',
  '  runc: { oci: runc, baseline: true }',
  '  runsc: { oci: /usr/local/bin/runsc-20240729, flags: ["--network=host", "--debug"] }',
  '  sandbox-none: { oci: /opt/gvisor/sandbox, kind: runsc, flags: ["--network=none"] }',
  'images:',
  '  nginx:',
  '    build: images/nginx',
  '    ports: [80, 443]',
  '    env: { LOG_LEVEL: debug, WORKERS: 4, TLS: true }',
  '    command: [nginx, -g, "daemon off;"]',
  '    wait: { http: { port: 80, path: /healthz } }',
  '    timeout: 30s',
  '    retries: 2',
  '    resources: { memory: 256m }',
  '    tests:',
  '      - name: serves the default page',
  '        http:',
  '          port: 80',
  '          method: post',
  '          headers: { Accept: text/html }',
  '          body: "{}"',
  '          expect: { body: "/Welcome to nginx/i", headers: { Content-Type: "/text\\\\/html/" } }',
  '      - name: configuration is valid',
  '        exec: [nginx, -t]',
  '        expect: { exitCode: 0, stdout: "some text", stderr: ["/syntax is ok/", "/test is successful/"] }',
  '        timeout: 10s',
  '        retries: 0',
  '      - name: prints its version',
  '        exec: [nginx, -v]',
  '    suites: [suites/nginx.spec.ts]',
  '  postgres:',
  '    image: docker.io/library/postgres:16',
  '    ports: [5432]',
  '    startupTimeout: 90',
  '    tests:',
  '      - name: accepts connections',
  '        exec: [pg_isready, -U, postgres]',
  '        expect: { stdout: "accepting connections" }',
  '  worker:',
  '    image: registry.example/worker:1',
  '    tests: []',
  '    suites: [suites/worker.spec.ts]',
  'known:',
  '  - { image: nginx, test: "configuration is valid", runtime: runsc, reason: "why", link: "https://gvisor.dev/docs/", expires: 2027-01-31 }',
  '  - { image: worker, test: "a test from the suite", runtime: "/^runsc|none$/", reason: "io_uring is off" }',
);

describe('parseMatrix on a full matrix', () => {
  const dir = folderWith({
    'images/nginx/Containerfile': 'FROM localhost/gvmatrix/base:latest\n',
    'suites/nginx.spec.ts': '',
    'suites/worker.spec.ts': '',
  });
  const file = path.join(dir, 'matrix.yaml');
  const matrix = parseMatrix(FULL_MATRIX, file);

  test('file and folder are absolute', () => {
    assert.equal(matrix.version, 1);
    assert.equal(matrix.file, file);
    assert.equal(matrix.dir, dir);
  });

  test('defaults are read', () => {
    assert.equal(matrix.defaults.timeoutMs, 45_000);
    assert.equal(matrix.defaults.startupTimeoutMs, 120_000);
    assert.equal(matrix.defaults.retries, 1);
    assert.deepEqual(matrix.defaults.resources, { memoryBytes: 512 * 1024 * 1024, cpus: 1.5 });
  });

  test('runtimes keep their order', () => {
    assert.deepEqual(
      matrix.runtimes.map((runtime) => runtime.name),
      ['runc', 'runsc', 'sandbox-none'],
    );
  });

  test('baseline is the runc runtime', () => {
    assert.equal(matrix.baseline.name, 'runc');
    assert.equal(matrix.baseline.kind, 'runc');
    assert.equal(matrix.baseline.baseline, true);
    assert.deepEqual(matrix.baseline.flags, []);
    assert.deepEqual(matrix.baseline.location, { file, line: 8, column: 3 });
  });

  test('runtime kind comes from oci basename', () => {
    const runsc = matrix.runtimes[1]!;
    assert.equal(runsc.oci, '/usr/local/bin/runsc-20240729');
    assert.equal(runsc.kind, 'runsc');
    assert.equal(runsc.baseline, false);
    assert.deepEqual(runsc.flags, ['--network=host', '--debug']);
  });

  test('explicit runtime kind wins', () => {
    const sandbox = matrix.runtimes[2]!;
    assert.equal(sandbox.oci, '/opt/gvisor/sandbox');
    assert.equal(sandbox.kind, 'runsc');
    assert.deepEqual(sandbox.flags, ['--network=none']);
  });

  test('built image resolves its folder', () => {
    const nginx = image(matrix, 'nginx');
    assert.equal(nginx.build, path.join(dir, 'images/nginx'));
    assert.equal(nginx.ref, 'localhost/gvmatrix/nginx:latest');
    assert.deepEqual(nginx.location, { file, line: 12, column: 3 });
  });

  test('image ports, env and command', () => {
    const nginx = image(matrix, 'nginx');
    assert.deepEqual(nginx.ports, [80, 443]);
    assert.deepEqual(nginx.env, { LOG_LEVEL: 'debug', WORKERS: '4', TLS: 'true' });
    assert.deepEqual(nginx.command, ['nginx', '-g', 'daemon off;']);
  });

  test('http wait fills path and status', () => {
    assert.deepEqual(image(matrix, 'nginx').wait, { kind: 'http', port: 80, path: '/healthz', status: 200 });
  });

  test('image overrides merge with defaults', () => {
    const nginx = image(matrix, 'nginx');
    assert.equal(nginx.timeoutMs, 30_000);
    assert.equal(nginx.startupTimeoutMs, 120_000);
    assert.equal(nginx.retries, 2);
    assert.deepEqual(nginx.resources, { memoryBytes: 256 * 1024 * 1024, cpus: 1.5 });
  });

  test('suite paths are absolute', () => {
    assert.deepEqual(image(matrix, 'nginx').suites, [path.join(dir, 'suites/nginx.spec.ts')]);
    assert.deepEqual(image(matrix, 'worker').suites, [path.join(dir, 'suites/worker.spec.ts')]);
  });

  test('http test reads request and expectations', () => {
    const serves = testNamed(image(matrix, 'nginx'), 'serves the default page');
    const check = httpCheck(serves.check);
    assert.equal(check.port, 80);
    assert.equal(check.path, '/');
    assert.equal(check.method, 'POST');
    assert.deepEqual(check.headers, { Accept: 'text/html' });
    assert.equal(check.body, '{}');
    assert.equal(check.expect.status, 200);
    assert.deepEqual(check.expect.body, [{ kind: 'regex', source: 'Welcome to nginx', flags: 'i' }]);
    assert.deepEqual(check.expect.headers, { 'content-type': { kind: 'regex', source: 'text\\/html', flags: '' } });
    assert.deepEqual(serves.location, { file, line: 22, column: 15 });
  });

  test('http test inherits image settings', () => {
    const serves = testNamed(image(matrix, 'nginx'), 'serves the default page');
    assert.equal(serves.timeoutMs, 30_000);
    assert.equal(serves.retries, 2);
  });

  test('exec test reads patterns', () => {
    const valid = testNamed(image(matrix, 'nginx'), 'configuration is valid');
    const check = execCheck(valid.check);
    assert.deepEqual(check.command, ['nginx', '-t']);
    assert.equal(check.expect.exitCode, 0);
    assert.deepEqual(check.expect.stdout, [{ kind: 'literal', text: 'some text' }]);
    assert.deepEqual(check.expect.stderr, [
      { kind: 'regex', source: 'syntax is ok', flags: '' },
      { kind: 'regex', source: 'test is successful', flags: '' },
    ]);
  });

  test('test settings override image', () => {
    const valid = testNamed(image(matrix, 'nginx'), 'configuration is valid');
    assert.equal(valid.timeoutMs, 10_000);
    assert.equal(valid.retries, 0);
  });

  test('exec without expect wants exit 0', () => {
    const version = testNamed(image(matrix, 'nginx'), 'prints its version');
    assert.deepEqual(execCheck(version.check).expect, { exitCode: 0, stdout: [], stderr: [] });
  });

  test('exec expect without exitCode skips it', () => {
    const accepts = testNamed(image(matrix, 'postgres'), 'accepts connections');
    assert.deepEqual(execCheck(accepts.check).expect, {
      stdout: [{ kind: 'literal', text: 'accepting connections' }],
      stderr: [],
    });
  });

  test('registry image keeps its reference', () => {
    const postgres = image(matrix, 'postgres');
    assert.equal(postgres.build, undefined);
    assert.equal(postgres.ref, 'docker.io/library/postgres:16');
  });

  test('number startupTimeout counts seconds', () => {
    assert.equal(image(matrix, 'postgres').startupTimeoutMs, 90_000);
  });

  test('image without overrides takes defaults', () => {
    const postgres = image(matrix, 'postgres');
    assert.equal(postgres.timeoutMs, 45_000);
    assert.equal(postgres.retries, 1);
    assert.deepEqual(postgres.resources, { memoryBytes: 512 * 1024 * 1024, cpus: 1.5 });
    assert.equal(testNamed(postgres, 'accepts connections').timeoutMs, 45_000);
    assert.equal(testNamed(postgres, 'accepts connections').retries, 1);
  });

  test('missing wait uses first port', () => {
    assert.deepEqual(image(matrix, 'postgres').wait, { kind: 'tcp', port: 5432 });
  });

  test('missing wait without ports', () => {
    assert.deepEqual(image(matrix, 'worker').wait, { kind: 'none' });
  });

  test('suite-only image has no tests', () => {
    assert.deepEqual(image(matrix, 'worker').tests, []);
  });

  test('known entries are read', () => {
    assert.equal(matrix.known.length, 2);
    const [first, second] = matrix.known;
    assert.deepEqual(first, {
      image: 'nginx',
      test: 'configuration is valid',
      runtime: { kind: 'literal', text: 'runsc' },
      reason: 'why',
      link: 'https://gvisor.dev/docs/',
      expires: '2027-01-31',
      location: { file, line: 50, column: 5 },
    });
    assert.deepEqual(second?.runtime, { kind: 'regex', source: '^runsc|none$', flags: '' });
    assert.equal(second?.test, 'a test from the suite');
    assert.equal(second?.link, undefined);
  });
});

/** The example from the design document, with its known entry pointed at the image it defines. */
const DESIGN_EXAMPLE = yaml(
  'version: 1',
  'runtimes:                     # name -> OCI runtime; exactly one has baseline: true',
  '  runc:   { oci: runc, baseline: true }',
  '  runsc:  { oci: runsc, flags: ["--network=host"] }',
  'images:                       # name -> image',
  '  nginx:',
  '    build: images/nginx       # a folder with a Containerfile, or:',
  '    # image: docker.io/library/nginx:1.27',
  '    ports: [80]',
  '    wait: { http: { port: 80, path: / } }   # readiness: http, tcp, log line or none',
  '    tests:',
  '      - name: serves the default page',
  '        http: { port: 80, path: /, expect: { status: 200, body: "/Welcome to nginx/" } }',
  '      - name: configuration is valid',
  '        exec: [nginx, -t]',
  '        expect: { exitCode: 0 }',
  '    suites: [suites/nginx.spec.ts]           # optional code tests for this image',
  'known:                        # expected incompatibilities: the CI baseline',
  '  - { image: nginx, test: uses io_uring, runtime: runsc, reason: "io_uring is off by default in runsc", link: "https://gvisor.dev/..." }',
);

describe('parseMatrix on the design example', () => {
  test('example parses', () => {
    const matrix = parseMatrix(DESIGN_EXAMPLE, FILE, { checkFiles: false });
    const nginx = image(matrix, 'nginx');
    assert.equal(matrix.baseline.name, 'runc');
    assert.deepEqual(matrix.runtimes[1]?.flags, ['--network=host']);
    assert.deepEqual(nginx.wait, { kind: 'http', port: 80, path: '/', status: 200 });
    assert.deepEqual(nginx.suites, ['/srv/gvmatrix/suites/nginx.spec.ts']);
    assert.deepEqual(
      nginx.tests.map((matrixTest) => matrixTest.check.kind),
      ['http', 'exec'],
    );
    assert.equal(matrix.known[0]?.test, 'uses io_uring');
  });

  test('example image some-app is unknown', () => {
    const asWritten = DESIGN_EXAMPLE.replace('image: nginx, test: uses', 'image: some-app, test: uses');
    const issue = singleIssue(asWritten);
    assertIssue(issue, 19, 14, 'known entry names image "some-app", which is not in images:; valid images: "nginx"');
  });

  test('example reports missing files', () => {
    const dir = folderWith({});
    const issues = issuesOf(DESIGN_EXAMPLE, { checkFiles: true }, path.join(dir, 'matrix.yaml'));
    assert.equal(issues.length, 2);
    assertIssue(
      issues[0]!,
      7,
      12,
      `build folder ${path.join(dir, 'images/nginx')} does not exist; create it with a Containerfile, or fix the path`,
    );
    assertIssue(issues[1]!, 17, 14, `suite file ${path.join(dir, 'suites/nginx.spec.ts')} does not exist; create it, or fix the path`);
  });
});

describe('parseMatrix errors', () => {
  test('unknown key suggests nearest', () => {
    const issue = singleIssue(yaml(...HEAD, '  app: { image: app:1, tests: [{ name: t, exec: [true] }] }', 'imgaes: {}'));
    assertIssue(issue, 7, 1, 'unknown key "imgaes"; did you mean "images"?');
  });

  test('unknown key lists valid keys', () => {
    const issue = singleIssue(withImages('  app:', '    image: app:1', '    healthcheck: [true]', '    tests: [{ name: t, exec: [true] }]'));
    assertIssue(
      issue,
      8,
      5,
      'unknown key "healthcheck"; valid keys: "build", "image", "ports", "env", "command", "mounts", "userns", "wait", ' +
        '"timeout", "startupTimeout", "retries", "resources", "builtinNormalizers", "normalize", "slowRatio", "tests", "suites"',
    );
  });

  test('missing baseline', () => {
    const text = yaml(
      'version: 1',
      'runtimes:',
      '  runc: { oci: runc }',
      '  runsc: { oci: runsc }',
      'images:',
      '  app: { image: app:1, tests: [{ name: t, exec: [true] }] }',
    );
    assertIssue(singleIssue(text), 2, 1, 'no runtime has baseline: true; add baseline: true to runtime "runc"');
  });

  test('two baselines name both', () => {
    const text = yaml(
      'version: 1',
      'runtimes:',
      '  runc: { oci: runc, baseline: true }',
      '  runc-old: { oci: /opt/runc-1.1/runc, baseline: true }',
      '  runsc: { oci: runsc }',
      'images:',
      '  app: { image: app:1, tests: [{ name: t, exec: [true] }] }',
    );
    assertIssue(
      singleIssue(text),
      4,
      50,
      'runtimes "runc" and "runc-old" have baseline: true; keep baseline: true on one runc runtime only',
    );
  });

  test('runsc baseline is rejected', () => {
    const text = yaml(
      'version: 1',
      'runtimes:',
      '  runc: { oci: runc }',
      '  runsc: { oci: runsc, baseline: true }',
      'images:',
      '  app: { image: app:1, tests: [{ name: t, exec: [true] }] }',
    );
    assertIssue(
      singleIssue(text),
      4,
      34,
      'baseline runtime "runsc" is of kind runsc; the baseline must be a runc runtime, so move baseline: true to one',
    );
  });

  test('single runtime is too few', () => {
    const text = yaml(
      'version: 1',
      'runtimes:',
      '  runc: { oci: runc, baseline: true }',
      'images:',
      '  app: { image: app:1, tests: [{ name: t, exec: [true] }] }',
    );
    assertIssue(
      singleIssue(text),
      2,
      1,
      'runtimes must list at least 2 runtimes, a runc baseline and a runsc sandbox; found 1',
    );
  });

  test('unknown runtime binary needs kind', () => {
    const text = yaml(
      'version: 1',
      'runtimes:',
      '  runc: { oci: runc, baseline: true }',
      '  crun: { oci: /usr/bin/crun }',
      'images:',
      '  app: { image: app:1, tests: [{ name: t, exec: [true] }] }',
    );
    assertIssue(
      singleIssue(text),
      4,
      16,
      'cannot tell the kind of runtime "crun" from its binary "crun"; add kind: runc or kind: runsc',
    );
  });

  test('unknown runtime kind suggests one', () => {
    const text = yaml(
      'version: 1',
      'runtimes:',
      '  runc: { oci: runc, baseline: true }',
      '  gvisor: { oci: /opt/gvisor, kind: gvisor-runsc }',
      'images:',
      '  app: { image: app:1, tests: [{ name: t, exec: [true] }] }',
    );
    assertIssue(singleIssue(text), 4, 37, 'unknown runtime kind "gvisor-runsc"; valid kinds: "runc", "runsc"');
  });

  test('flag without dashes', () => {
    const text = yaml(
      'version: 1',
      'runtimes:',
      '  runc: { oci: runc, baseline: true }',
      '  runsc: { oci: runsc, flags: [network=host] }',
      'images:',
      '  app: { image: app:1, tests: [{ name: t, exec: [true] }] }',
    );
    assertIssue(singleIssue(text), 4, 32, 'flag "network=host" must start with "--"; write "--network=host"');
  });

  test('image without build or image', () => {
    const issue = singleIssue(withImages('  app:', '    ports: [80]', '    tests: [{ name: t, exec: [true] }]'));
    assertIssue(
      issue,
      6,
      3,
      'image "app" has neither build: nor image:; add build: with a folder that contains a Containerfile, ' +
        'or image: with a registry reference',
    );
  });

  test('image with build and image', () => {
    const issue = singleIssue(
      withImages('  app:', '    build: images/app', '    image: app:1', '    tests: [{ name: t, exec: [true] }]'),
    );
    assertIssue(
      issue,
      8,
      5,
      'image "app" has both build: and image:; keep build: to build it from a Containerfile, or image: to run a registry image',
    );
  });

  test('invalid image name', () => {
    const issue = singleIssue(withImages('  My App:', '    image: app:1', '    tests: [{ name: t, exec: [true] }]'));
    assertIssue(
      issue,
      6,
      3,
      'invalid image name "My App": use lower-case letters, digits, "_", "." and "-", ' +
        'starting with a letter or digit; rename it, for example to "my-app"',
    );
  });

  test('test without check', () => {
    const issue = singleIssue(withImages('  app:', '    image: app:1', '    tests:', '      - name: starts', '        timeout: 5s'));
    assertIssue(issue, 9, 9, 'test "starts" has no check; add http:, exec: or steps:');
  });

  test('test with http and exec', () => {
    const issue = singleIssue(
      withImages(
        '  app:',
        '    image: app:1',
        '    ports: [80]',
        '    tests:',
        '      - name: serves',
        '        http: { port: 80 }',
        '        exec: [true]',
      ),
    );
    assertIssue(
      issue,
      12,
      9,
      'test "serves" has both http: and exec:; keep one check in this test and move the other into a test of its own',
    );
  });

  test('http test with outer expect', () => {
    const issue = singleIssue(
      withImages(
        '  app:',
        '    image: app:1',
        '    ports: [80]',
        '    tests:',
        '      - name: serves',
        '        http: { port: 80 }',
        '        expect: { status: 200 }',
      ),
    );
    assertIssue(
      issue,
      12,
      9,
      'test "serves" is an http check, so its expect: belongs inside http:; move it to http: { expect: ... }',
    );
  });

  test('exec given as a string', () => {
    const issue = singleIssue(withImages('  app:', '    image: app:1', '    tests:', '      - name: config', '        exec: nginx -t'));
    assertIssue(issue, 10, 15, 'exec must be a list of strings, such as [nginx, -t]; got the string "nginx -t"');
  });

  test('invalid regex quotes engine message', () => {
    const issue = singleIssue(
      withImages(
        '  app:',
        '    image: app:1',
        '    tests:',
        '      - name: greets',
        '        exec: [hello]',
        '        expect: { stdout: "/hello(/" }',
      ),
    );
    assertIssue(
      issue,
      11,
      27,
      'stdout is an invalid regular expression /hello(/: Invalid regular expression: /hello(/: Unterminated group; ' +
        'fix the expression, or write /\\/hello\\(\\// to match the text literally',
    );
  });

  test('invalid regex flags', () => {
    const issue = singleIssue(
      withImages(
        '  app:',
        '    image: app:1',
        '    tests:',
        '      - name: greets',
        '        exec: [hello]',
        '        expect: { stdout: [ok, "/hello/x"] }',
      ),
    );
    assertIssue(
      issue,
      11,
      32,
      "each item of stdout is an invalid regular expression /hello/x: Invalid flags supplied to RegExp constructor 'x'; " +
        'fix the expression, or write /\\/hello\\/x/ to match the text literally',
    );
  });

  test('bad duration string', () => {
    const issue = singleIssue(withImages('  app:', '    image: app:1', '    timeout: 10 seconds', '    tests: [{ name: t, exec: [true] }]'));
    assertIssue(
      issue,
      8,
      14,
      'timeout must be a duration such as 30s, 500ms or 2m (units: ms, s, m, h); got "10 seconds"',
    );
  });

  test('negative duration', () => {
    const issue = singleIssue(yaml('version: 1', 'defaults:', '  startupTimeout: -5', ...HEAD.slice(1), '  app: { image: app:1, tests: [{ name: t, exec: [true] }] }'));
    assertIssue(issue, 3, 19, 'startupTimeout must be a duration greater than 0, such as 30s or 500ms; got -5');
  });

  test('bad port zero', () => {
    const issue = singleIssue(withImages('  app:', '    image: app:1', '    ports: [8080, 0]', '    tests: [{ name: t, exec: [true] }]'));
    assertIssue(issue, 8, 19, 'each port must be an integer from 1 to 65535; got 0');
  });

  test('http port not in ports', () => {
    const issue = singleIssue(
      withImages('  app:', '    image: app:1', '    ports: [80]', '    tests:', '      - name: serves', '        http: { port: 8080 }'),
    );
    assertIssue(issue, 11, 23, 'http.port 8080 is not exposed: image "app" lists ports 80; add 8080 to its ports:');
  });

  test('retries must be whole', () => {
    const issue = singleIssue(withImages('  app:', '    image: app:1', '    retries: 1.5', '    tests: [{ name: t, exec: [true] }]'));
    assertIssue(issue, 8, 14, 'retries must be a whole number of 0 or more; got the number 1.5');
  });

  test('ports given as a number', () => {
    const issue = singleIssue(withImages('  app:', '    image: app:1', '    ports: 80', '    tests: [{ name: t, exec: [true] }]'));
    assertIssue(issue, 8, 12, 'ports must be a list, such as [80, 443]; got the number 80');
  });

  test('duplicate test name', () => {
    const issue = singleIssue(
      withImages(
        '  app:',
        '    image: app:1',
        '    tests:',
        '      - name: starts',
        '        exec: [true]',
        '      - name: starts',
        '        exec: [false]',
      ),
    );
    assertIssue(
      issue,
      11,
      15,
      'duplicate test name "starts" in image "app", first used on line 9; give each test of an image its own name',
    );
  });

  test('image without tests or suites', () => {
    const issue = singleIssue(withImages('  app:', '    image: app:1', '    tests: []'));
    assertIssue(
      issue,
      8,
      5,
      'image "app" has no tests; add tests: with http:, exec: or steps: checks, or suites: with Playwright spec files',
    );
  });

  test('suite shared by two images', () => {
    const issue = singleIssue(
      withImages(
        '  one: { image: one:1, suites: [suites/shared.spec.ts] }',
        '  two: { image: two:1, suites: [suites/shared.spec.ts] }',
      ),
    );
    assertIssue(
      issue,
      7,
      33,
      'suite file /srv/gvmatrix/suites/shared.spec.ts is listed by images "one" and "two"; ' +
        'a suite file runs against one image, so list it under one of them only',
    );
  });

  test('missing Containerfile', () => {
    const dir = folderWith({ 'images/app/README': 'no Containerfile here\n' });
    const text = withImages('  app:', '    build: images/app', '    tests: [{ name: t, exec: [true] }]');
    const issue = singleIssue(text, { checkFiles: true }, path.join(dir, 'matrix.yaml'));
    assertIssue(
      issue,
      7,
      12,
      `build folder ${path.join(dir, 'images/app')} has no Containerfile or Dockerfile; add one, or use image: for a registry image`,
    );
  });

  test('Dockerfile is accepted', () => {
    const dir = folderWith({ 'images/app/Dockerfile': 'FROM scratch\n' });
    const text = withImages('  app:', '    build: images/app', '    tests: [{ name: t, exec: [true] }]');
    const matrix = parseMatrix(text, path.join(dir, 'matrix.yaml'));
    assert.equal(image(matrix, 'app').build, path.join(dir, 'images/app'));
  });

  test('missing suite file', () => {
    const dir = folderWith({ 'suites/present.spec.ts': '' });
    const text = withImages('  app:', '    image: app:1', '    suites:', '      - suites/present.spec.ts', '      - suites/absent.spec.ts');
    const issue = singleIssue(text, { checkFiles: true }, path.join(dir, 'matrix.yaml'));
    assertIssue(issue, 10, 9, `suite file ${path.join(dir, 'suites/absent.spec.ts')} does not exist; create it, or fix the path`);
  });

  test('checkFiles off skips files', () => {
    const text = withImages('  app:', '    build: images/absent', '    suites: [suites/absent.spec.ts]');
    const matrix = parseMatrix(text, FILE, { checkFiles: false });
    assert.equal(image(matrix, 'app').build, '/srv/gvmatrix/images/absent');
  });

  test('YAML syntax error', () => {
    const issue = singleIssue(yaml('version: 1', 'runtimes:', '  runc: { oci: runc, baseline: true', '  runsc: { oci: runsc }'));
    assertIssue(issue, 4, 3, 'invalid YAML: Flow map in block collection must be sufficiently indented and end with a }');
  });

  test('duplicate YAML key', () => {
    const issue = singleIssue(yaml(...HEAD, '  app: { image: app:1, tests: [{ name: t, exec: [true] }] }', 'version: 1'));
    assertIssue(issue, 7, 1, 'invalid YAML: duplicate key "version"; each key of a mapping must be unique, so rename or remove one');
  });

  test('duplicate image and runtime keys', () => {
    const text = yaml(
      'version: 1',
      'runtimes:',
      '  runc: { oci: runc, baseline: true }',
      '  runc: { oci: runsc }',
      'images:',
      '  app: { image: app:1, tests: [{ name: t, exec: [true] }] }',
      '  app: { image: app:2, tests: [{ name: u, exec: [true] }] }',
    );
    const issues = issuesOf(text);
    assert.equal(issues.length, 2);
    assertIssue(issues[0] as MatrixIssue, 4, 3, 'invalid YAML: duplicate key "runc"; each key of a mapping must be unique, so rename or remove one');
    assertIssue(issues[1] as MatrixIssue, 7, 3, 'invalid YAML: duplicate key "app"; each key of a mapping must be unique, so rename or remove one');
  });

  test('unsupported version', () => {
    const issue = singleIssue(yaml('version: 2', ...HEAD.slice(1), '  app: { image: app:1, tests: [{ name: t, exec: [true] }] }'));
    assertIssue(issue, 1, 10, 'version must be 1, the only matrix version this gvmatrix reads; got 2');
  });

  test('empty file', () => {
    assertIssue(singleIssue('# nothing yet\n'), 1, 1, 'the matrix file is empty; start it with version: 1, then runtimes: and images:');
  });

  test('wait port not in ports', () => {
    const issue = singleIssue(
      withImages('  app:', '    image: app:1', '    ports: [80]', '    wait: { tcp: { port: 81 } }', '    tests: [{ name: t, exec: [true] }]'),
    );
    assertIssue(issue, 9, 26, 'wait.tcp.port 81 is not exposed: image "app" lists ports 80; add 81 to its ports:');
  });

  test('wait with two kinds', () => {
    const issue = singleIssue(
      withImages('  app:', '    image: app:1', '    ports: [80]', '    wait: { tcp: { port: 80 }, log: ready }', '    tests: [{ name: t, exec: [true] }]'),
    );
    assertIssue(issue, 9, 11, 'wait must name exactly one of http, tcp, log or exec; found tcp and log');
  });

  test('bad memory size', () => {
    const issue = singleIssue(
      withImages('  app:', '    image: app:1', '    resources: { memory: 1 GB }', '    tests: [{ name: t, exec: [true] }]'),
    );
    assertIssue(issue, 8, 26, 'memory must be a size in bytes or a string such as 512k, 256m or 2g; got "1 GB"');
  });

  test('collects all issues in order', () => {
    const text = yaml(
      'version: 1',
      'runtimes:',
      '  runc: { oci: runc }',
      '  runsc: { oci: runsc, flags: [debug] }',
      'images:',
      '  app:',
      '    image: app:1',
      '    tests: [{ name: t }]',
    );
    const issues = issuesOf(text);
    assert.deepEqual(
      issues.map((issue) => `${issue.location.line}:${issue.location.column}`),
      ['2:1', '4:32', '8:13'],
    );
  });

  test('error message has one line each', () => {
    const text = yaml('version: 1', 'runtime: {}', 'images: {}');
    let message = '';
    try {
      parseMatrix(text, FILE, { checkFiles: false });
    } catch (error) {
      message = error instanceof Error ? error.message : '';
    }
    assert.deepEqual(message.split('\n'), [
      `${FILE}:1:1: missing runtimes:; add a runc baseline and a runsc sandbox, such as ` +
        'runtimes: { runc: { oci: runc, baseline: true }, runsc: { oci: runsc } }',
      `${FILE}:2:1: unknown key "runtime"; did you mean "runtimes"?`,
      `${FILE}:3:1: images must list at least one image; add one, such as nginx: { build: images/nginx, ports: [80] }`,
    ]);
  });
});

describe('parseMatrix wait forms', () => {
  const cases: [string, WaitSpec][] = [
    ['{ http: { port: 80 } }', { kind: 'http', port: 80, path: '/', status: 200 }],
    ['{ http: { port: 80, path: /ready, status: 204 } }', { kind: 'http', port: 80, path: '/ready', status: 204 }],
    ['{ tcp: { port: 80 } }', { kind: 'tcp', port: 80 }],
    ['{ log: "/ready/i" }', { kind: 'log', pattern: { kind: 'regex', source: 'ready', flags: 'i' }, times: 1 }],
    ['{ log: { pattern: started, times: 2 } }', { kind: 'log', pattern: { kind: 'literal', text: 'started' }, times: 2 }],
    ['{ exec: [pg_isready, -U, postgres] }', { kind: 'exec', command: ['pg_isready', '-U', 'postgres'] }],
    ['none', { kind: 'none' }],
  ];

  for (const [wait, expected] of cases) {
    test(`wait ${wait}`, () => {
      const text = withImages('  app:', '    image: app:1', '    ports: [80]', `    wait: ${wait}`, '    tests: [{ name: t, exec: [true] }]');
      const matrix = parseMatrix(text, FILE, { checkFiles: false });
      assert.deepEqual(image(matrix, 'app').wait, expected);
    });
  }
});

describe('parseMatrix YAML features', () => {
  test('aliases are followed', () => {
    const text = withImages(
      '  app:',
      '    image: app:1',
      '    tests:',
      '      - name: first',
      '        exec: &probe [cat, /etc/os-release]',
      '      - name: second',
      '        exec: *probe',
    );
    const matrix = parseMatrix(text, FILE, { checkFiles: false });
    assert.deepEqual(execCheck(testNamed(image(matrix, 'app'), 'second').check).command, ['cat', '/etc/os-release']);
  });

  test('unnamed test still checked', () => {
    const issues = issuesOf(withImages('  app:', '    image: app:1', '    tests:', '      - exec: []'));
    assert.equal(issues.length, 2);
    assertIssue(issues[0]!, 9, 9, 'test 1 of image "app" has no name; add one, such as name: serves the home page');
    assertIssue(issues[1]!, 9, 15, 'exec must not be an empty list; write it as [nginx, -t]');
  });
});

describe('parseMatrix known entries', () => {
  const images = ['  app:', '    image: app:1', '    tests: [{ name: starts, exec: [true] }]', 'known:'];

  test('unknown test suggests one', () => {
    const issue = singleIssue(withImages(...images, '  - { image: app, test: strats, runtime: runsc, reason: r }'));
    assertIssue(issue, 10, 25, 'image "app" has no test "strats"; did you mean "starts"?');
  });

  test('baseline runtime is rejected', () => {
    const issue = singleIssue(withImages(...images, '  - { image: app, test: starts, runtime: runc, reason: r }'));
    assertIssue(
      issue,
      10,
      42,
      'runtime "runc" is the baseline; a known entry names the sandbox runtime where the test fails',
    );
  });

  test('runtime regex must match', () => {
    const issue = singleIssue(withImages(...images, '  - { image: app, test: starts, runtime: "/^kata/", reason: r }'));
    assertIssue(issue, 10, 42, 'runtime pattern /^kata/ matches no sandbox runtime; the sandbox runtimes are runsc');
  });

  test('unknown runtime suggests one', () => {
    const issue = singleIssue(withImages(...images, '  - { image: app, test: starts, runtime: rnusc, reason: r }'));
    assertIssue(issue, 10, 42, 'known entry names runtime "rnusc", which is not in runtimes:; did you mean "runsc"?');
  });

  test('reason is required', () => {
    const issue = singleIssue(withImages(...images, '  - { image: app, test: starts, runtime: runsc }'));
    assertIssue(issue, 10, 5, 'known entry has no reason:; add why the test fails under that runtime');
  });

  test('expires must be a date', () => {
    const issue = singleIssue(withImages(...images, '  - { image: app, test: starts, runtime: runsc, reason: r, expires: 2027-02-30 }'));
    assertIssue(issue, 10, 69, 'expires must be a date written as YYYY-MM-DD, such as 2027-01-31; got "2027-02-30"');
  });
});

describe('loadMatrix', () => {
  test('reads a file from disk', async () => {
    const dir = folderWith({ 'matrix.yaml': DESIGN_EXAMPLE, 'images/nginx/Containerfile': 'FROM scratch\n', 'suites/nginx.spec.ts': '' });
    const matrix = await loadMatrix(path.join(dir, 'matrix.yaml'));
    assert.equal(matrix.file, path.join(dir, 'matrix.yaml'));
    assert.equal(image(matrix, 'nginx').build, path.join(dir, 'images/nginx'));
  });

  test('missing file names path', async () => {
    const dir = folderWith({});
    const file = path.join(dir, 'matrix.yaml');
    await assert.rejects(loadMatrix(file), (error: unknown) => {
      assert.ok(error instanceof MatrixError);
      assert.equal(error.message, `${file}:1:1: matrix file not found; create it, or pass --matrix FILE to use another one`);
      return true;
    });
  });
});

describe('builtImageRef', () => {
  test('names the local image', () => {
    assert.equal(builtImageRef('nginx'), 'localhost/gvmatrix/nginx:latest');
  });
});
