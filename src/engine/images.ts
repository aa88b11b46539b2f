import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageSpec } from '../matrix/types.js';
import { CommandError, runCommand } from './command.js';
import { settleWithLimit } from './concurrency.js';
import { hashFolder } from './folder-hash.js';
import { baseIdOf, cacheLabelArgs, inspectImages, readBaseImageRefs, rebuildReason, type BuildInputs, type StoredImage } from './image-cache.js';
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

/**
 * Builds the base image from Debian packages with mmdebstrap when it is missing, or always
 * with `rebuild`. A new base has a new image id, so every image built on it counts as changed.
 */
export async function ensureBaseImage(log: ProgressLog, podman: Podman = currentPodman(), rebuild = false): Promise<void> {
  if (!rebuild && (await imageExists(BASE_IMAGE, podman))) {
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

/** Lines of a failed build's output kept in the error: the failing step and podman's message. */
const BUILD_LOG_EXCERPT_LINES = 20;

/** A failed `podman build` of one image, with the end of its output. */
export class ImageBuildError extends Error {
  constructor(
    readonly image: string,
    readonly outcome: string,
    readonly logExcerpt: string,
  ) {
    super(`image "${image}": podman build ${outcome}${logExcerpt ? `\n${logExcerpt}` : ''}`);
    this.name = 'ImageBuildError';
  }
}

/**
 * Builds one image from its folder with `podman build` and labels it with the build's inputs,
 * so that the next build can tell that nothing changed. Podman's layer cache still applies:
 * a changed file rebuilds from the step that uses it, unless `noCache` is set.
 */
export async function buildImage(image: ImageSpec, inputs: BuildInputs, log: ProgressLog, podman: Podman = currentPodman(), noCache = false): Promise<void> {
  if (!image.build) {
    return;
  }
  const started = Date.now();
  const args = ['build', '--tag', image.ref, '--label', `gvmatrix.image=${image.name}`, ...cacheLabelArgs(inputs)];
  if (noCache) {
    args.push('--no-cache');
  }
  args.push(image.build);

  try {
    await runPodman(podman, args, { timeoutMs: BUILD_TIMEOUT_MS });
  } catch (error) {
    if (!(error instanceof CommandError)) {
      throw error;
    }
    const outcome = error.message.split('\n')[0]?.replace(/^`[^`]*` /, '') ?? 'failed';
    const output = `${error.stdout.trimEnd()}\n${error.stderr.trimEnd()}`.trim();
    throw new ImageBuildError(image.name, outcome, output.split('\n').slice(-BUILD_LOG_EXCERPT_LINES).join('\n'));
  }
  log(`built ${image.ref} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Checks that a registry image is present, pulling it if the registry is reachable. */
export async function pullRegistryImage(image: ImageSpec, log: ProgressLog, podman: Podman = currentPodman()): Promise<void> {
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
  /** Builds only images missing from the store, even when their folder changed (`run --no-build`). */
  onlyMissing?: boolean;
  /** Builds every selected image again, without podman's layer cache. */
  force?: boolean;
  /** Builds the Debian base again with mmdebstrap even when it exists. */
  rebuildBase?: boolean;
  /** Builds or pulls at most this many images at a time; the number of CPUs when unset. */
  jobs?: number;
  podman?: Podman;
}

/** One image to build or pull, and why. */
interface ImageWork {
  image: ImageSpec;
  reason: string;
  inputs?: BuildInputs;
}

/** The images of a matrix sorted into those already in the store and those to build or pull. */
export interface ImagePlan {
  upToDate: ImageSpec[];
  work: ImageWork[];
}

/**
 * Decides which images need a build or a pull, from one `podman image inspect` of every
 * image and base. A built image is rebuilt when it is missing, when its folder's hash
 * differs from its content-hash label, or when its base's id differs from its base-id label.
 */
export async function planImages(images: ImageSpec[], podman: Podman, options: Pick<PrepareOptions, 'onlyMissing' | 'force'> = {}): Promise<ImagePlan> {
  const built = await Promise.all(
    images.map(async (image) => (image.build ? { image, contentHash: await hashFolder(image.build), baseRefs: await readBaseImageRefs(image.build) } : { image })),
  );
  const baseRefs = built.flatMap((entry) => entry.baseRefs ?? []).filter((ref) => !ref.includes('$'));
  const stored = await inspectImages([...images.map((image) => image.ref), ...baseRefs], podman);

  const plan: ImagePlan = { upToDate: [], work: [] };
  for (const entry of built) {
    const present = stored.get(entry.image.ref);
    if (entry.contentHash === undefined) {
      if (present) {
        plan.upToDate.push(entry.image);
      } else {
        plan.work.push({ image: entry.image, reason: 'missing' });
      }
      continue;
    }

    const inputs: BuildInputs = { contentHash: entry.contentHash, baseRefs: entry.baseRefs, baseId: baseIdOf(entry.baseRefs, stored) };
    const reason = planReason(inputs, present, options);
    if (reason === undefined) {
      plan.upToDate.push(entry.image);
    } else {
      plan.work.push({ image: entry.image, reason, inputs });
    }
  }
  return plan;
}

function planReason(inputs: BuildInputs, present: StoredImage | undefined, options: Pick<PrepareOptions, 'onlyMissing' | 'force'>): string | undefined {
  if (options.force) {
    return 'forced';
  }
  if (options.onlyMissing) {
    return present ? undefined : 'missing';
  }
  return rebuildReason(inputs, present);
}

/**
 * Prepares every image of the matrix: the Debian base first, then the builds and pulls that
 * planImages calls for, several at a time. Each image's progress lines start with its name.
 * A failed build lets the others finish, then one EnvironmentError names every failed image
 * with the end of its build output.
 */
export async function prepareImages(images: ImageSpec[], log: ProgressLog, options: PrepareOptions = {}): Promise<void> {
  const podman = options.podman ?? currentPodman();
  if (images.some((image) => image.build)) {
    await ensureBaseImage(log, podman, options.rebuildBase === true);
  }

  const plan = await planImages(images, podman, options);
  if (plan.upToDate.length > 0) {
    log(`up to date: ${plan.upToDate.map((image) => image.name).join(', ')}`);
  }
  if (plan.work.length === 0) {
    return;
  }

  const jobs = Math.min(options.jobs ?? availableParallelism(), plan.work.length);
  log(`building ${plan.work.map((work) => `${work.image.name} (${work.reason})`).join(', ')}; ${jobs} at a time`);
  const results = await settleWithLimit(plan.work, jobs, async (work) => {
    const imageLog: ProgressLog = (line) => log(`${work.image.name}: ${line}`);
    if (work.inputs) {
      await buildImage(work.image, work.inputs, imageLog, podman, options.force === true);
    } else {
      await pullRegistryImage(work.image, imageLog, podman);
    }
  });

  const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  if (failures.length > 0) {
    throw buildFailures(failures, plan.work.length);
  }
}

/** Joins the failures of several builds into one error that names every failed image and how to retry. */
function buildFailures(failures: unknown[], attempted: number): EnvironmentError {
  const names = failures.flatMap((failure) => (failure instanceof ImageBuildError ? [failure.image] : []));
  const details = failures.map((failure) => (failure instanceof Error ? failure.message : String(failure)));
  const containerfiles = names.length === 1 ? 'its Containerfile' : 'the Containerfile of each';
  const retry = names.length > 0 ? `\nFix ${containerfiles} (RUN steps reach only the Debian mirror), then run \`gvmatrix images build ${names.map((name) => `--image ${name}`).join(' ')}\`.` : '';
  const count = `${failures.length} of ${attempted} ${attempted === 1 ? 'image' : 'images'}`;
  return new EnvironmentError(`${count} failed to build or pull${names.length > 0 ? `: ${names.join(', ')}` : ''}\n${details.join('\n\n')}${retry}`);
}
