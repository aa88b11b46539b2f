import { statfs } from 'node:fs/promises';
import { currentPodman, runPodman, type Podman } from '../../engine/podman.js';
import { errorText, type CheckStatus, type DoctorCheck } from './check.js';

const GIB = 1024 ** 3;

/**
 * Thresholds for free space under the graph root, estimates: each shipped image is
 * 170-720 MB as `podman images` lists it, and every rebuild adds layers until pruned.
 */
export const DISK_FAIL_BYTES = 2 * GIB;
export const DISK_WARN_BYTES = 10 * GIB;

export function diskStatus(freeBytes: number): CheckStatus {
  if (freeBytes < DISK_FAIL_BYTES) return 'fail';
  if (freeBytes < DISK_WARN_BYTES) return 'warn';
  return 'ok';
}

function gibibytes(bytes: number): string {
  return `${(bytes / GIB).toFixed(1)} GiB`;
}

/** Checks the free space of the file system under podman's graph root, where images live. */
export async function checkDiskSpace(podman: Podman = currentPodman(), graphRoot?: string): Promise<DoctorCheck> {
  const name = 'free disk for images';
  let root = graphRoot;
  let freeBytes: number;
  try {
    root ??= (await runPodman(podman, ['info', '--format', '{{.Store.GraphRoot}}'], { timeoutMs: 30_000 })).stdout.trim();
    const stats = await statfs(root);
    freeBytes = stats.bavail * stats.bsize;
  } catch (error) {
    return { name, status: 'warn', detail: `cannot measure the free space of podman's graph root: ${errorText(error)}`, fix: 'run `podman info` and `df -h` on its Store.GraphRoot' };
  }

  const status = diskStatus(freeBytes);
  const detail = `${gibibytes(freeBytes)} free under ${root}`;
  if (status === 'ok') {
    return { name, status, detail };
  }
  return {
    name,
    status,
    detail: `${detail}; image builds need ${status === 'fail' ? `at least ${gibibytes(DISK_FAIL_BYTES)}` : `${gibibytes(DISK_WARN_BYTES)} to be safe`}`,
    fix: `free space on that file system: \`podman image prune\` removes dangling images and \`podman system prune\` stopped containers too`,
  };
}
