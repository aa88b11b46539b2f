/**
 * Sandbox deaths read from the runsc debug logs of one container, beyond the panics that
 * runsc-log.ts finds. They are a sandbox process that was killed, a gofer process that
 * died while the sandbox ran, and runsc commands that lost their connection to the
 * sandbox. Checked against logs of runsc 0.0~20221219.0 and 0.0~20240729.0 under Podman
 * 4.3.1.
 */

import { firstLineTime, lineTime } from './log-time.js';
import { messageOfLine, parseRunscLog, type RunscLogKind } from './runsc-log.js';
import type { SandboxError } from './types.js';

/** One runsc debug log of a container, with its text. */
export interface ContainerLog {
  kind: RunscLogKind;
  logFile: string;
  text: string;
}

/** Commands that talk to a running sandbox over its control socket, so their logs show a lost sandbox. */
export const SANDBOX_CLIENT_KINDS: ReadonlySet<RunscLogKind> = new Set<RunscLogKind>(['exec', 'start', 'run']);

/**
 * Commands that stop a container. A sandbox that ended after one of them started was
 * stopped on request. Podman 4.3 stops a container with `runsc kill ID 15` and, after the
 * stop timeout, `runsc kill ID 9`. It runs neither for a container that already exited.
 * `runsc delete --force` is no sign of a stop: Podman also runs it to clean up about 0.1 s
 * after a container exited on its own, and removing a running container begins with kill.
 *
 * NOTE: a signal that a test sends with `podman kill` also runs `runsc kill`, so a sandbox
 * that dies after such a signal is taken for a stopped one and not reported.
 */
export const STOP_KINDS: ReadonlySet<RunscLogKind> = new Set<RunscLogKind>(['kill']);

/**
 * Error texts of a runsc command whose sandbox went away:
 * - `urpc method "NAME" failed: ...`: gVisor's urpc client (pkg/urpc, Client.Call) wraps
 *   only a failed read of the reply this way, such as EOF when the sandbox died during the
 *   call. An error that the sandbox itself returned comes back without this wrapping.
 * - `connecting to control server at PID N: ...`: the sandbox's control socket is gone.
 * - `sandbox is not running`, `container sandbox is not running`: messages that `strings`
 *   finds in both runsc builds. No run here produced them, so the commands that print
 *   them are not confirmed.
 * Application errors such as `failed to load /no/such/cmd` do not match, because runc
 * reports those as well.
 */
const LOST_SANDBOX_PATTERNS: readonly RegExp[] = [
  /urpc method "[^"]*" failed: /,
  /connecting to control server at PID \d+: /,
  /\bsandbox is not running\b/,
];

/** The `logFile` of a sandbox error read from the engine's response rather than from a log. */
export const ENGINE_ERROR_SOURCE = 'podman exec error';

/** `Exiting with status: 9`, the last line of a runsc process that ended on its own. */
const EXIT_STATUS = /^Exiting with status: \d+$/;

/** The sentry's line when its gofer's connection closes: `Gofer socket disconnected, killing container "ID"`. */
const GOFER_DISCONNECTED = /^Gofer socket disconnected\b/;

/** A line of a log and when it was written. */
interface TimedLine {
  line: string;
  time: number;
}

/**
 * Finds the sandbox errors in the debug logs of one container: its boot, gofer, exec,
 * start, run and kill logs. Logs of other commands are ignored.
 */
export function findSandboxErrors(containerId: string, logs: readonly ContainerLog[]): SandboxError[] {
  const boots = logs.filter((log) => log.kind === 'boot');
  const gofers = logs.filter((log) => log.kind === 'gofer');
  const firstStop = earliest(logs.filter((log) => STOP_KINDS.has(log.kind)).map(stopTime));

  const errors: SandboxError[] = [];
  for (const boot of boots) {
    const killed = sandboxKilled(containerId, boot, gofers, firstStop);
    if (killed !== undefined) {
      errors.push(killed);
    }
  }
  for (const gofer of gofers) {
    const died = goferDied(containerId, gofer, boots, firstStop);
    if (died !== undefined) {
      errors.push(died);
    }
  }
  for (const log of logs.filter((candidate) => SANDBOX_CLIENT_KINDS.has(candidate.kind))) {
    errors.push(...sandboxLost(containerId, log));
  }
  return errors;
}

/**
 * Returns the lines of a text, such as an error the engine returned for an exec, that
 * report a runsc command losing its sandbox (`urpc method "containerManager.WaitPID"
 * failed: EOF`), trimmed and without duplicates. Never give it text that contains a
 * container's output, such as a test's error message, since a container can print such lines.
 */
export function sandboxLostLines(text: string): string[] {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => isLostSandbox(line));
  return [...new Set(lines)];
}

/**
 * Returns a `sandbox-lost` error for each lost-sandbox line of the errors that the engine
 * returned for a container's execs.
 */
export function engineSandboxErrors(containerId: string, engineErrors: readonly string[]): SandboxError[] {
  const lines = sandboxLostLines(engineErrors.join('\n'));
  return lines.map((line) => ({
    kind: 'sandbox-lost',
    message: `runsc lost the sandbox during the test: ${line}`,
    lines: [labelled('exec error from the engine', line)],
    containerId,
    logFile: ENGINE_ERROR_SOURCE,
  }));
}

function isLostSandbox(text: string): boolean {
  return LOST_SANDBOX_PATTERNS.some((pattern) => pattern.test(text));
}

/**
 * Returns a `sandbox-killed` error when the boot log ends without its exit status and
 * nothing stopped the container first. Such a log belongs to a sandbox process that was
 * killed, or to one that still runs. The gofer log distinguishes them, because the gofer exits and logs
 * its exit status once the sandbox's end of their connections closes. A stop that started
 * before the gofer exited means the container was stopped on request instead.
 */
function sandboxKilled(
  containerId: string,
  boot: ContainerLog,
  gofers: readonly ContainerLog[],
  firstStop: number | undefined,
): SandboxError | undefined {
  if (exitLine(boot) !== undefined) {
    return undefined;
  }

  // A sandbox that panicked has no exit status either, and its panic is reported instead.
  if (parseRunscLog(boot.text, { containerId, logFile: boot.logFile }).panics.length > 0) {
    return undefined;
  }

  // NOTE: a gofer that died together with the sandbox, in a kill of the whole process
  // group or cgroup, leaves neither log an exit status. Such a death looks like a sandbox
  // that still runs, so it is not reported.
  const goferExit = earliestLine(gofers.map(exitLine));
  if (goferExit === undefined || (firstStop !== undefined && firstStop <= goferExit.time)) {
    return undefined;
  }

  return {
    kind: 'sandbox-killed',
    message: 'runsc sandbox process was killed before anything stopped the container: its log ends without an exit status',
    lines: [labelled('boot log ends', lastNonEmptyLine(boot.text)), labelled('gofer exited', goferExit.line)],
    containerId,
    logFile: boot.logFile,
  };
}

/**
 * Returns a `gofer-died` error when the gofer log ends without its exit status while the
 * sandbox ran. Such a log belongs to a gofer that crashed or was killed, or to one that
 * still runs. The sentry logs `Gofer socket disconnected` when the gofer goes
 * away while the sandbox runs. A stop that started before that line means the container
 * was stopped on request instead.
 */
function goferDied(
  containerId: string,
  gofer: ContainerLog,
  boots: readonly ContainerLog[],
  firstStop: number | undefined,
): SandboxError | undefined {
  if (exitLine(gofer) !== undefined) {
    return undefined;
  }

  const disconnected = earliestLine(boots.map(goferDisconnectedLine));
  if (disconnected === undefined || (firstStop !== undefined && firstStop <= disconnected.time)) {
    return undefined;
  }

  const crash = parseRunscLog(gofer.text, { containerId, logFile: gofer.logFile }).panics[0];
  const cause = crash?.message ?? 'its log ends without an exit status';
  const goferLine = crash === undefined ? labelled('gofer log ends', lastNonEmptyLine(gofer.text)) : labelled('gofer', crash.message);
  return {
    kind: 'gofer-died',
    message: `runsc gofer process died while the sandbox ran: ${cause}`,
    lines: [goferLine, labelled('boot', disconnected.line)],
    containerId,
    logFile: gofer.logFile,
  };
}

/** Returns one error per distinct lost-sandbox message of an exec, start or run log. */
function sandboxLost(containerId: string, log: ContainerLog): SandboxError[] {
  const errors = new Map<string, SandboxError>();
  for (const line of log.text.split('\n')) {
    const message = messageOfLine(line);
    if (message === undefined || !isLostSandbox(message)) {
      continue;
    }

    const error = message.replace(/^FATAL ERROR: /, '');
    if (!errors.has(error)) {
      errors.set(error, {
        kind: 'sandbox-lost',
        message: `runsc ${log.kind} lost the sandbox: ${error}`,
        lines: [labelled(log.kind, line)],
        containerId,
        logFile: log.logFile,
      });
    }
  }
  return [...errors.values()];
}

function exitLine(log: ContainerLog): TimedLine | undefined {
  return lastMatchingLine(log, EXIT_STATUS);
}

function goferDisconnectedLine(boot: ContainerLog): TimedLine | undefined {
  return lastMatchingLine(boot, GOFER_DISCONNECTED);
}

/** Returns the last line whose message matches, with its time. Lines without a time are skipped. */
function lastMatchingLine(log: ContainerLog, pattern: RegExp): TimedLine | undefined {
  let found: TimedLine | undefined;
  for (const line of log.text.split('\n')) {
    const message = messageOfLine(line);
    if (message === undefined || !pattern.test(message)) {
      continue;
    }
    const time = lineTime(line, log.logFile);
    if (time !== undefined) {
      found = { line, time };
    }
  }
  return found;
}

function stopTime(log: ContainerLog): number | undefined {
  return firstLineTime(log.text, log.logFile);
}

function earliest(times: ReadonlyArray<number | undefined>): number | undefined {
  const known = times.filter((time): time is number => time !== undefined);
  return known.length === 0 ? undefined : Math.min(...known);
}

function earliestLine(lines: ReadonlyArray<TimedLine | undefined>): TimedLine | undefined {
  let first: TimedLine | undefined;
  for (const line of lines) {
    if (line !== undefined && (first === undefined || line.time < first.time)) {
      first = line;
    }
  }
  return first;
}

/** Puts what a line shows before it, such as `boot log ends: I1204 ...`. */
function labelled(label: string, line: string): string {
  return `${label}: ${line}`;
}

function lastNonEmptyLine(text: string): string {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return lines.at(-1) ?? '';
}
