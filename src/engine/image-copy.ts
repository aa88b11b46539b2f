import { execa } from 'execa';
import type { ImageSpec } from '../matrix/types.js';
import { CommandError } from './command.js';
import { podmanCommandLine, runPodman, type Podman } from './podman.js';
import type { ProgressLog } from './images.js';

const COPY_TIMEOUT_MS = 10 * 60_000;

async function imageId(podman: Podman, ref: string): Promise<string | undefined> {
  try {
    const { stdout } = await runPodman(podman, ['image', 'inspect', '--format', '{{.Id}}', ref], { timeoutMs: 30_000 });
    return stdout.trim() || undefined;
  } catch (error) {
    if (error instanceof CommandError) {
      return undefined;
    }
    throw error;
  }
}

/**
 * Copies one image from one store to another (`podman save | podman load`) unless the
 * target already has the same image id. Rootless Podman keeps its own store, so images
 * built once as root are copied to the rootless user instead of being built again.
 */
export async function copyImage(ref: string, from: Podman, to: Podman, log: ProgressLog): Promise<void> {
  const sourceId = await imageId(from, ref);
  if (!sourceId) {
    throw new CommandError(`podman image inspect ${ref}`, 125, undefined, false, '', `image ${ref} is not in the source store`, 'build it first with `gvmatrix images build`');
  }
  if ((await imageId(to, ref)) === sourceId) {
    return;
  }

  log(`copying ${ref} to ${to.user?.name ?? 'the rootless'} store`);
  const save = podmanCommandLine(from, ['save', ref]);
  const load = podmanCommandLine(to, ['load', '--quiet']);
  const result = await execa(save.file, save.args, { timeout: COPY_TIMEOUT_MS, buffer: false, reject: false })
    .pipe(load.file, load.args, { timeout: COPY_TIMEOUT_MS, reject: false });
  if (result.failed) {
    throw new CommandError(`${save.file} ${save.args.join(' ')} | ${load.file} ${load.args.join(' ')}`, result.exitCode, result.signal ?? undefined, result.timedOut, String(result.stdout ?? ''), String(result.stderr ?? ''));
  }

  // Tag by id in case the archive's name did not survive the load.
  if ((await imageId(to, ref)) !== sourceId) {
    await runPodman(to, ['tag', sourceId, ref], { timeoutMs: 30_000 });
  }
}

/** Copies the images of a run into the rootless user's store. */
export async function copyImages(images: ImageSpec[], from: Podman, to: Podman, log: ProgressLog): Promise<void> {
  for (const image of images) {
    await copyImage(image.ref, from, to, log);
  }
}
