import { mkdtemp, rm } from 'node:fs/promises';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Matrix } from '../matrix/types.js';
import { runCommand } from '../engine/command.js';
import { startEndpoint } from '../engine/endpoint.js';
import { BASE_IMAGE, imageExists } from '../engine/images.js';
import { probeRuntime } from '../engine/runtimes.js';
import { netstackProblem } from '../engine/netstack.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One finding of `gvmatrix doctor`: what was checked, what was seen, and the fix. */
export interface DoctorCheck {
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function checkPodman(): Promise<DoctorCheck> {
  try {
    const { stdout } = await runCommand('podman', ['--version'], { timeoutMs: 15_000 });
    return { name: 'podman', status: 'ok', detail: stdout };
  } catch (error) {
    return { name: 'podman', status: 'fail', detail: errorText(error), fix: 'install Podman: `apt-get install podman runc uidmap slirp4netns fuse-overlayfs catatonit`, or run scripts/setup.sh' };
  }
}

async function checkDefaultRuntime(): Promise<DoctorCheck> {
  try {
    const { stdout } = await runCommand('podman', ['info', '--format', '{{.Host.OCIRuntime.Name}} {{.Host.CgroupsVersion}}'], { timeoutMs: 30_000 });
    const [runtime, cgroups] = stdout.split(' ');
    if (runtime === 'crun' && cgroups === 'v1') {
      return {
        name: 'default OCI runtime',
        status: 'fail',
        detail: 'podman defaults to crun on a cgroup v1 host, where crun fails ("cgroups in hybrid mode not supported")',
        fix: 'set `runtime = "runc"` under [engine] in /etc/containers/containers.conf.d/50-gvmatrix.conf (scripts/setup.sh writes it)',
      };
    }
    return { name: 'default OCI runtime', status: 'ok', detail: `${runtime} on cgroups ${cgroups}` };
  } catch (error) {
    return { name: 'default OCI runtime', status: 'fail', detail: errorText(error), fix: 'run `podman info` and fix what it reports' };
  }
}

async function checkContainerStart(): Promise<DoctorCheck> {
  const name = 'container start with default limits';
  if (!(await imageExists(BASE_IMAGE).catch(() => false))) {
    return { name, status: 'warn', detail: `${BASE_IMAGE} is missing, so no container was started`, fix: 'run `gvmatrix images build`' };
  }
  try {
    await runCommand('podman', ['run', '--rm', '--network=none', BASE_IMAGE, 'true'], { timeoutMs: 60_000 });
    return { name, status: 'ok', detail: `podman run ${BASE_IMAGE} true exited 0` };
  } catch (error) {
    const text = errorText(error);
    const rlimit = /setrlimit/i.test(text);
    return {
      name,
      status: 'fail',
      detail: text,
      fix: rlimit
        ? 'this root lacks CAP_SYS_RESOURCE, so podman cannot set its default rlimits: set `default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]` under [containers] in /etc/containers/containers.conf.d/50-gvmatrix.conf (scripts/setup.sh writes it)'
        : 'read the error above; `gvmatrix run` starts containers the same way',
    };
  }
}

async function checkRuntime(matrix: Matrix, name: string): Promise<DoctorCheck[]> {
  const variant = matrix.runtimes.find((runtime) => runtime.name === name);
  if (!variant) {
    return [];
  }
  const checks: DoctorCheck[] = [];
  let info;
  try {
    info = await probeRuntime(variant);
    checks.push({ name: `runtime ${name}`, status: 'ok', detail: `${info.path}: ${info.version}` });
  } catch (error) {
    return [{ name: `runtime ${name}`, status: 'fail', detail: errorText(error), fix: 'install the runtime or fix `oci:` in the matrix' }];
  }

  const problem = netstackProblem(info, release());
  if (problem) {
    checks.push({ name: `runtime ${name} network`, status: 'fail', detail: problem, fix: `add "--network=host" to the flags of runtime ${name}` });
  }

  const dir = await mkdtemp(join(tmpdir(), 'gvmatrix-doctor-'));
  try {
    const endpoint = await startEndpoint({ runtime: info, socketDir: dir, startTimeoutMs: 20_000 });
    await endpoint.stop();
    checks.push({ name: `API service for ${name}`, status: 'ok', detail: 'podman system service started and answered /_ping' });
  } catch (error) {
    checks.push({ name: `API service for ${name}`, status: 'fail', detail: errorText(error), fix: 'check that podman can run this runtime: `podman --runtime PATH run --rm IMAGE true`' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return checks;
}

/** Runs every check; the matrix is optional, so doctor helps before a matrix file exists. */
export async function runDoctor(matrix: Matrix | undefined): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [await checkPodman()];
  if (checks[0]?.status === 'fail') {
    return checks;
  }
  checks.push(await checkDefaultRuntime());
  checks.push(await checkContainerStart());
  for (const runtime of matrix?.runtimes ?? []) {
    checks.push(...(await checkRuntime(matrix!, runtime.name)));
  }
  return checks;
}

/** Formats the checks for a terminal: one line each, the fix indented below a problem. */
export function formatDoctor(checks: DoctorCheck[]): string {
  const lines: string[] = [];
  for (const check of checks) {
    lines.push(`${check.status.toUpperCase().padEnd(4)}  ${check.name}: ${check.detail.split('\n')[0]}`);
    if (check.status !== 'ok' && check.detail.includes('\n')) {
      lines.push(...check.detail.split('\n').slice(1).map((line) => `      ${line}`));
    }
    if (check.fix && check.status !== 'ok') {
      lines.push(`      fix: ${check.fix}`);
    }
  }
  return lines.join('\n');
}
