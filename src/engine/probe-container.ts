import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CommandError, runCommand } from './command.js';
import { currentPodman, runPodman, type Podman } from './podman.js';

/** Label on every probe container, so a leftover one can be found with `podman ps --filter`. */
export const PROBE_LABEL = 'gvmatrix.probe';

export interface ProbeContainerOptions {
  image: string;
  command: string[];
  /** Hard limit for the container to start and exit, in ms. */
  timeoutMs: number;
  /** The binary podman runs as the OCI runtime; podman's default runtime when unset. */
  runtimeBinary?: string;
  /** Runtime flags in the form `podman --runtime-flag` takes, without dashes (`network=none`). */
  runtimeFlags?: string[];
  /** Options for `podman create`, such as `--network=none` or `--ulimit=nofile=N:N`. */
  createOptions?: string[];
  podman?: Podman;
}

/** The outcome of a probe container. */
export interface ProbeResult {
  /** `exited-0`: the command ran and exited 0; `failed`: podman, the runtime or the command failed. */
  outcome: 'exited-0' | 'failed' | 'timed-out';
  /** Id of the probe container, which no longer exists; empty when `podman create` failed. */
  containerId: string;
  /** Error text with the end of podman's stderr, for `failed` and `timed-out`. */
  message: string;
  /** The line of the whole output that names the cause of a failure; empty after `exited-0`. */
  reason: string;
  /** Processes of the container that were still running after podman removed it, and were killed. */
  killedProcesses: number;
}

/**
 * Creates a container, runs it to its end within the hard timeout, and removes it.
 * A runtime that hangs, such as runsc on a platform the host lacks, is cut off at the
 * timeout. The container is then force-removed, and every process whose command line
 * names the container id (conmon, runsc, its gofer and sandbox) is killed, so nothing of
 * the probe keeps running.
 */
export async function runProbeContainer(options: ProbeContainerOptions): Promise<ProbeResult> {
  const podman = options.podman ?? currentPodman();
  const runtimeArgs = globalRuntimeArgs(options);

  let id: string;
  try {
    const created = await runPodman(
      podman,
      [...runtimeArgs, 'create', '--label', `${PROBE_LABEL}=true`, ...(options.createOptions ?? []), options.image, ...options.command],
      { timeoutMs: 60_000 },
    );
    id = created.stdout.trim().split('\n').at(-1) ?? '';
  } catch (error) {
    return { outcome: 'failed', containerId: '', message: errorText(error), reason: failureReason(error), killedProcesses: 0 };
  }

  let result: ProbeResult;
  try {
    await runPodman(podman, [...runtimeArgs, 'start', '--attach', id], { timeoutMs: options.timeoutMs });
    result = { outcome: 'exited-0', containerId: id, message: '', reason: '', killedProcesses: 0 };
  } catch (error) {
    const timedOut = error instanceof CommandError && error.timedOut;
    if (timedOut) {
      const message = `the container did not exit within ${options.timeoutMs / 1000} s`;
      result = { outcome: 'timed-out', containerId: id, message, reason: message, killedProcesses: 0 };
    } else {
      result = { outcome: 'failed', containerId: id, message: errorText(error), reason: failureReason(error), killedProcesses: 0 };
    }
  }

  await runPodman(podman, [...runtimeArgs, 'rm', '--force', '--time', '0', id], { timeoutMs: 30_000 }).catch(() => undefined);
  if (result.outcome !== 'exited-0') {
    result.killedProcesses = await killContainerProcesses(id);
    if (result.killedProcesses > 0 && options.runtimeBinary && !podman.user) {
      await removeRuntimeState(options.runtimeBinary, id);
    }
  }
  return result;
}

/** runsc's state folder when root runs it and podman passes no --root. */
const RUNSC_ROOT = '/var/run/runsc';

/**
 * Drops what the runtime keeps for a killed container: `delete --force` clears its state,
 * and runsc leaves lock files and a socket named after the container id besides.
 */
async function removeRuntimeState(runtimeBinary: string, id: string): Promise<void> {
  await runCommand(runtimeBinary, ['delete', '--force', id], { timeoutMs: 15_000 }).catch(() => undefined);
  const entries = await readdir(RUNSC_ROOT).catch(() => [] as string[]);
  for (const entry of entries.filter((name) => name.includes(id))) {
    await rm(join(RUNSC_ROOT, entry), { force: true });
  }
}

/** Returns the global podman options that select the runtime and its flags. */
function globalRuntimeArgs(options: ProbeContainerOptions): string[] {
  const args: string[] = [];
  if (options.runtimeBinary) {
    args.push('--runtime', options.runtimeBinary);
  }
  for (const flag of options.runtimeFlags ?? []) {
    args.push('--runtime-flag', flag);
  }
  return args;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Picks the reason from a command's whole stderr, which the error message keeps only the end of. */
function failureReason(error: unknown): string {
  return probeFailureReason(error instanceof CommandError ? `${error.stderr}\n${error.stdout}` : errorText(error));
}

/** Returns the ids of processes whose command line contains `needle`, this process excluded. */
export async function findProcessesNaming(needle: string, procDir = '/proc'): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir(procDir)) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;

    const cmdline = await readFile(`${procDir}/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(needle)) pids.push(Number(entry));
  }
  return pids;
}

/**
 * Kills (SIGKILL) the processes that name this container id on their command line and
 * returns how many there were. A container id is 64 hex digits, so it names no other process.
 */
async function killContainerProcesses(id: string): Promise<number> {
  if (!/^[0-9a-f]{64}$/.test(id)) return 0;

  const pids = await findProcessesNaming(id);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // It exited between the scan and the kill.
    }
  }
  return pids.length;
}

/**
 * Returns the line of a failed probe's output that names the cause: podman's last `Error:`
 * line, else a runtime's message about its flags (runsc prints its usage after it), else the last line.
 */
export function probeFailureReason(message: string): string {
  const lines = message.split('\n').map((line) => line.trim()).filter(Boolean);
  const error = [...lines].reverse().find((line) => line.startsWith('Error:'));
  if (error) return error.replace(/^Error:\s*/, '');

  const flag = lines.find((line) => /flag provided but not defined|invalid value/i.test(line));
  return flag ?? lines.at(-1) ?? 'no output';
}
