/**
 * The image cache and concurrent builds against the real Podman: fixture build folders
 * under a temporary folder are built as localhost/gvmatrix-test/* images, through a
 * wrapper that records every podman command line, so the test can count the builds that ran.
 * Needs root, podman and the base image (`gvmatrix images build`). Removes its images at the end.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { hashFolder } from '../../src/engine/folder-hash.js';
import { BASE_ID_LABEL, CONTENT_HASH_LABEL, inspectImages } from '../../src/engine/image-cache.js';
import { BASE_IMAGE, prepareImages } from '../../src/engine/images.js';
import type { Podman } from '../../src/engine/podman.js';
import { EnvironmentError } from '../../src/engine/runtimes.js';
import type { ImageSpec } from '../../src/matrix/types.js';

const TEST_REPO = 'localhost/gvmatrix-test';
const TEST_BASE = `${TEST_REPO}/cache-base:latest`;

/** Returns an image spec for a build folder, as the matrix loader would, but under TEST_REPO. */
function fixtureImage(name: string, build: string): ImageSpec {
  return {
    name,
    build,
    ref: `${TEST_REPO}/${name}:latest`,
    ports: [],
    env: {},
    wait: { kind: 'none' },
    tests: [],
    suites: [],
    startupTimeoutMs: 60_000,
    timeoutMs: 60_000,
    retries: 0,
    resources: {},
    builtinNormalizers: true,
    normalize: [],
    slowRatio: 3,
    mounts: [],
    location: { file: 'image-cache.test.ts', line: 1, column: 1 },
  };
}

describe('image cache with real podman builds', () => {
  let dir: string;
  let commandLog: string;
  let podman: Podman;
  let lines: string[];
  /** Every image id the test produced, removed at the end with the tags. */
  const producedIds = new Set<string>();
  const nonce = `${process.pid}-${Date.now()}`;

  const log = (line: string) => lines.push(line);

  async function podmanCalls(): Promise<string[]> {
    return (await readFile(commandLog, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  }

  async function remember(refs: string[]): Promise<Map<string, { id: string; labels: Record<string, string> }>> {
    const stored = await inspectImages(refs, podman);
    for (const image of stored.values()) {
      producedIds.add(image.id);
    }
    return stored;
  }

  async function writeFolder(name: string, files: Record<string, string>): Promise<string> {
    const folder = join(dir, name);
    await mkdir(folder, { recursive: true });
    for (const [file, text] of Object.entries(files)) {
      await writeFile(join(folder, file), text);
    }
    return folder;
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gvmatrix-image-cache-it-'));
    commandLog = join(dir, 'podman-calls.log');
    const wrapper = join(dir, 'podman');
    await writeFile(
      wrapper,
      `#!/bin/sh\necho "start $$ $*" >> '${commandLog}'\npodman "$@"\nstatus=$?\necho "end $$ $*" >> '${commandLog}'\nexit $status\n`,
    );
    await chmod(wrapper, 0o755);
    podman = { file: wrapper, prefix: [], rootless: false };
    await execa('podman', ['tag', BASE_IMAGE, TEST_BASE]);
  });

  after(async () => {
    const refs = (await execa('podman', ['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=${TEST_REPO}/*`])).stdout.split('\n').filter(Boolean);
    if (refs.length > 0) {
      await execa('podman', ['rmi', '--force', ...refs], { reject: false });
    }
    const baseId = (await execa('podman', ['image', 'inspect', '--format', '{{.Id}}', BASE_IMAGE])).stdout.trim();
    const leftovers = [...producedIds].filter((id) => id !== baseId);
    if (leftovers.length > 0) {
      await execa('podman', ['rmi', '--force', ...leftovers], { reject: false });
    }
    await rm(dir, { recursive: true, force: true });
  });

  test('builds once, skips unchanged, rebuilds on change', async () => {
    const folder = await writeFolder('cached', {
      Containerfile: `FROM ${TEST_BASE}\nRUN echo ${nonce} > /nonce\nCOPY greeting.txt /greeting.txt\n`,
      'greeting.txt': 'hello\n',
    });
    const image = fixtureImage('cached', folder);

    lines = [];
    await prepareImages([image], log, { podman, jobs: 2 });
    let builds = (await podmanCalls()).filter((call) => call.startsWith('start ') && call.includes(' build '));
    assert.equal(builds.length, 1, `first run: ${builds.join('\n')}`);
    assert.ok(lines.some((line) => line.startsWith('building cached (missing)')), lines.join('\n'));
    let stored = (await remember([image.ref])).get(image.ref);
    assert.equal(stored?.labels[CONTENT_HASH_LABEL], await hashFolder(folder));
    const baseId = (await inspectImages([TEST_BASE], podman)).get(TEST_BASE)?.id;
    assert.equal(stored?.labels[BASE_ID_LABEL], baseId);

    // Second run: one inspect for everything, no build.
    await writeFile(commandLog, '');
    lines = [];
    await prepareImages([image], log, { podman });
    const calls = await podmanCalls();
    assert.deepEqual(
      calls.filter((call) => call.startsWith('start ') && call.includes(' build ')),
      [],
    );
    assert.equal(calls.filter((call) => call.startsWith('start ') && call.includes(' image inspect ')).length, 1, calls.join('\n'));
    assert.deepEqual(lines, ['up to date: cached']);

    // A changed file rebuilds, and the image has the new contents.
    await writeFile(join(folder, 'greeting.txt'), 'hello again\n');
    await writeFile(commandLog, '');
    lines = [];
    await prepareImages([image], log, { podman });
    builds = (await podmanCalls()).filter((call) => call.startsWith('start ') && call.includes(' build '));
    assert.equal(builds.length, 1);
    assert.ok(lines.some((line) => line.startsWith('building cached (folder changed)')), lines.join('\n'));
    stored = (await remember([image.ref])).get(image.ref);
    assert.equal(stored?.labels[CONTENT_HASH_LABEL], await hashFolder(folder));
    const contents = await execa('podman', ['run', '--rm', image.ref, 'cat', '/greeting.txt']);
    assert.equal(contents.stdout, 'hello again');

    // `run --no-build` leaves an existing image alone even when its folder changed.
    await writeFile(join(folder, 'greeting.txt'), 'not built\n');
    await writeFile(commandLog, '');
    lines = [];
    await prepareImages([image], log, { podman, onlyMissing: true });
    assert.deepEqual(
      (await podmanCalls()).filter((call) => call.includes(' build ')),
      [],
    );
    assert.deepEqual(lines, ['up to date: cached']);

    // --force builds an unchanged image again, without the layer cache.
    await writeFile(join(folder, 'greeting.txt'), 'hello again\n');
    await writeFile(commandLog, '');
    lines = [];
    await prepareImages([image], log, { podman, force: true });
    builds = (await podmanCalls()).filter((call) => call.startsWith('start ') && call.includes(' build '));
    assert.equal(builds.length, 1);
    assert.match(builds[0] ?? '', / --no-cache /);
    assert.ok(lines.some((line) => line.startsWith('building cached (forced)')), lines.join('\n'));
    await remember([image.ref]);
  });

  test('changed base rebuilds', async () => {
    const folder = await writeFolder('on-base', { Containerfile: `FROM ${TEST_BASE}\nRUN echo ${nonce} > /nonce\n` });
    const image = fixtureImage('on-base', folder);
    await prepareImages([image], log, { podman });
    await remember([image.ref]);

    // A new image under the base's name, as a rebuilt base would be.
    const newBase = await writeFolder('new-base', { Containerfile: `FROM ${BASE_IMAGE}\nRUN echo ${nonce} > /base-stamp\n` });
    await execa('podman', ['build', '--quiet', '--tag', TEST_BASE, newBase]);
    const newBaseId = (await remember([TEST_BASE])).get(TEST_BASE)?.id;

    lines = [];
    await prepareImages([image], log, { podman });
    assert.ok(
      lines.some((line) => line.startsWith(`building on-base (base changed (${TEST_BASE} is now ${newBaseId?.slice(0, 12)}`)),
      lines.join('\n'),
    );
    const stored = (await remember([image.ref])).get(image.ref);
    assert.equal(stored?.labels[BASE_ID_LABEL], newBaseId);
  });

  test('failed build lets the other finish', async () => {
    const good = fixtureImage(
      'good',
      await writeFolder('good', { Containerfile: `FROM ${TEST_BASE}\nRUN sleep 2 && echo ${nonce} > /nonce\n` }),
    );
    const broken = fixtureImage(
      'broken',
      await writeFolder('broken', { Containerfile: `FROM ${TEST_BASE}\nRUN echo ${nonce} && echo the-step-output && exit 3\n` }),
    );

    await writeFile(commandLog, '');
    lines = [];
    const failure = await prepareImages([broken, good], log, { podman, jobs: 2 }).then(
      () => undefined,
      (error: unknown) => error,
    );

    assert.ok(failure instanceof EnvironmentError, `expected an EnvironmentError, got ${String(failure)}`);
    assert.match(failure.message, /^1 of 2 images failed to build or pull: broken\n/);
    assert.match(failure.message, /image "broken": podman build failed with exit code \d+/);
    assert.match(failure.message, /the-step-output/);
    assert.match(failure.message, /gvmatrix images build --image broken`/);
    assert.doesNotMatch(failure.message, /"good"/);

    const stored = await remember([good.ref, broken.ref]);
    assert.ok(stored.has(good.ref), 'the good image was not built');
    assert.equal(stored.has(broken.ref), false);
    assert.ok(lines.some((line) => line.startsWith('good: built ')), lines.join('\n'));

    // Both builds ran at the same time: the second started before the first ended.
    const calls = (await podmanCalls()).filter((call) => call.includes(' build '));
    const firstEnd = calls.findIndex((call) => call.startsWith('end '));
    const starts = calls.filter((call) => call.startsWith('start '));
    assert.equal(starts.length, 2);
    assert.ok(calls.slice(0, firstEnd).filter((call) => call.startsWith('start ')).length === 2, calls.join('\n'));
  });
});
