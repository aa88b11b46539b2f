import { readFile } from 'node:fs/promises';
import type { DoctorCheck } from './check.js';
import type { HostPaths } from './host-paths.js';

/** Bit of CAP_SYS_RESOURCE in a capability set (linux/capability.h). */
export const CAP_SYS_RESOURCE = 24;

/** Returns the effective capability set from /proc/PID/status text, or undefined without a CapEff line. */
export function parseEffectiveCapabilities(status: string): bigint | undefined {
  const match = /^CapEff:\s*([0-9a-fA-F]+)\s*$/m.exec(status);
  return match ? BigInt(`0x${match[1]}`) : undefined;
}

export function hasCapability(capabilities: bigint, bit: number): boolean {
  return ((capabilities >> BigInt(bit)) & 1n) === 1n;
}

/** Hard limits of the rlimits that container configurations set, as /proc/PID/limits lists them. */
export interface HardLimits {
  nofile?: string;
  nproc?: string;
}

/** Reads the hard limits for open files and processes from /proc/PID/limits text. */
export function parseHardLimits(limits: string): HardLimits {
  const hard = (label: string): string | undefined => {
    const match = new RegExp(`^${label}\\s+(\\S+)\\s+(\\S+)`, 'm').exec(limits);
    return match?.[2];
  };
  return { nofile: hard('Max open files'), nproc: hard('Max processes') };
}

/**
 * Checks whether this process has CAP_SYS_RESOURCE. Without it no container can get an
 * rlimit above the hard limits of the process that starts it, so podman's defaults
 * (nofile 1048576) fail at container start.
 */
export async function checkResourceCapability(paths: HostPaths): Promise<DoctorCheck> {
  const name = 'CAP_SYS_RESOURCE';
  let status: string;
  try {
    status = await readFile(paths.procStatus, 'utf8');
  } catch (error) {
    return { name, status: 'warn', detail: `cannot read ${paths.procStatus}: ${(error as Error).message}`, fix: 'run doctor on a Linux host with /proc mounted' };
  }

  const capabilities = parseEffectiveCapabilities(status);
  if (capabilities === undefined) {
    return { name, status: 'warn', detail: `${paths.procStatus} has no CapEff line`, fix: 'run doctor on a Linux host with /proc mounted' };
  }
  const capEff = capabilities.toString(16).padStart(16, '0');
  if (hasCapability(capabilities, CAP_SYS_RESOURCE)) {
    return { name, status: 'ok', detail: `in the effective set (CapEff ${capEff}), so podman can raise container rlimits` };
  }

  const limits = parseHardLimits(await readFile(paths.procLimits, 'utf8').catch(() => ''));
  const hard = `nofile ${limits.nofile ?? 'unknown'}, nproc ${limits.nproc ?? 'unknown'}`;
  return {
    name,
    status: 'warn',
    detail:
      `missing from the effective set (CapEff ${capEff}), so a container cannot get an rlimit above this process's hard limits (${hard}); ` +
      'podman\'s built-in defaults (nofile 1048576) fail at container start',
    fix:
      `keep default_ulimits in containers.conf and every --ulimit at or below ${hard}; ` +
      'scripts/setup.sh sets default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"] in /etc/containers/containers.conf.d/50-gvmatrix.conf',
  };
}
