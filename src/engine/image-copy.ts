import { execa } from 'execa';
import { CommandError } from './command.js';
import { podmanCommandLine, runPodman, type Podman } from './podman.js';
import type { ProgressLog } from './images.js';
import { inspectImages } from './image-cache.js';

const COPY_TIMEOUT_MS = 10 * 60_000;

/**
 * Copies images from one store to another (`podman save | podman load`), skipping those
 * the target has with the same image id. Rootless Podman keeps its own store, so images
 * built once as root are copied to the rootless user instead of being built again. The
 * image ids of both stores come from one `podman image inspect` each.
 */
export async function copyImages(refs: string[], from: Podman, to: Podman, log: ProgressLog): Promise<void> {
  const sources = await inspectImages(refs, from);
  const targets = await inspectImages(refs, to);
  for (const ref of refs) {
    const sourceId = sources.get(ref)?.id;
    if (!sourceId) {
      throw new CommandError(`podman image inspect ${ref}`, 125, undefined, false, '', `image ${ref} is not in the source store`, 'build it first with `gvmatrix images build`');
    }
    if (targets.get(ref)?.id !== sourceId) {
      await transferImage(ref, sourceId, from, to, log);
    }
  }
}

async function transferImage(ref: string, sourceId: string, from: Podman, to: Podman, log: ProgressLog): Promise<void> {
  log(`copying ${ref} to ${to.user?.name ?? 'the rootless'} store`);
  const save = podmanCommandLine(from, ['save', ref]);
  const load = podmanCommandLine(to, ['load', '--quiet']);
  const result = await execa(save.file, save.args, { timeout: COPY_TIMEOUT_MS, buffer: false, reject: false })
    .pipe(load.file, load.args, { timeout: COPY_TIMEOUT_MS, reject: false });
  if (result.failed) {
    throw new CommandError(`${save.file} ${save.args.join(' ')} | ${load.file} ${load.args.join(' ')}`, result.exitCode, result.signal ?? undefined, result.timedOut, String(result.stdout ?? ''), String(result.stderr ?? ''));
  }

  // Tag by id in case the archive's name did not survive the load.
  if ((await inspectImages([ref], to)).get(ref)?.id !== sourceId) {
    await runPodman(to, ['tag', sourceId, ref], { timeoutMs: 30_000 });
  }
}
