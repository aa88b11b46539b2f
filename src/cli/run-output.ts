import type { KnownIncompatibility } from '../matrix/types.js';
import { decideGate, type FailOnPolicy } from '../report/gate.js';
import { formatGate } from '../report/gate-text.js';
import { formatSummary } from '../report/summary.js';
import type { RunReport } from '../report/types.js';
import { EXIT, exitStatusFor } from './exit-status.js';
import { formatResultLine, formatStoppedResultLine, stoppedStatus } from './result-line.js';

/** Options for the end of the output of `gvmatrix run` on stdout. */
export interface RunOutputOptions {
  failOn: FailOnPolicy;
  /** `--fail-on-slow`, a sandbox check ratio above which fails the gate. Unset for no such limit. */
  failOnSlow?: number;
  /** Prints the report and the gate decision as one JSON document instead of the human summary. */
  json: boolean;
}

/**
 * Decides the gate for a finished run, prints the summary (or the JSON document) on
 * stdout and returns the exit status: 0 when the gate passes, 1 when it fails. The human
 * output ends with the result line.
 */
export function printRunResult(
  report: RunReport,
  known: readonly KnownIncompatibility[],
  reportFiles: readonly string[],
  options: RunOutputOptions,
  stdout: NodeJS.WritableStream = process.stdout,
): number {
  const gate = decideGate(report, known, options.failOn, options.failOnSlow);
  if (options.json) {
    stdout.write(`${JSON.stringify({ ...report, gate }, null, 2)}\n`);
    return gate.exitCode;
  }

  stdout.write(`\n${formatSummary(report)}\n${formatGate(gate)}\n\n`);
  stdout.write(`reports: ${reportFiles.join(', ')}\n`);
  stdout.write(`${formatResultLine(gate, report.runId)}\n`);
  return gate.exitCode;
}

/**
 * Runs `run` and returns its exit status. A run that ends without verdicts throws, or
 * returns a status other than 0 and 1. Then the error goes to stderr, and a result line
 * (or a JSON document with the status) to stdout, so CI scripts find one in every case.
 * `runId` gives the id of the run once it has one, empty before.
 */
export async function withResultLine(
  run: () => Promise<number>,
  options: RunOutputOptions,
  stdout: NodeJS.WritableStream = process.stdout,
  runId: () => string = () => '',
): Promise<number> {
  let exitCode: number;
  let message: string | undefined;
  try {
    exitCode = await run();
  } catch (error) {
    message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`gvmatrix: ${message}\n`);
    exitCode = exitStatusFor(error);
  }

  if (exitCode === EXIT.ok || exitCode === EXIT.gateFailed) {
    return exitCode;
  }
  if (options.json) {
    const gate = { policy: options.failOn, status: stoppedStatus(exitCode), exitCode };
    stdout.write(`${JSON.stringify(message === undefined ? { gate } : { gate, error: message }, null, 2)}\n`);
  } else {
    stdout.write(`${formatStoppedResultLine(options.failOn, exitCode, runId())}\n`);
  }
  return exitCode;
}
