import { mkdtemp, rm } from 'node:fs/promises';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Matrix } from '../matrix/types.js';
import type { RuntimeInfo } from '../report/types.js';
import { runtimeBinaryForPodman } from '../engine/netstack-wrapper.js';
import { checkResourceCapability } from './doctor/capabilities.js';
import type { DoctorCheck } from './doctor/check.js';
import { checkDiskSpace } from './doctor/disk.js';
import { hostPaths, type HostPaths } from './doctor/host-paths.js';
import { checkPlatforms } from './doctor/platforms.js';
import { checkApiService, checkContainerStart, checkDefaultRuntime, checkPodman } from './doctor/podman-checks.js';
import { checkRootlessPrerequisites } from './doctor/rootless-prerequisites.js';
import { checkNetstack, checkRuntimeApiService, checkRuntimeBinary, checkRuntimeContainer } from './doctor/runtime-checks.js';
import { checkSelinux, hostSelinuxReader, type SelinuxReader } from './doctor/selinux.js';
import { checkUsernsAuto, runWorkers, usernsAutoUses } from './doctor/userns-auto.js';

export type { CheckStatus, DoctorCheck } from './doctor/check.js';
export { formatDoctor } from './doctor/format.js';

export interface DoctorOptions {
  /** Account whose rootless prerequisites are checked. */
  user: string;
  /** Makes a missing rootless prerequisite a failure rather than a warning. */
  rootlessRequired: boolean;
  /** Whether runs use rootless Podman (`engine.rootless` or `run --rootless`), which decides whose ids --userns=auto splits. */
  rootless: boolean;
  /** Playwright workers of a run; default as for `gvmatrix run`: one per runtime, at most one per core. */
  workers?: number;
  paths?: HostPaths;
  selinux?: SelinuxReader;
  kernelRelease?: string;
  /** Hard limit for each probe container, in ms. */
  containerTimeoutMs?: number;
}

async function checkRuntimes(matrix: Matrix, kernelRelease: string, workDir: string): Promise<{ checks: DoctorCheck[]; runtimes: RuntimeInfo[] }> {
  const checks: DoctorCheck[] = [];
  const runtimes: RuntimeInfo[] = [];
  for (const variant of matrix.runtimes) {
    const binary = await checkRuntimeBinary(variant);
    checks.push(binary.check);
    if (!binary.info) continue;

    const info = binary.info;
    runtimes.push(info);
    const network = checkNetstack(info, kernelRelease);
    if (network) checks.push(network);
    if (network?.status === 'fail') continue;

    const runtimeBinary = await runtimeBinaryForPodman(info, join(workDir, 'runtimes'));
    checks.push(await checkRuntimeApiService(info, runtimeBinary, workDir));
    checks.push(await checkRuntimeContainer(info, runtimeBinary));
  }
  return { checks, runtimes };
}

/**
 * Runs every check of this host, in the order a problem blocks the next: podman, its
 * rlimits and default runtime, SELinux, each runtime of the matrix, runsc's platforms,
 * the id ranges of `userns: auto`, rootless prerequisites and disk space. The matrix is optional, so doctor helps before a matrix
 * file exists.
 */
export async function runDoctor(matrix: Matrix | undefined, options: DoctorOptions): Promise<DoctorCheck[]> {
  const paths = options.paths ?? hostPaths();
  const kernelRelease = options.kernelRelease ?? release();

  const checks: DoctorCheck[] = [await checkPodman()];
  if (checks[0]?.status === 'fail') {
    return checks;
  }
  checks.push(await checkResourceCapability(paths));
  checks.push(await checkDefaultRuntime());
  checks.push(await checkContainerStart());
  const runscRuntimes = matrix?.runtimes.filter((variant) => variant.kind === 'runsc').map((variant) => variant.name);
  checks.push(await checkSelinux(options.selinux ?? hostSelinuxReader(paths), runscRuntimes));

  if (matrix) {
    const workDir = await mkdtemp(join(tmpdir(), 'gvmatrix-doctor-'));
    try {
      const { checks: runtimeChecks, runtimes } = await checkRuntimes(matrix, kernelRelease, workDir);
      checks.push(...runtimeChecks);
      checks.push(...(await checkPlatforms(runtimes, options.containerTimeoutMs)));
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
    const workers = runWorkers(options.workers, matrix.runtimes.length);
    const uses = usernsAutoUses(matrix.images, matrix.runtimes);
    checks.push(...(await checkUsernsAuto(uses, { rootless: options.rootless, user: options.user, workers }, paths)));
  } else {
    checks.push(await checkApiService());
  }

  checks.push(...(await checkRootlessPrerequisites(options.user, paths, options.rootlessRequired ? 'fail' : 'warn')));
  checks.push(await checkDiskSpace());
  return checks;
}
