/**
 * End to end for input that `gvmatrix run` must reject. Each case runs the real CLI on a
 * reports folder that contains an earlier complete report. It checks the exit status and
 * that the message names the value and the fix. It also checks that no container of the
 * case remains and that the earlier report is left as it was. Needs root, podman, runc
 * and runsc (scripts/setup.sh installs them).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const cli = join(repoRoot, 'dist/src/cli/main.js');

/** The image name every case uses, so that its containers can be found by label. */
const IMAGE = 'bad-input-app';
const BASE_IMAGE = 'localhost/gvmatrix/base:bookworm';

const RUNTIMES = ['runtimes:', '  runc: { oci: runc, baseline: true }', '  runsc: { oci: runsc, flags: ["--network=host"] }'];
const TESTS = ['    tests:', '      - { name: t, exec: [true] }'];

interface BadInputCase {
  name: string;
  /** Lines of the case's matrix.yaml, written in the case's folder. */
  matrix?: string[];
  /** Files to create next to the matrix, by path relative to it. */
  files?: Record<string, string>;
  /** Arguments after `run`, without --reports, which every case gets. */
  args?: string[];
  exitCode: 2 | 3;
  /** What the output on stderr must contain: the value and the fix. */
  messages: RegExp[];
  /** Maximum seconds the run may take, for cases that must fail fast. */
  maxSeconds?: number;
}

const CASES: BadInputCase[] = [
  {
    name: 'malformed YAML',
    matrix: ['version: 1', 'runtimes:', '  runc: { oci: runc, baseline: true', 'images: {}'],
    exitCode: 2,
    messages: [/matrix\.yaml:4:1: invalid YAML: Flow map in block collection must be sufficiently indented and end with a \}/],
  },
  {
    name: 'wrong types',
    matrix: ['version: 1', 'runtimes:', '  runc: { oci: runc, baseline: "yes" }', '  runsc: { oci: runsc }', 'images:', `  ${IMAGE}:`, `    image: ${BASE_IMAGE}`, '    ports: [eighty]', ...TESTS],
    exitCode: 2,
    messages: [/matrix\.yaml:3:32: baseline must be true or false; got the string "yes"/, /matrix\.yaml:8:13: each port must be an integer from 1 to 65535; got the string "eighty"/],
  },
  {
    name: 'unknown key',
    matrix: ['version: 1', ...RUNTIMES, 'images:', `  ${IMAGE}:`, `    image: ${BASE_IMAGE}`, '    prots: [80]', ...TESTS],
    exitCode: 2,
    messages: [/matrix\.yaml:8:5: unknown key "prots"; did you mean "ports"\?/],
  },
  {
    name: 'build folder without Containerfile',
    matrix: ['version: 1', ...RUNTIMES, 'images:', `  ${IMAGE}:`, '    build: empty', ...TESTS],
    files: { 'empty/README': 'no Containerfile here\n' },
    exitCode: 2,
    messages: [/matrix\.yaml:7:12: build folder \S+\/empty has no Containerfile or Dockerfile; add one, or use image: for a registry image/],
  },
  {
    name: 'missing suite file',
    matrix: ['version: 1', ...RUNTIMES, 'images:', `  ${IMAGE}:`, `    image: ${BASE_IMAGE}`, '    suites: [suites/missing.spec.ts]'],
    exitCode: 2,
    messages: [/matrix\.yaml:8:14: suite file \S+\/suites\/missing\.spec\.ts does not exist; create it, or fix the path/],
  },
  {
    name: 'duplicate image key',
    matrix: ['version: 1', ...RUNTIMES, 'images:', `  ${IMAGE}:`, `    image: ${BASE_IMAGE}`, ...TESTS, `  ${IMAGE}:`, `    image: ${BASE_IMAGE}`, ...TESTS],
    exitCode: 2,
    messages: [new RegExp(`matrix\\.yaml:10:3: invalid YAML: duplicate key "${IMAGE}"; each key of a mapping must be unique, so rename or remove one`)],
  },
  {
    name: 'duplicate test name',
    matrix: ['version: 1', ...RUNTIMES, 'images:', `  ${IMAGE}:`, `    image: ${BASE_IMAGE}`, ...TESTS, '      - { name: t, exec: [false] }'],
    exitCode: 2,
    messages: [new RegExp(`matrix\\.yaml:10:17: duplicate test name "t" in image "${IMAGE}", first used on line 9; give each test of an image its own name`)],
  },
  {
    name: 'duplicate runtime name',
    matrix: ['version: 1', 'runtimes:', '  runc: { oci: runc, baseline: true }', '  runc: { oci: runsc }', 'images:', `  ${IMAGE}:`, `    image: ${BASE_IMAGE}`, ...TESTS],
    exitCode: 2,
    messages: [/matrix\.yaml:4:3: invalid YAML: duplicate key "runc"; each key of a mapping must be unique, so rename or remove one/],
  },
  {
    name: 'port listed twice',
    matrix: ['version: 1', ...RUNTIMES, 'images:', `  ${IMAGE}:`, `    image: ${BASE_IMAGE}`, '    ports: [8080, 8080]', ...TESTS],
    exitCode: 2,
    messages: [/matrix\.yaml:8:19: port 8080 is listed twice in ports; remove one/],
  },
  {
    name: 'missing matrix file',
    args: ['--matrix', 'absent.yaml'],
    exitCode: 2,
    messages: [/absent\.yaml:1:1: matrix file not found; create it, or pass --matrix FILE to use another one/],
  },
  {
    name: 'image that cannot be pulled',
    matrix: ['version: 1', ...RUNTIMES, 'images:', `  ${IMAGE}:`, '    image: localhost/gvmatrix-test/absent:1', ...TESTS],
    exitCode: 3,
    messages: [
      new RegExp(`image "${IMAGE}": localhost/gvmatrix-test/absent:1 is not in the local store and pulling it failed`),
      /build the image from a folder instead \(`build: images\/NAME` in the matrix\)/,
    ],
    maxSeconds: 90,
  },
  {
    name: 'missing runtime binary',
    matrix: ['version: 1', 'runtimes:', '  runc: { oci: runc, baseline: true }', '  runsc: { oci: /nonexistent/runsc, flags: ["--network=host"] }', 'images:', `  ${IMAGE}:`, `    image: ${BASE_IMAGE}`, ...TESTS],
    exitCode: 3,
    messages: [/runtime "runsc": \/nonexistent\/runsc was not found/, /fix: Install it \(`apt-get install runsc`\) or set `oci:` to the absolute path of a runsc binary\./],
    maxSeconds: 90,
  },
];

/** The files of the earlier complete report that every case starts from. */
const EARLIER_REPORT: Record<string, string> = {
  'junit.xml': '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="gvmatrix earlier" tests="0"/>\n',
  'results.json': '{"runId":"earlier-run"}\n',
  'index.html': '<!doctype html><title>earlier run</title>\n',
  'runs/earlier-run/context.json': '{"runId":"earlier-run"}\n',
};

/** Returns every file under a folder with its contents, by relative path. */
async function snapshot(folder: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    const path = join(entry.parentPath, entry.name);
    files[relative(folder, path)] = entry.isFile() ? await readFile(path, 'utf8') : '(folder)';
  }
  return files;
}

describe('gvmatrix run on bad input', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gvmatrix-bad-input-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const badInput of CASES) {
    test(badInput.name, async () => {
      const caseDir = join(dir, badInput.name.replaceAll(' ', '-'));
      const reportsDir = join(caseDir, 'reports');
      for (const [path, text] of Object.entries({ ...EARLIER_REPORT })) {
        await mkdir(join(reportsDir, path, '..'), { recursive: true });
        await writeFile(join(reportsDir, path), text);
      }
      for (const [path, text] of Object.entries(badInput.files ?? {})) {
        await mkdir(join(caseDir, path, '..'), { recursive: true });
        await writeFile(join(caseDir, path), text);
      }
      if (badInput.matrix) {
        await writeFile(join(caseDir, 'matrix.yaml'), `${badInput.matrix.join('\n')}\n`);
      }
      const before = await snapshot(reportsDir);

      const started = Date.now();
      const args = badInput.args ?? ['--matrix', 'matrix.yaml'];
      const result = await execa(process.execPath, [cli, 'run', ...args, '--reports', reportsDir], { reject: false, cwd: caseDir, env: { FORCE_COLOR: '0' } });
      const seconds = (Date.now() - started) / 1000;

      const output = `${result.stdout}\n${result.stderr}`;
      assert.equal(result.exitCode, badInput.exitCode, output);
      for (const message of badInput.messages) {
        assert.match(result.stderr, message);
      }
      assert.match(result.stdout, new RegExp(`^gvmatrix-result: status=error gate=new exit=${badInput.exitCode} verdicts= failing=0 `, 'm'));
      if (badInput.maxSeconds !== undefined) {
        assert.ok(seconds < badInput.maxSeconds, `took ${seconds} s`);
      }

      assert.deepEqual(await snapshot(reportsDir), before);
      const containers = await execa('podman', ['ps', '--all', '--quiet', '--filter', `label=gvmatrix.image=${IMAGE}`]);
      assert.equal(containers.stdout.trim(), '');
    });
  }

  test('no new reports folder', async () => {
    const reportsDir = join(dir, 'fresh', 'reports');
    const caseDir = join(dir, 'fresh');
    await mkdir(caseDir, { recursive: true });
    await writeFile(join(caseDir, 'matrix.yaml'), `${CASES.at(-1)?.matrix?.join('\n')}\n`);

    const result = await execa(process.execPath, [cli, 'run', '--matrix', 'matrix.yaml', '--reports', reportsDir], { reject: false, cwd: caseDir });
    assert.equal(result.exitCode, 3, result.stderr);
    assert.deepEqual(await readdir(caseDir), ['matrix.yaml']);
  });
});
