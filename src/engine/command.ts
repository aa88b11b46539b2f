import { execa, type Options } from 'execa';
import { timedOutAfter } from './stage-timeout.js';

/**
 * A failed external command (podman, runc, runsc, mmdebstrap). The message carries the
 * command line, the exit code or signal and the end of stderr, so the reader never has to
 * rerun it to learn why it failed.
 */
export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | undefined,
    readonly signal: string | undefined,
    readonly timedOut: boolean,
    readonly stdout: string,
    readonly stderr: string,
    hint?: string,
    timeoutMs?: number,
  ) {
    super(formatCommandFailure(command, exitCode, signal, timedOut, stderr, hint, timeoutMs));
    this.name = 'CommandError';
  }
}

const STDERR_TAIL_LINES = 15;

/** Builds the one-paragraph description of a failed command. */
export function formatCommandFailure(
  command: string,
  exitCode: number | undefined,
  signal: string | undefined,
  timedOut: boolean,
  stderr: string,
  hint?: string,
  timeoutMs?: number,
): string {
  let outcome: string;
  if (timedOut) {
    outcome = timeoutMs === undefined ? 'timed out' : timedOutAfter(timeoutMs);
  } else if (signal) {
    outcome = `was killed by ${signal}`;
  } else if (exitCode === undefined) {
    outcome = 'could not be started';
  } else {
    outcome = `failed with exit code ${exitCode}`;
  }

  const lines = [`\`${command}\` ${outcome}`];
  const tail = stderr.trim().split('\n').slice(-STDERR_TAIL_LINES).join('\n');
  if (tail) {
    lines.push(`stderr:\n${tail}`);
  }
  if (hint) {
    lines.push(hint);
  }
  return lines.join('\n');
}

export interface CommandResult {
  stdout: string;
  stderr: string;
}

export interface RunCommandOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Added to the error message when the command fails: what the user can do about it. */
  hint?: string;
  cwd?: string;
}

/** Runs a command to completion and returns its output; throws CommandError when it fails. */
export async function runCommand(file: string, args: string[], options: RunCommandOptions = {}): Promise<CommandResult> {
  const execaOptions: Options = {
    reject: false,
    timeout: options.timeoutMs,
    env: options.env,
    input: options.input,
    cwd: options.cwd,
    stripFinalNewline: true,
  };
  const result = await execa(file, args, execaOptions);
  const stdout = String(result.stdout ?? '');
  const stderr = String(result.stderr ?? '');

  if (result.failed) {
    const missing = (result as { code?: string }).code === 'ENOENT';
    throw new CommandError(
      [file, ...args].join(' '),
      missing ? undefined : result.exitCode,
      result.signal ?? undefined,
      result.timedOut,
      stdout,
      missing ? `${file}: command not found` : stderr,
      options.hint,
      options.timeoutMs,
    );
  }
  return { stdout, stderr };
}
