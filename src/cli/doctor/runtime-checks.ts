import { flagValue } from '../../matrix/runsc-options.js';
import type { RuntimeVariant } from '../../matrix/types.js';
import type { RuntimeInfo } from '../../report/types.js';
import { endpointRuntimeFlags, startEndpoint } from '../../engine/endpoint.js';
import { BASE_IMAGE, imageExists } from '../../engine/images.js';
import { netstackProblem } from '../../engine/netstack.js';
import { currentPodman, type Podman } from '../../engine/podman.js';
import { runProbeContainer } from '../../engine/probe-container.js';
import { probeRuntime } from '../../engine/runtimes.js';
import { failedCheck, type DoctorCheck } from './check.js';
import { CONTAINER_TIMEOUT_MS } from './podman-checks.js';

/** A runtime's binary check, with what the probe found when the binary runs. */
export interface RuntimeBinaryCheck {
  check: DoctorCheck;
  info?: RuntimeInfo;
}

/** Checks that the runtime's binary exists, prints its version and accepts the matrix's flags. */
export async function checkRuntimeBinary(variant: RuntimeVariant): Promise<RuntimeBinaryCheck> {
  const name = `runtime ${variant.name}`;
  try {
    const info = await probeRuntime(variant);
    const flags = info.flags.length > 0 ? `, flags ${info.flags.join(' ')} accepted` : '';
    return { check: { name, status: 'ok', detail: `${info.path}: ${info.version}${flags}` }, info };
  } catch (error) {
    return { check: failedCheck(name, error, `install the runtime, or fix oci: and flags: of runtime "${variant.name}" in the matrix`) };
  }
}

/** Checks that a runsc runtime's network mode can start on this kernel. */
export function checkNetstack(info: RuntimeInfo, kernelRelease: string): DoctorCheck | undefined {
  if (info.kind !== 'runsc') {
    return undefined;
  }
  const name = `runtime ${info.name} network`;
  const problem = netstackProblem(info, kernelRelease);
  if (problem) {
    return { name, status: 'fail', detail: problem.problem, fix: problem.fix };
  }
  const network = flagValue(info.flags, '--network') ?? 'sandbox';
  const mode = info.netstack ? `${network} through the ${info.netstack} wrapper` : network;
  return { name, status: 'ok', detail: `--network=${mode} can start on Linux ${kernelRelease}` };
}

/** Starts this runtime's API service on a socket in `socketDir` and stops it again. */
export async function checkRuntimeApiService(info: RuntimeInfo, runtimeBinary: string, socketDir: string, podman: Podman = currentPodman()): Promise<DoctorCheck> {
  const name = `API service for ${info.name}`;
  try {
    const endpoint = await startEndpoint({ runtime: info, socketDir, runtimeBinary, podman, startTimeoutMs: 20_000 });
    await endpoint.stop();
    return { name, status: 'ok', detail: 'podman system service started and answered /_ping' };
  } catch (error) {
    return failedCheck(name, error, `check that podman can run this runtime: \`podman --runtime ${runtimeBinary} run --rm ${BASE_IMAGE} true\``);
  }
}

/**
 * Starts a container of the base image through the runtime with all its flags, as the
 * API service would. A flag that runsc accepts on its command line but rejects when it
 * creates a container (an unknown platform, say) shows up here.
 */
export async function checkRuntimeContainer(info: RuntimeInfo, runtimeBinary: string, podman: Podman = currentPodman()): Promise<DoctorCheck> {
  const name = `runtime ${info.name} starts a container`;
  if (!(await imageExists(BASE_IMAGE, podman).catch(() => false))) {
    return { name, status: 'warn', detail: `${BASE_IMAGE} is missing, so no container was started`, fix: 'run `gvmatrix images build`' };
  }

  const runtimeFlags = endpointRuntimeFlags(info);
  const result = await runProbeContainer({ image: BASE_IMAGE, command: ['true'], timeoutMs: CONTAINER_TIMEOUT_MS, runtimeBinary, runtimeFlags, podman });
  const command = `podman --runtime ${runtimeBinary}${runtimeFlags.map((flag) => ` --runtime-flag ${flag}`).join('')} run --rm ${BASE_IMAGE} true`;
  if (result.outcome === 'exited-0') {
    return { name, status: 'ok', detail: `${command} exited 0` };
  }
  const killed = result.killedProcesses > 0 ? ` (${result.killedProcesses} leftover processes killed)` : '';
  return {
    name,
    status: 'fail',
    detail: `\`${command}\` ${result.outcome === 'timed-out' ? result.reason : `failed: ${result.reason}`}${killed}`,
    fix: `every test container of runtime "${info.name}" would fail the same way: fix its flags:, platform: or network: in the matrix, or the runtime binary`,
  };
}
