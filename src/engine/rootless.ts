import type { RuntimeInfo } from '../report/types.js';
import { avoidsNetstack } from './netstack.js';
import { EnvironmentError } from './runtimes.js';

/**
 * Returns the runtime with the flags rootless Podman needs. runsc cannot create cgroups
 * as an unprivileged user, so it gets --ignore-cgroups. Its own network stack does not
 * start under rootless Podman either, so the matrix must choose host or none.
 */
export function withRootlessFlags(runtime: RuntimeInfo): RuntimeInfo {
  if (runtime.kind !== 'runsc') {
    return runtime;
  }
  if (!avoidsNetstack(runtime.flags)) {
    throw new EnvironmentError(
      `runtime "${runtime.name}": runsc under rootless Podman needs "--network=host" or "--network=none"; add one of them to its flags`,
    );
  }
  if (runtime.flags.includes('--ignore-cgroups')) {
    return runtime;
  }
  return { ...runtime, flags: [...runtime.flags, '--ignore-cgroups'] };
}
