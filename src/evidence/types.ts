/** Evidence from runsc's own debug logs about the containers of one test. */

/** One `Unsupported syscall NAME(ARGS)` line from a runsc boot log. */
export interface UnsupportedSyscall {
  /**
   * Syscall name as the kernel spells it (`fanotify_init`), or `sys_NUMBER` for a number
   * that has no name in the amd64 table.
   */
  name: string;
  /** Syscall number on amd64, when the log or the name gives it. */
  number?: number;
  /** The name as the log wrote it, when it differs from `name` (`sys_435`, `UNKNOWN[435/0x1b3]`). */
  loggedName?: string;
  /** Arguments as logged, hexadecimal strings (`0x0`). */
  args: string[];
  /** The log line as written, for reports. */
  line: string;
  containerId: string;
  logFile: string;
  /** gVisor's support level and note for this syscall, from the runsc binary that ran the test. */
  support?: { level: string; note: string };
}

/** A sentry panic or fatal error found in a runsc log. */
export interface SandboxPanic {
  /** The panic line (`panic: ...`, `fatal error: ...`). */
  message: string;
  /** The first stack frames after it, function and file lines. */
  frames: string[];
  containerId: string;
  logFile: string;
}

/**
 * Kinds of sandbox error:
 * - `sandbox-killed`: the sandbox process (`runsc-sandbox`, which runs `runsc boot`) ended
 *   without writing its exit status, a SIGKILL for example, before anything stopped the
 *   container.
 * - `gofer-died`: the gofer process (`runsc-gofer`) ended without writing its exit status,
 *   by a Go runtime crash or a kill, while the sandbox still ran.
 * - `sandbox-lost`: a runsc exec, start or run command lost its connection to the sandbox.
 */
export type SandboxErrorKind = 'sandbox-killed' | 'gofer-died' | 'sandbox-lost';

/** A sandbox process that died, or a runsc command that lost it, as the runsc logs show it. */
export interface SandboxError {
  kind: SandboxErrorKind;
  /** One sentence that names the process that died and how, for a verdict message. */
  message: string;
  /** The log lines that show it, as written after a label that names their log (`boot log ends: I1204 ...`). */
  lines: string[];
  containerId: string;
  /** The log of the process that died, or of the command that lost the sandbox. */
  logFile: string;
}

/** Evidence gathered for one test under one runtime. */
export interface TestEvidence {
  containerIds: string[];
  /** runsc log files read; empty for runc. */
  logFiles: string[];
  unsupportedSyscalls: UnsupportedSyscall[];
  panics: SandboxPanic[];
  /**
   * Sandbox and gofer processes that died, and runsc commands that lost the sandbox. A Go
   * crash of the gofer appears here and under `panics`. Optional because evidence
   * recorded before this field existed has none.
   */
  sandboxErrors?: SandboxError[];
}
