import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageSpec } from '../matrix/types.js';
import { CommandError, runCommand } from './command.js';
import { currentPodman, runPodman, type Podman } from './podman.js';
import { EnvironmentError } from './runtimes.js';
import { STAGE_TIMEOUT_MS } from './stage-timeout.js';

/** The Debian base that every Containerfile under images/ starts FROM. */
export const BASE_IMAGE = 'localhost/gvmatrix/base:bookworm';
const BASE_SUITE = 'bookworm';
const DEFAULT_MIRROR = 'http://deb.debian.org/debian';

const BUILD_TIMEOUT_MS = STAGE_TIMEOUT_MS.imageBuild;

export type ProgressLog = (line: string) => void;

/** Returns true when podman's image store has this reference. */
export async function imageExists(ref: string, podman: Podman = currentPodman()): Promise<boolean> {
  try {
    await runPodman(podman, ['image', 'exists', ref], { timeoutMs: 30_000 });
    return true;
  } catch (error) {
    if (error instanceof CommandError && error.exitCode === 1) {
      return false;
    }
    throw error;
  }
}

/**
 * Returns the Debian mirror URL from the machine's apt sources (deb822 `.sources` files or
 * sources.list lines), so the base image is built from the same mirror apt already reaches.
 */
export function mirrorFromAptSources(texts: string[]): string | undefined {
  for (const text of texts) {
    for (const match of text.matchAll(/^\s*URIs:\s*(\S+)/gim)) {
      const uri = match[1];
      if (uri && /\/debian\/?$/.test(uri)) {
        return uri;
      }
    }
    for (const match of text.matchAll(/^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/gim)) {
      const uri = match[1];
      if (uri && /\/debian\/?$/.test(uri)) {
        return uri;
      }
    }
  }
  return undefined;
}

async function readAptSources(): Promise<string[]> {
  const texts: string[] = [];
  const listFile = await readFile('/etc/apt/sources.list', 'utf8').catch(() => '');
  texts.push(listFile);
  const partsDir = '/etc/apt/sources.list.d';
  const names = await readdir(partsDir).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.endsWith('.sources') || n.endsWith('.list')).sort()) {
    texts.push(await readFile(join(partsDir, name), 'utf8').catch(() => ''));
  }
  return texts;
}

/** Builds the base image from Debian packages with mmdebstrap, unless it exists already. */
export async function ensureBaseImage(log: ProgressLog, podman: Podman = currentPodman()): Promise<void> {
  if (await imageExists(BASE_IMAGE, podman)) {
    return;
  }

  const mirror = process.env.GVMATRIX_DEBIAN_MIRROR ?? mirrorFromAptSources(await readAptSources()) ?? DEFAULT_MIRROR;
  log(`building ${BASE_IMAGE} with mmdebstrap from ${mirror}`);
  const workDir = await mkdtemp(join(tmpdir(), 'gvmatrix-base-'));
  try {
    const tarball = join(workDir, 'base.tar');
    await runCommand('mmdebstrap', ['--variant=minbase', '--quiet', BASE_SUITE, tarball, mirror], {
      timeoutMs: BUILD_TIMEOUT_MS,
      hint: 'mmdebstrap builds the base image offline from Debian packages: install it (`apt-get install mmdebstrap`) and check that apt reaches the mirror (`apt-get update`), or set GVMATRIX_DEBIAN_MIRROR to a reachable mirror URL',
    });
    await runPodman(podman, ['import', '--change', 'CMD ["/bin/bash"]', tarball, BASE_IMAGE], { timeoutMs: BUILD_TIMEOUT_MS });
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  log(`built ${BASE_IMAGE}`);
}

/**
 * Builds one image from its folder with `podman build`. Podman's layer cache makes an
 * unchanged folder a quick no-op, and a changed file rebuilds from the step that uses it.
 */
export async function buildImage(image: ImageSpec, log: ProgressLog, podman: Podman = currentPodman()): Promise<void> {
  if (!image.build) {
    return;
  }
  const started = Date.now();
  log(`building ${image.ref} from ${image.build}`);
  await runPodman(podman, ['build', '--tag', image.ref, '--label', `gvmatrix.image=${image.name}`, image.build], {
    timeoutMs: BUILD_TIMEOUT_MS,
    hint: `building image "${image.name}" failed: fix ${image.build}/Containerfile (its RUN steps reach only the Debian mirror), then run \`gvmatrix images build --image ${image.name}\``,
  });
  log(`built ${image.ref} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Checks that a registry image is present, pulling it if the registry is reachable. */
export async function ensureRegistryImage(image: ImageSpec, log: ProgressLog, podman: Podman = currentPodman()): Promise<void> {
  if (await imageExists(image.ref, podman)) {
    return;
  }
  log(`pulling ${image.ref}`);
  try {
    await runPodman(podman, ['pull', '--quiet', image.ref], { timeoutMs: BUILD_TIMEOUT_MS });
  } catch (error) {
    throw new EnvironmentError(
      `image "${image.name}": ${image.ref} is not in the local store and pulling it failed.\n` +
        `${error instanceof Error ? error.message : String(error)}\n` +
        'On a machine without registry access, build the image from a folder instead (`build: images/NAME` in the matrix).',
    );
  }
}

export interface PrepareOptions {
  /** Builds only images missing from the store, skipping `podman build` for the others. */
  onlyMissing?: boolean;
  podman?: Podman;
}

/** Prepares every image of the matrix: the Debian base first, then each image in order. */
export async function prepareImages(images: ImageSpec[], log: ProgressLog, options: PrepareOptions = {}): Promise<void> {
  const podman = options.podman ?? currentPodman();
  if (images.some((image) => image.build)) {
    await ensureBaseImage(log, podman);
  }
  for (const image of images) {
    if (image.build) {
      if (options.onlyMissing && (await imageExists(image.ref, podman))) {
        continue;
      }
      await buildImage(image, log, podman);
    } else {
      await ensureRegistryImage(image, log, podman);
    }
  }
}
