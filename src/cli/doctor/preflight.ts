import { release } from 'node:os';
import type { RuntimeVariant } from '../../matrix/types.js';
import type { RuntimeInfo } from '../../report/types.js';
import { currentPodman, type Podman } from '../../engine/podman.js';
import { EnvironmentError } from '../../engine/runtimes.js';
import type { DoctorCheck } from './check.js';
import { formatFailures } from './format.js';
import { checkPodman } from './podman-checks.js';
import { hostPaths } from './host-paths.js';
import { checkNetstack, checkRuntimeBinary } from './runtime-checks.js';
import { checkUsernsAuto, type UsernsAutoPlan, type UsernsAutoUse } from './userns-auto.js';

/** The containers of a run that start with `userns: auto`, and how the run starts them. */
export interface PreflightUsernsAuto {
  uses: UsernsAutoUse[];
  plan: UsernsAutoPlan;
}

/**
 * Runs the doctor checks that take seconds, before a run builds images or starts
 * anything: podman runs, each runtime's binary runs and accepts its flags, and no runsc
 * runtime depends on a netstack this kernel rejects. When containers use `userns: auto`,
 * their owner must have at least the smallest automatic range for each worker. Without
 * these checks every container of a broken runtime would fail and read as a behaviour
 * difference.
 * Returns the probed runtimes; throws EnvironmentError listing every failed check.
 */
export async function runPreflight(
  variants: RuntimeVariant[],
  podman: Podman = currentPodman(),
  kernelRelease = release(),
  usernsAuto?: PreflightUsernsAuto,
): Promise<RuntimeInfo[]> {
  const failures: DoctorCheck[] = [];
  const podmanCheck = await checkPodman(podman);
  if (podmanCheck.status === 'fail') {
    failures.push(podmanCheck);
  }

  const runtimes: RuntimeInfo[] = [];
  for (const variant of variants) {
    const { check, info } = await checkRuntimeBinary(variant);
    if (!info) {
      failures.push(check);
      continue;
    }
    runtimes.push(info);
    const network = checkNetstack(info, kernelRelease);
    if (network?.status === 'fail') {
      failures.push(network);
    }
  }

  if (usernsAuto) {
    const checks = await checkUsernsAuto(usernsAuto.uses, usernsAuto.plan, hostPaths());
    failures.push(...checks.filter((check) => check.status === 'fail'));
  }

  if (failures.length > 0) {
    throw new EnvironmentError(
      `this host cannot run the matrix:\n${formatFailures(failures)}`,
      'Run `gvmatrix doctor` for every check of this host.',
    );
  }
  return runtimes;
}
