import { chown, cp, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { MountSpec } from '../matrix/types.js';
import type { RuntimeEndpoint } from './context.js';

/** A failed try keeps its mount directories for reading only when they hold at most this many bytes. */
export const MAX_KEPT_MOUNT_BYTES = 1024 * 1024;

/** The host directories of one test try's mounts, by mount name. */
export interface MountDirectories {
  /** Folder with one directory per fresh mount, removed after the try unless kept. */
  root: string;
  /** Host path of each mount, by name: a fresh directory, or a host source as written. */
  paths: Map<string, string>;
}

/** Returns a folder name for a test title: lower case, letters, digits and dashes. */
export function folderName(title: string): string {
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return slug.slice(0, 60) || 'test';
}

/**
 * Prepares the host side of an image's mounts for one try of a test under one runtime:
 * RUN_DIR/mounts/RUNTIME/IMAGE/TEST-tryN/MOUNT, a copy of the repository folder or an empty
 * directory. Under a rootless user's Podman the directories are given to that user, so its
 * Podman can mount and re-own them.
 */
export async function prepareMountDirectories(
  mounts: readonly MountSpec[],
  runDir: string,
  endpoint: Pick<RuntimeEndpoint, 'name' | 'podmanUser'>,
  imageName: string,
  testTitle: string,
  retry: number,
): Promise<MountDirectories> {
  const root = join(runDir, 'mounts', endpoint.name, imageName, `${folderName(testTitle)}-try${retry + 1}`);
  const paths = new Map<string, string>();
  // A try that ran before under the same title left nothing, unless it was kept; start clean either way.
  await rm(root, { recursive: true, force: true });

  for (const mount of mounts) {
    if (mount.source.kind === 'host') {
      paths.set(mount.name, mount.source.path);
      continue;
    }

    const dir = join(root, mount.name);
    if (mount.source.kind === 'repository') {
      await cp(mount.source.path, dir, { recursive: true, preserveTimestamps: true });
    } else {
      await mkdir(dir, { recursive: true });
    }
    paths.set(mount.name, dir);
  }

  // NOTE: the rootless user must also be able to enter the folders above RUN_DIR; under a
  // 0700 reports folder (such as one from mkdtemp) its Podman fails to mount these directories.
  const hasFreshDirectory = mounts.some((mount) => mount.source.kind !== 'host');
  if (endpoint.podmanUser && hasFreshDirectory) {
    const { uid, gid } = endpoint.podmanUser;
    // The folders above the try's own are shared with parallel tries, so only they themselves change owner.
    for (const folder of [join(runDir, 'mounts'), join(runDir, 'mounts', endpoint.name), join(runDir, 'mounts', endpoint.name, imageName)]) {
      await chown(folder, uid, gid);
    }
    await chownTree(root, uid, gid);
  }
  return { root, paths };
}

/**
 * Returns the `source:target:options` bind of a mount for HostConfig.Binds. Fresh
 * directories get Podman's `U` option, which gives them to the container's root under
 * whatever user namespace the container has, as a volume would be. A host source keeps
 * its owner, because Podman would re-own the host's files.
 */
export function bindFor(mount: MountSpec, hostPath: string): string {
  const options = mount.source.kind === 'host' ? mount.mode : `${mount.mode},U`;
  return `${hostPath}:${mount.target}:${options}`;
}

/**
 * Removes a try's mount directories, or keeps them for reading when the try failed and
 * they are small. Returns the kept folder, or undefined when it was removed.
 */
export async function releaseMountDirectories(directories: MountDirectories, failed: boolean): Promise<string | undefined> {
  if (failed && (await treeSize(directories.root)) <= MAX_KEPT_MOUNT_BYTES) {
    return directories.root;
  }
  await rm(directories.root, { recursive: true, force: true });
  return undefined;
}

async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await chown(path, uid, gid);
  const entries = await readdir(path, { withFileTypes: true });
  for (const entry of entries) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) await chownTree(child, uid, gid);
    else await chown(child, uid, gid);
  }
}

async function treeSize(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) return 0;
  if (!info.isDirectory()) return info.size;

  let total = 0;
  for (const entry of await readdir(path)) {
    total += await treeSize(join(path, entry));
  }
  return total;
}
