import { basename } from 'node:path';
import { readFile } from 'node:fs/promises';
import { listPids, readCommandLine } from './process-identity.js';

/** Returns the parent pid (field 4) of a /proc/PID/stat line. */
export function parseStatParentPid(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 1).trim().split(/\s+/);
  const parent = Number(fields[4 - 3]);
  return Number.isInteger(parent) ? parent : undefined;
}

async function readParentPid(pid: number): Promise<number | undefined> {
  try {
    return parseStatParentPid(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Decides whether a process works on one of these containers for the OCI runtime: a
 * runtime command (`runsc delete --force ID`), a runsc sandbox or gofer. conmon and
 * podman are left alone, because they exit by themselves once the runtime is gone.
 */
export function isContainerRuntimeProcess(argv: string[], containerIds: string[]): boolean {
  const program = basename(argv[0] ?? '');
  if (program === 'conmon' || program === 'podman') {
    return false;
  }
  return argv.some((arg) => containerIds.includes(arg));
}

/**
 * Returns the container ids that conmon processes serve under these container names, from
 * their `-n NAME` and `-c ID` arguments. It finds the id of a container whose start hangs,
 * which the API cannot return while podman holds the container's lock.
 */
export function containerIdsFromConmon(argv: string[], names: string[]): string | undefined {
  if (basename(argv[0] ?? '') !== 'conmon') {
    return undefined;
  }
  const name = argv[argv.indexOf('-n') + 1];
  const id = argv[argv.indexOf('-c') + 1];
  return argv.includes('-n') && argv.includes('-c') && name !== undefined && names.includes(name) ? id : undefined;
}

/**
 * Sends SIGKILL to the runtime processes of these containers, named by full id or by
 * name, and to the first process conmon started for each (the container's init under
 * runc). A runtime command that never returns (a hung `runsc create` or `runc kill`)
 * holds podman's container lock, so podman cannot stop or remove the container until it
 * is gone. Returns the pids it killed.
 */
export async function killContainerRuntimeProcesses(containers: string[]): Promise<number[]> {
  const commandLines = new Map<number, string[]>();
  for (const pid of await listPids()) {
    const argv = await readCommandLine(pid);
    if (argv && pid !== process.pid) {
      commandLines.set(pid, argv);
    }
  }

  const ids = new Set(containers.filter((container) => /^[0-9a-f]{64}$/.test(container)));
  for (const argv of commandLines.values()) {
    const id = containerIdsFromConmon(argv, containers);
    if (id) {
      ids.add(id);
    }
  }
  const conmons = new Set<number>();
  for (const [pid, argv] of commandLines) {
    if (basename(argv[0] ?? '') === 'conmon' && argv.some((arg) => ids.has(arg))) {
      conmons.add(pid);
    }
  }

  const killed: number[] = [];
  for (const [pid, argv] of commandLines) {
    const parent = conmons.size > 0 ? await readParentPid(pid) : undefined;
    const startedByConmon = parent !== undefined && conmons.has(parent) && basename(argv[0] ?? '') !== 'conmon';
    if (startedByConmon || isContainerRuntimeProcess(argv, [...ids])) {
      try {
        process.kill(pid, 'SIGKILL');
        killed.push(pid);
      } catch {
        // ESRCH: it exited between the listing and the kill.
      }
    }
  }
  return killed.sort((a, b) => a - b);
}
