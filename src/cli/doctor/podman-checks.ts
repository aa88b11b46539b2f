import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { pingSocket } from '../../engine/endpoint.js';
import { BASE_IMAGE, imageExists } from '../../engine/images.js';
import { currentPodman, podmanCommandLine, runPodman, type Podman } from '../../engine/podman.js';
import { runProbeContainer } from '../../engine/probe-container.js';
import { errorText, type DoctorCheck } from './check.js';

/** Hard limit for a probe container to start and exit. */
export const CONTAINER_TIMEOUT_MS = 20_000;

export async function checkPodman(podman: Podman = currentPodman()): Promise<DoctorCheck> {
  try {
    const { stdout } = await runPodman(podman, ['--version'], { timeoutMs: 15_000 });
    return { name: 'podman', status: 'ok', detail: stdout };
  } catch (error) {
    return {
      name: 'podman',
      status: 'fail',
      detail: errorText(error),
      fix: 'install Podman: `apt-get install podman runc uidmap slirp4netns fuse-overlayfs catatonit`, or run scripts/setup.sh',
    };
  }
}

export async function checkDefaultRuntime(podman: Podman = currentPodman()): Promise<DoctorCheck> {
  const name = 'default OCI runtime';
  try {
    const { stdout } = await runPodman(podman, ['info', '--format', '{{.Host.OCIRuntime.Name}} {{.Host.CgroupsVersion}}'], { timeoutMs: 30_000 });
    const [runtime, cgroups] = stdout.split(' ');
    if (runtime === 'crun' && cgroups === 'v1') {
      return {
        name,
        status: 'fail',
        detail: 'podman defaults to crun on a cgroup v1 host, where crun fails ("cgroups in hybrid mode not supported")',
        fix: 'set `runtime = "runc"` under [engine] in /etc/containers/containers.conf.d/50-gvmatrix.conf (scripts/setup.sh writes it)',
      };
    }
    return { name, status: 'ok', detail: `${runtime} on cgroups ${cgroups}` };
  } catch (error) {
    return { name, status: 'fail', detail: errorText(error), fix: 'run `podman info` and fix what it reports' };
  }
}

/**
 * Starts `podman system service` with podman's default runtime on a temporary socket and
 * waits for /_ping. Used when there is no matrix; with one, each runtime gets its own check.
 */
export async function checkApiService(podman: Podman = currentPodman(), timeoutMs = 20_000): Promise<DoctorCheck> {
  const name = 'API service';
  const dir = await mkdtemp(join(tmpdir(), 'gvmatrix-doctor-'));
  const socket = join(dir, 'podman.sock');
  const line = podmanCommandLine(podman, ['system', 'service', '--time=0', `unix://${socket}`]);
  const service = execa(line.file, line.args, { reject: false, stdin: 'ignore', cleanup: true });

  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && service.exitCode === null) {
      if (await pingSocket(socket)) {
        return { name, status: 'ok', detail: 'podman system service started and answered /_ping' };
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    service.kill('SIGTERM');
    const result = await service;
    return {
      name,
      status: 'fail',
      detail: `\`${line.file} ${line.args.join(' ')}\` did not respond to /_ping within ${timeoutMs / 1000} s; stderr: ${String(result.stderr).trim().split('\n').slice(-5).join('\n') || '(empty)'}`,
      fix: 'run the command above by hand and fix what it reports; the socket folder must exist and be writable',
    };
  } finally {
    if (service.exitCode === null) {
      service.kill('SIGTERM');
      await service;
    }
    await rm(dir, { recursive: true, force: true });
  }
}

/** Returns true when podman's error reports that an rlimit could not be set. */
export function isRlimitFailure(text: string): boolean {
  return /rlimit/i.test(text) && /not permitted|permission denied/i.test(text);
}

export interface ContainerStartOptions {
  /** `--ulimit` values for the container, such as `nofile=1048576:1048576`; containers.conf's default_ulimits when empty. */
  ulimits?: string[];
  podman?: Podman;
}

/**
 * Starts a container of the base image under podman's default runtime with the configured
 * rlimits (or `ulimits`), as every test container starts.
 */
export async function checkContainerStart(options: ContainerStartOptions = {}): Promise<DoctorCheck> {
  const podman = options.podman ?? currentPodman();
  const ulimits = options.ulimits ?? [];
  const name = ulimits.length > 0 ? `container start with --ulimit ${ulimits.join(' ')}` : 'container start with default limits';
  if (!(await imageExists(BASE_IMAGE, podman).catch(() => false))) {
    return { name, status: 'warn', detail: `${BASE_IMAGE} is missing, so no container was started`, fix: 'run `gvmatrix images build`' };
  }

  const result = await runProbeContainer({
    image: BASE_IMAGE,
    command: ['true'],
    timeoutMs: CONTAINER_TIMEOUT_MS,
    createOptions: ['--network=none', ...ulimits.map((ulimit) => `--ulimit=${ulimit}`)],
    podman,
  });
  if (result.outcome === 'exited-0') {
    return { name, status: 'ok', detail: `podman run ${BASE_IMAGE} true exited 0` };
  }
  return {
    name,
    status: 'fail',
    detail: result.message,
    fix: isRlimitFailure(result.message)
      ? 'podman could not set an rlimit because this process lacks CAP_SYS_RESOURCE (see that check), so no limit may exceed its hard limit: ' +
        'set `default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]` under [containers] in /etc/containers/containers.conf.d/50-gvmatrix.conf ' +
        '(scripts/setup.sh writes it), and keep every --ulimit at or below the hard limits'
      : 'read the error above; `gvmatrix run` starts containers the same way',
  };
}
