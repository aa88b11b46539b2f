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

/**
 * Returns why this runsc runtime cannot start containers on a Linux 6.x host with its
 * current flags, or undefined when it can (runc, a fixed release, or host/none network).
 */
export function netstackProblem(runtime: RuntimeInfo, kernelRelease: string): string | undefined {
  if (runtime.kind !== 'runsc' || avoidsNetstack(runtime.flags)) {
    return undefined;
  }
  const released = runscReleaseDate(runtime.version);
  const kernelMajor = Number(/^(\d+)\./.exec(kernelRelease)?.[1] ?? 0);
  if (released === undefined || released >= NETSTACK_FIXED_RELEASE || kernelMajor < 6) {
    return undefined;
  }
  return (
    `runtime "${runtime.name}" (runsc ${released}) uses gVisor's netstack, which fails on Linux ${kernelRelease} ` +
    `with "cannot run with network enabled in root network namespace" because /proc/sys/net/core/rmem_default exists in every network namespace there. ` +
    `Add "--network=host" (or "--network=none") to its flags, or use runsc 20240731 or later.`
  );
}
