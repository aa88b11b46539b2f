/** What runsc's own debug logs reported about the containers of one test. */

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

/** Evidence gathered for one test under one runtime. */
export interface TestEvidence {
  containerIds: string[];
  /** runsc log files read; empty for runc. */
  logFiles: string[];
  unsupportedSyscalls: UnsupportedSyscall[];
  panics: SandboxPanic[];
}
