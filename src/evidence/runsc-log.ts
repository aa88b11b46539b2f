/**
 * Parsing of runsc debug logs (`runsc --debug-log=DIR/`), which hold one file per runsc
 * command. Checked against the logs of runsc 0.0~20221219.0 and 0.0~20240729.0 in both
 * `--debug-log-format` text (glog lines, the default) and json. Lines that managed
 * platforms built on gVisor copy into their own logs (`Container Sandbox: MESSAGE`) are
 * read as well.
 */

import { basename } from 'node:path';

import { syscallNameOf, syscallNumberOf } from './syscall-numbers.js';
import type { SandboxPanic, UnsupportedSyscall } from './types.js';

/** The runsc command that wrote a debug log, from its file name. */
export type RunscLogKind =
  | 'boot'
  | 'gofer'
  | 'create'
  | 'start'
  | 'run'
  | 'exec'
  | 'kill'
  | 'delete'
  | 'wait'
  | 'state'
  | 'events'
  | 'ps'
  | 'pause'
  | 'resume'
  | 'checkpoint'
  | 'restore'
  | 'panic'
  | 'other';

const KNOWN_KINDS: ReadonlySet<string> = new Set<RunscLogKind>([
  'boot',
  'gofer',
  'create',
  'start',
  'run',
  'exec',
  'kill',
  'delete',
  'wait',
  'state',
  'events',
  'ps',
  'pause',
  'resume',
  'checkpoint',
  'restore',
  'panic',
]);

/** The log a finding came from. */
export interface RunscLogSource {
  containerId: string;
  logFile: string;
}

export interface RunscLogFindings {
  unsupportedSyscalls: UnsupportedSyscall[];
  panics: SandboxPanic[];
}

/** Stack lines kept after a panic's goroutine header: six frames of function and file. */
const MAX_FRAME_LINES = 12;

/** Lines searched after a panic message for the header of the stack that follows it. */
const MAX_LINES_BEFORE_STACK = 20;

/** `I1204 19:56:19.128312    8063 compat.go:123] MESSAGE`, as glog writes it. */
const GLOG_LINE = /^[IWEFD]\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+ [^\]\s]+\] (.*)$/;

/**
 * `Unsupported syscall NAME(ARGS)`. NAME is the kernel's name, `sys_460` when the runsc build
 * has no name for the number, or `UNKNOWN[460/0x1cc]` as managed gVisor platforms write it.
 */
const UNSUPPORTED_SYSCALL = /^Unsupported syscall (UNKNOWN\[\d+\/0x[0-9a-fA-F]+\]|[A-Za-z_][A-Za-z0-9_]*)\(([^)]*)\)/;

const NUMBERED_SYSCALL = /^sys_(\d+)$/;

const UNKNOWN_SYSCALL = /^UNKNOWN\[(\d+)\/0x[0-9a-fA-F]+\]$/;

/**
 * The prefix that managed gVisor platforms put before each sentry message they copy into
 * the container's log. Their log viewers may put a timestamp or a severity before it.
 */
const PLATFORM_PREFIX = 'Container Sandbox: ';

/**
 * The first line of output from the Go runtime when a runsc process dies: a panic, a fatal
 * error, or a fatal signal (`SIGSEGV: segmentation violation`). runsc points the standard
 * error of its boot and gofer processes at the debug log, so these lines carry no glog prefix.
 */
const GO_RUNTIME_DEATH = /^(panic: |fatal error: |SIG[A-Z]+: )/;

/** `goroutine 42 [running]:`, or `goroutine 42 gp=0x... m=3 mp=0x... [running]:` as runsc 20240729 (Go 1.24) writes it. */
const GOROUTINE_HEADER = /^goroutine \d+ (?:[^[]*)?\[[^\]]*\]:$/;

/** runsc's own fatal errors (`util.Fatalf`), logged as `W... util.go:64] FATAL ERROR: ...`. */
const RUNSC_FATAL_ERROR = /^FATAL ERROR: /;

/**
 * Returns the runsc command that wrote a debug log, from a name such as
 * `runsc.log.20261204-195618.991519.boot.txt` (older runsc builds leave out `.txt`), or
 * undefined when the name is not a runsc debug log's. Commands this module does not list
 * come back as `other`.
 */
export function logKind(fileName: string): RunscLogKind | undefined {
  const match = /^runsc\.log\.\d{8}-\d{6}\.\d{6}\.([a-z][a-z0-9-]*)(?:\.txt)?$/.exec(basename(fileName));
  if (match === null) {
    return undefined;
  }

  const command = match[1] ?? '';
  return KNOWN_KINDS.has(command) ? (command as RunscLogKind) : 'other';
}

/**
 * Returns the message of one debug log line without its glog prefix, JSON wrapping or
 * `Container Sandbox: ` platform prefix. Returns undefined for a line runsc's logger did not
 * write: Go runtime output, a partial line, a line of the application's own output.
 */
export function messageOfLine(line: string): string | undefined {
  const glog = GLOG_LINE.exec(line);
  if (glog !== null) {
    return glog[1];
  }

  const json = jsonMessage(line);
  if (json !== undefined) {
    return afterPlatformPrefix(json) ?? json;
  }

  return afterPlatformPrefix(line);
}

/** Returns the text after `Container Sandbox: `, wherever the platform's log put it in the line. */
function afterPlatformPrefix(text: string): string | undefined {
  const start = text.indexOf(PLATFORM_PREFIX);
  return start < 0 ? undefined : text.slice(start + PLATFORM_PREFIX.length);
}

/** Returns the `msg` field of a `--debug-log-format=json` line, whatever the order of its fields. */
function jsonMessage(line: string): string | undefined {
  if (!line.trimStart().startsWith('{')) {
    return undefined;
  }

  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed === 'object' && parsed !== null && 'msg' in parsed && typeof parsed.msg === 'string') {
      return parsed.msg;
    }
  } catch {
    // A line cut short while runsc is still writing it is not JSON yet.
  }
  return undefined;
}

/**
 * Returns the id of the container a runsc command ran for, from the log's first `Args:`
 * line, or undefined when the log contains no complete `Args:` line.
 *
 * The id is the first argument made of 64 hex digits: most commands end with it
 * (`boot ... ID`, `start ID`, `exec ... --detach ID`, `kill ID 15`). The gofer command of
 * runsc 20221219 names no id, so the fallback is the 64-hex directory in its `--bundle`
 * path (`/var/lib/containers/storage/overlay-containers/ID/userdata` under Podman,
 * `.../moby/ID` under Docker).
 */
export function containerIdOfLog(text: string): string | undefined {
  const args = argsOfLog(text);
  if (args === undefined) {
    return undefined;
  }

  // NOTE: ids that are not 64 hex digits (`runsc run myname`, typed by hand) are not found.
  // Podman, Docker and containerd always create 64-hex ids.
  const standalone = args.find((arg) => isFullContainerId(arg));
  if (standalone !== undefined) {
    return standalone;
  }

  return containerIdOfBundle(args);
}

/** Returns the words of the first `Args: [...]` line, split where Go's `%v` put spaces. */
function argsOfLog(text: string): string[] | undefined {
  for (const line of linesOf(text)) {
    const message = messageOfLine(line);
    if (message === undefined || !message.startsWith('Args: [') || !message.endsWith(']')) {
      continue;
    }
    return message.slice('Args: ['.length, -1).split(' ');
  }
  return undefined;
}

function isFullContainerId(value: string): boolean {
  return /^[0-9a-f]{64}$/.test(value);
}

function containerIdOfBundle(args: string[]): string | undefined {
  const bundle = bundlePath(args);
  if (bundle === undefined) {
    return undefined;
  }

  const segments = bundle.split('/').filter((segment) => isFullContainerId(segment));
  return segments.at(-1);
}

/** Returns the value of `--bundle=PATH` (boot) or `--bundle PATH` (create, gofer). */
function bundlePath(args: string[]): string | undefined {
  for (const [index, arg] of args.entries()) {
    if (arg.startsWith('--bundle=')) {
      return arg.slice('--bundle='.length);
    }
    if (arg === '--bundle') {
      return args[index + 1];
    }
  }
  return undefined;
}

/**
 * Returns the wait status a runsc process logged as its last line (`Exiting with status:
 * 0`), or undefined when it wrote none because it is still running or died without a clean
 * exit (SIGKILL, a Go runtime crash). A boot log without this line after its container
 * stopped is the only trace a killed sandbox leaves. The value is the raw wait status, so
 * `9` means killed by signal 9 and `256` means exit code 1.
 */
export function exitStatusOfLog(text: string): number | undefined {
  let status: number | undefined;
  for (const line of linesOf(text)) {
    const match = /^Exiting with status: (\d+)$/.exec(messageOfLine(line) ?? '');
    if (match !== null) {
      status = Number(match[1]);
    }
  }
  return status;
}

/**
 * Extracts every `Unsupported syscall NAME(ARGS)` line, every Go runtime death (panic,
 * fatal error, fatal signal) with the first lines of the stack that follows it, and every
 * runsc `FATAL ERROR:` line from the text of one runsc debug log. A call logged by number
 * (`sys_435`, `UNKNOWN[435/0x1b3]`) gets the kernel's name (`clone3`) when the amd64 table
 * has one.
 */
export function parseRunscLog(text: string, source: RunscLogSource): RunscLogFindings {
  const lines = linesOf(text);
  const unsupportedSyscalls: UnsupportedSyscall[] = [];
  const panics: SandboxPanic[] = [];

  for (const [index, line] of lines.entries()) {
    const message = messageOfLine(line);

    if (message === undefined) {
      if (GO_RUNTIME_DEATH.test(line)) {
        const frames = stackAfter(lines, index + 1);
        panics.push({ message: line.trim(), frames, ...source });
      }
      continue;
    }

    const syscall = unsupportedSyscallOf(message, line, source);
    if (syscall !== undefined) {
      unsupportedSyscalls.push(syscall);
      continue;
    }

    if (RUNSC_FATAL_ERROR.test(message)) {
      panics.push({ message, frames: [], ...source });
    }
  }

  return { unsupportedSyscalls, panics };
}

function unsupportedSyscallOf(
  message: string,
  line: string,
  source: RunscLogSource,
): UnsupportedSyscall | undefined {
  const match = UNSUPPORTED_SYSCALL.exec(message);
  if (match === null) {
    return undefined;
  }

  const loggedName = match[1] ?? '';
  const argsText = match[2] ?? '';
  const args = argsText === '' ? [] : argsText.split(',');

  const { name, number } = identifySyscall(loggedName);

  const syscall: UnsupportedSyscall = { name, args, line, ...source };
  if (number !== undefined) {
    syscall.number = number;
  }
  if (name !== loggedName) {
    syscall.loggedName = loggedName;
  }
  return syscall;
}

/**
 * Returns the kernel's name and the amd64 number of a syscall as runsc logged it. A number
 * the table has no name for keeps runsc's own spelling, `sys_NUMBER`.
 */
function identifySyscall(loggedName: string): { name: string; number?: number } {
  const numbered = NUMBERED_SYSCALL.exec(loggedName) ?? UNKNOWN_SYSCALL.exec(loggedName);
  if (numbered === null) {
    const number = syscallNumberOf(loggedName);
    return number === undefined ? { name: loggedName } : { name: loggedName, number };
  }

  const number = Number(numbered[1]);
  return { name: syscallNameOf(number) ?? `sys_${number}`, number };
}

/**
 * Returns up to MAX_FRAME_LINES lines of the first goroutine stack (or `runtime stack:`)
 * that starts within MAX_LINES_BEFORE_STACK lines of `start`. Log lines that other
 * goroutines wrote in between are skipped, and the stack ends at its first blank line.
 */
function stackAfter(lines: string[], start: number): string[] {
  const searchEnd = Math.min(lines.length, start + MAX_LINES_BEFORE_STACK);
  let header = -1;
  for (let index = start; index < searchEnd; index++) {
    const line = lines[index] ?? '';
    if (GO_RUNTIME_DEATH.test(line)) {
      break;
    }
    if (GOROUTINE_HEADER.test(line) || line === 'runtime stack:') {
      header = index;
      break;
    }
  }
  if (header < 0) {
    return [];
  }

  const frames: string[] = [];
  for (let index = header + 1; index < lines.length && frames.length < MAX_FRAME_LINES; index++) {
    const line = lines[index] ?? '';
    if (line.trim() === '') {
      break;
    }
    if (messageOfLine(line) === undefined) {
      frames.push(line);
    }
  }
  return frames;
}

function linesOf(text: string): string[] {
  return text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}
