import type { RuntimeInfo } from '../report/types.js';

/**
 * First runsc release whose netstack starts on Linux 6.x. Older builds decide they run in
 * the root network namespace whenever /proc/sys/net/core/rmem_default exists, and Linux
 * 6.x exposes that file in every namespace, so they refuse to start a networked sandbox.
 */
const NETSTACK_FIXED_RELEASE = 20240731;

/** Returns the release date in a runsc version line (`runsc version 0.0~20221219.0`), if any. */
export function runscReleaseDate(version: string): number | undefined {
  const match = /(\d{8})/.exec(version);
  return match ? Number(match[1]) : undefined;
}

/** Returns true when the flags choose a network mode other than runsc's own netstack. */
export function avoidsNetstack(flags: string[]): boolean {
  return flags.some((flag) => /^--network=(host|none)$/.test(flag));
}

/** The reason a runsc runtime cannot start its containers on this host, and the ways out. */
export interface NetstackProblem {
  problem: string;
  fix: string;
}

/**
 * Returns why this runsc runtime cannot start containers on a Linux 6.x host with its
 * current settings, or undefined when it can: runc, a fixed release, host or none network,
 * or the `netstack: hide-proc-sys-net` workaround.
 */
export function netstackProblem(runtime: RuntimeInfo, kernelRelease: string): NetstackProblem | undefined {
  if (runtime.kind !== 'runsc' || avoidsNetstack(runtime.flags) || runtime.netstack !== undefined) {
    return undefined;
  }
  const released = runscReleaseDate(runtime.version);
  const kernelMajor = Number(/^(\d+)\./.exec(kernelRelease)?.[1] ?? 0);
  if (released === undefined || released >= NETSTACK_FIXED_RELEASE || kernelMajor < 6) {
    return undefined;
  }
  return {
    problem:
      `runtime "${runtime.name}" (runsc ${released}) uses gVisor's netstack, which this build cannot start on Linux ${kernelRelease}: ` +
      'it takes /proc/sys/net/core/rmem_default as the sign of the root network namespace, Linux 6.x has that file in every namespace, ' +
      'so every container fails with "cannot run with network enabled in root network namespace"',
    fix:
      `Choose one for runtime "${runtime.name}": network: host (the flag "--network=host": socket calls go to the host kernel inside the container's network namespace); ` +
      'network: none (loopback only); netstack: hide-proc-sys-net (gVisor\'s netstack, with runsc started through a wrapper that hides /proc/sys/net); ' +
      'or runsc 20240731 or later.',
  };
}
