import { readFile, readdir } from 'node:fs/promises';

/**
 * A process named by its pid and its start time (field 22 of /proc/PID/stat, in clock
 * ticks since boot). The kernel reuses pids, so only both together name one process.
 */
export interface ProcessIdentity {
  pid: number;
  startTime: string;
}

/**
 * Returns the start time field of a /proc/PID/stat line, or undefined for a malformed line
 * and for a zombie (state Z) or dead (X) process, which has exited but is not yet reaped.
 */
export function parseStatStartTime(stat: string): string | undefined {
  // The command name (field 2) is in parentheses and may contain spaces and ')', so the
  // fields are counted from the last ')'. Field 3, the state, is the first one after it.
  const end = stat.lastIndexOf(')');
  if (end < 0) {
    return undefined;
  }
  const fields = stat.slice(end + 1).trim().split(/\s+/);
  const state = fields[0];
  if (state === 'Z' || state === 'X') {
    return undefined;
  }
  const startTime = fields[22 - 3];
  return startTime && /^\d+$/.test(startTime) ? startTime : undefined;
}

/** Reads the start time of a running process, or undefined when no live process has this pid. */
export async function readStartTime(pid: number): Promise<string | undefined> {
  try {
    return parseStatStartTime(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Returns the identity of this gvmatrix process. */
export async function currentProcessIdentity(): Promise<ProcessIdentity> {
  const startTime = await readStartTime(process.pid);
  if (!startTime) {
    throw new Error(`cannot read the start time of this process from /proc/${process.pid}/stat; gvmatrix needs Linux with /proc mounted`);
  }
  return { pid: process.pid, startTime };
}

/**
 * Decides whether the recorded process still runs: a pid with no process, or one whose
 * start time differs (the pid was reused), means the recorded process is gone.
 */
export function isSameProcess(recorded: ProcessIdentity, observedStartTime: string | undefined): boolean {
  return observedStartTime !== undefined && observedStartTime === recorded.startTime;
}

/** Checks /proc for the recorded process. */
export async function isProcessAlive(recorded: ProcessIdentity): Promise<boolean> {
  return isSameProcess(recorded, await readStartTime(recorded.pid));
}

/** Returns the argv of a process from /proc/PID/cmdline, or undefined when it is gone. */
export async function readCommandLine(pid: number): Promise<string[] | undefined> {
  try {
    const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    if (args.at(-1) === '') {
      args.pop();
    }
    return args;
  } catch {
    return undefined;
  }
}

/** Lists the pids of all processes visible in /proc. */
export async function listPids(): Promise<number[]> {
  const names = await readdir('/proc');
  return names.filter((name) => /^\d+$/.test(name)).map(Number);
}
