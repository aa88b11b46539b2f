import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashFolder } from '../../src/engine/folder-hash.js';
import { BASE_ID_LABEL, CONTENT_HASH_LABEL, baseIdOf, baseImageRefs, rebuildReason, referenceNames, type BuildInputs, type StoredImage } from '../../src/engine/image-cache.js';
import { settleWithLimit } from '../../src/engine/concurrency.js';

describe('folder hash', () => {
  let root: string;
  let counter = 0;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'gvmatrix-hash-'));
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** Writes a small build folder with a file, an executable script, a subfolder and a link. */
  async function makeFolder(order: 'forward' | 'reverse' = 'forward'): Promise<string> {
    const dir = join(root, `folder-${counter++}`);
    await mkdir(join(dir, 'conf'), { recursive: true });
    const steps = [
      () => writeFile(join(dir, 'Containerfile'), 'FROM localhost/gvmatrix/base:bookworm\nCOPY . /app\n'),
      async () => {
        await writeFile(join(dir, 'start.sh'), '#!/bin/sh\nexec sleep infinity\n');
        await chmod(join(dir, 'start.sh'), 0o755);
      },
      () => writeFile(join(dir, 'conf', 'app.conf'), 'port = 80\n'),
      () => symlink('conf/app.conf', join(dir, 'app.conf')),
    ];
    for (const step of order === 'forward' ? steps : steps.reverse()) {
      await step();
    }
    await chmod(join(dir, 'conf', 'app.conf'), 0o644);
    await chmod(join(dir, 'Containerfile'), 0o644);
    return dir;
  }

  test('same content hashes the same', async () => {
    assert.equal(await hashFolder(await makeFolder('forward')), await hashFolder(await makeFolder('reverse')));
  });

  test('hash has sha256 form', async () => {
    assert.match(await hashFolder(await makeFolder()), /^sha256:[0-9a-f]{64}$/);
  });

  test('changed file changes hash', async () => {
    const dir = await makeFolder();
    const before = await hashFolder(dir);
    await writeFile(join(dir, 'conf', 'app.conf'), 'port = 81\n');
    assert.notEqual(await hashFolder(dir), before);
  });

  test('changed mode changes hash', async () => {
    const dir = await makeFolder();
    const before = await hashFolder(dir);
    await chmod(join(dir, 'start.sh'), 0o644);
    assert.notEqual(await hashFolder(dir), before);
  });

  test('added file changes hash', async () => {
    const dir = await makeFolder();
    const before = await hashFolder(dir);
    await writeFile(join(dir, 'extra.txt'), '');
    assert.notEqual(await hashFolder(dir), before);
  });

  test('removed file changes hash', async () => {
    const dir = await makeFolder();
    const before = await hashFolder(dir);
    await unlink(join(dir, 'start.sh'));
    assert.notEqual(await hashFolder(dir), before);
  });

  test('added empty folder changes hash', async () => {
    const dir = await makeFolder();
    const before = await hashFolder(dir);
    await mkdir(join(dir, 'empty'));
    assert.notEqual(await hashFolder(dir), before);
  });

  test('changed link target changes hash', async () => {
    const dir = await makeFolder();
    const before = await hashFolder(dir);
    await unlink(join(dir, 'app.conf'));
    await symlink('conf/other.conf', join(dir, 'app.conf'));
    assert.notEqual(await hashFolder(dir), before);
  });

  test('renamed file changes hash', async () => {
    const dir = await makeFolder();
    const before = await hashFolder(dir);
    await rm(join(dir, 'start.sh'));
    await writeFile(join(dir, 'begin.sh'), '#!/bin/sh\nexec sleep infinity\n');
    await chmod(join(dir, 'begin.sh'), 0o755);
    assert.notEqual(await hashFolder(dir), before);
  });

  test('moved folder hashes the same', async () => {
    const dir = await makeFolder();
    const before = await hashFolder(dir);
    const moved = join(root, `moved-${counter++}`);
    await rename(dir, moved);
    assert.equal(await hashFolder(moved), before);
  });

  test('content moved between files changes hash', async () => {
    const first = await makeFolder();
    const second = await makeFolder();
    await writeFile(join(first, 'a'), 'xy');
    await writeFile(join(first, 'b'), '');
    await writeFile(join(second, 'a'), 'x');
    await writeFile(join(second, 'b'), 'y');
    assert.notEqual(await hashFolder(first), await hashFolder(second));
  });
});

describe('base image references', () => {
  test('single FROM', () => {
    assert.deepEqual(baseImageRefs('# comment\nFROM localhost/gvmatrix/base:bookworm\nRUN true\n'), ['localhost/gvmatrix/base:bookworm']);
  });

  test('stages and scratch are not bases', () => {
    const containerfile = [
      'FROM --platform=linux/amd64 localhost/gvmatrix/base:bookworm AS build',
      'RUN make',
      'from scratch',
      'COPY --from=build /out /',
      'FROM build',
      'FROM localhost/other:1',
    ].join('\n');
    assert.deepEqual(baseImageRefs(containerfile), ['localhost/gvmatrix/base:bookworm', 'localhost/other:1']);
  });

  test('continued FROM line', () => {
    assert.deepEqual(baseImageRefs('FROM \\\n  localhost/gvmatrix/base:bookworm\n'), ['localhost/gvmatrix/base:bookworm']);
  });

  test('names of a local reference', () => {
    assert.deepEqual(referenceNames('localhost/gvmatrix/base:bookworm'), ['localhost/gvmatrix/base:bookworm']);
    assert.deepEqual(referenceNames('localhost/gvmatrix/app'), ['localhost/gvmatrix/app', 'localhost/gvmatrix/app:latest']);
  });

  test('names of a short reference', () => {
    assert.deepEqual(referenceNames('debian:12'), ['debian:12', 'docker.io/library/debian:12']);
    assert.deepEqual(referenceNames('someone/app'), ['someone/app', 'someone/app:latest', 'docker.io/someone/app:latest']);
    assert.deepEqual(referenceNames('quay.io/org/app:1'), ['quay.io/org/app:1']);
  });

  test('base id needs every base', () => {
    const stored = new Map<string, StoredImage>([['a', { id: '111', labels: {} }]]);
    assert.equal(baseIdOf(['a'], stored), '111');
    assert.equal(baseIdOf(['a', 'b'], stored), undefined);
  });
});

describe('rebuild reason', () => {
  const inputs: BuildInputs = { contentHash: 'sha256:aa', baseRefs: ['localhost/gvmatrix/base:bookworm'], baseId: '5e589b878b49482761700365' };
  const labelled = (contentHash: string, baseId: string): StoredImage => ({ id: 'f01d', labels: { [CONTENT_HASH_LABEL]: contentHash, [BASE_ID_LABEL]: baseId } });

  test('unchanged image is up to date', () => {
    assert.equal(rebuildReason(inputs, labelled('sha256:aa', inputs.baseId!)), undefined);
  });

  test('missing image', () => {
    assert.equal(rebuildReason(inputs, undefined), 'missing');
  });

  test('image without labels', () => {
    assert.equal(rebuildReason(inputs, { id: 'f01d', labels: {} }), `no ${CONTENT_HASH_LABEL} label`);
  });

  test('changed folder', () => {
    assert.equal(rebuildReason(inputs, labelled('sha256:bb', inputs.baseId!)), 'folder changed');
  });

  test('changed base names both ids', () => {
    const reason = rebuildReason(inputs, labelled('sha256:aa', '0123456789abcdef'));
    assert.equal(reason, 'base changed (localhost/gvmatrix/base:bookworm is now 5e589b878b49, was 0123456789ab)');
  });

  test('unknown base always rebuilds', () => {
    const reason = rebuildReason({ ...inputs, baseId: undefined }, labelled('sha256:aa', '5e589b878b49482761700365'));
    assert.match(reason ?? '', /^base localhost\/gvmatrix\/base:bookworm not in the store/);
  });
});

describe('settle with limit', () => {
  test('runs at most limit at a time', async () => {
    let running = 0;
    let maxRunning = 0;
    const results = await settleWithLimit([1, 2, 3, 4, 5], 2, async (item) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setTimeout(resolve, 10));
      running--;
      return item * 10;
    });
    assert.equal(maxRunning, 2);
    assert.deepEqual(
      results.map((result) => (result.status === 'fulfilled' ? result.value : undefined)),
      [10, 20, 30, 40, 50],
    );
  });

  test('failure lets the others finish', async () => {
    const finished: number[] = [];
    const results = await settleWithLimit([1, 2, 3], 3, async (item) => {
      if (item === 1) {
        throw new Error('one failed');
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
      finished.push(item);
    });
    assert.deepEqual(finished.sort(), [2, 3]);
    assert.equal(results[0]?.status, 'rejected');
    assert.equal(results[1]?.status, 'fulfilled');
    assert.equal(results[2]?.status, 'fulfilled');
  });
});
