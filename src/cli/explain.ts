/**
 * `gvmatrix explain [FILE|-] [--runsc PATH] [--json]`: reads runsc debug logs, or log lines
 * copied from a managed gVisor platform, and prints each distinct unsupported call with
 * its decoded feature, counts, gVisor's support level and the link to its documentation.
 */

import { containerIdOfLog, messageOfLine, parseRunscLog } from '../evidence/runsc-log.js';
import { loadSupportTable } from '../evidence/support-table.js';
import type { UnsupportedSyscall } from '../evidence/types.js';
import { EXIT, UsageError } from './exit-status.js';
import { explainFindings, explanationJson, formatExplanation } from './explain-report.js';
import { readExplainInput, type LogText } from './explain-input.js';

export interface ExplainOptions {
  /** The runsc binary whose `help syscalls` table gives the support levels. */
  runsc?: string;
  json?: boolean;
}

/** The streams the command reads and writes. */
export interface ExplainStreams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  /** Receives warnings; none are written when unset. */
  stderr?: NodeJS.WritableStream;
}

/** The runsc binary used when --runsc is not given: the one on PATH. */
const DEFAULT_RUNSC = 'runsc';

/**
 * Runs `gvmatrix explain` and returns its exit status. Throws UsageError (exit status 2)
 * for input it cannot explain: a missing file, an empty input, a file without runsc lines.
 */
export async function runExplain(
  target: string | undefined,
  options: ExplainOptions,
  streams: ExplainStreams = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const logs = await readExplainInput(chooseTarget(target, streams.stdin), streams.stdin);
  const findings = logs.flatMap(unsupportedSyscallsOf);

  const support = await loadSupportTable(options.runsc ?? DEFAULT_RUNSC);
  const explanation = explainFindings(findings, logs.length, support);

  const mismatch = support.table ? versionMismatch(runscVersionsOf(logs), support.table.version) : undefined;
  if (mismatch) {
    streams.stderr?.write(`gvmatrix explain: ${mismatch}\n`);
  }

  streams.stdout.write(options.json ? explanationJson(explanation) : formatExplanation(explanation));
  return EXIT.ok;
}

/** Returns the target to read: the named one, or standard input when it is piped. Rejects a terminal. */
function chooseTarget(target: string | undefined, stdin: { isTTY?: boolean }): string {
  if (target !== undefined) {
    return target;
  }
  if (stdin.isTTY === true) {
    throw new UsageError(
      'Name the logs to explain: `gvmatrix explain FILE`, a folder of runsc.log.* files, or `-` to read standard input.',
    );
  }
  return '-';
}

/**
 * Returns the unsupported syscalls in one log. The container comes from the log's `Args:`
 * line. Copied platform lines and standard input have none, so their findings carry an
 * empty container id.
 */
function unsupportedSyscallsOf(log: LogText): UnsupportedSyscall[] {
  const containerId = containerIdOfLog(log.text) ?? '';
  return parseRunscLog(log.text, { containerId, logFile: log.path }).unsupportedSyscalls;
}

/** Returns the runsc versions that the logs name on their `Version ...` start-up line. */
export function runscVersionsOf(logs: readonly LogText[]): string[] {
  const versions = new Set<string>();
  for (const log of logs) {
    for (const line of log.text.split('\n')) {
      const version = /^Version ([^\s,]+)/.exec(messageOfLine(line)?.trim() ?? '')?.[1];
      if (version) {
        versions.add(version);
      }
    }
  }
  return [...versions].sort();
}

/**
 * Returns a warning when the support table comes from another runsc release than the one
 * that wrote the logs: gVisor's tables differ between releases (process_vm_readv, say).
 */
export function versionMismatch(logVersions: readonly string[], tableVersion: string | undefined): string | undefined {
  if (tableVersion === undefined || logVersions.length === 0 || logVersions.includes(tableVersion)) {
    return undefined;
  }
  return (
    `the logs were written by runsc ${logVersions.join(', ')}, but the support levels come from runsc ${tableVersion}; ` +
    'pass --runsc with the binary that wrote the logs'
  );
}
