import type { FailOnPolicy, GateDecision } from '../report/gate.js';
import type { Verdict } from '../report/types.js';
import { EXIT } from './exit-status.js';

/** Outcome of a run, as the result line's `status=` reports it. */
export type RunStatus = 'pass' | 'fail' | 'error' | 'interrupted';

interface ResultLineFields {
  status: RunStatus;
  policy: FailOnPolicy;
  exitCode: number;
  verdictCounts: Partial<Record<Verdict, number>>;
  failing: number;
  expired: number;
  unmatched: number;
  /** Number of sandbox checks slower than `--fail-on-slow` allows, 0 without the option. */
  slow: number;
  runId: string;
}

/**
 * Formats the last line that `gvmatrix run` prints on stdout, for CI scripts:
 * `gvmatrix-result: status=fail gate=new exit=1 verdicts=compatible:14,behavior-diff:2 failing=2 expired=0 unmatched=0 slow=0 run=RUN_ID`.
 * The keys always appear, in this order, and no value contains a space, so the line
 * splits on spaces and each field on its first `=`.
 */
export function formatResultLine(gate: GateDecision, runId: string): string {
  return joinFields({
    status: gate.status,
    policy: gate.policy,
    exitCode: gate.exitCode,
    verdictCounts: gate.verdictCounts,
    failing: gate.failing.length,
    expired: gate.knownEntries.expired.length,
    unmatched: gate.knownEntries.unmatched.length,
    slow: gate.slow.length,
    runId,
  });
}

/** Formats the result line of a run that ended without verdicts: invalid input, a broken environment or an interrupt. */
export function formatStoppedResultLine(policy: FailOnPolicy, exitCode: number, runId = ''): string {
  return joinFields({
    status: stoppedStatus(exitCode),
    policy,
    exitCode,
    verdictCounts: {},
    failing: 0,
    expired: 0,
    unmatched: 0,
    slow: 0,
    runId,
  });
}

/** Maps the exit status of a run that ended without verdicts to its `status=` value. */
export function stoppedStatus(exitCode: number): RunStatus {
  return exitCode === EXIT.interrupted ? 'interrupted' : 'error';
}

function joinFields(fields: ResultLineFields): string {
  const verdicts = Object.entries(fields.verdictCounts)
    .map(([verdict, count]) => `${verdict}:${count}`)
    .join(',');
  return [
    'gvmatrix-result:',
    `status=${fields.status}`,
    `gate=${fields.policy}`,
    `exit=${fields.exitCode}`,
    `verdicts=${verdicts}`,
    `failing=${fields.failing}`,
    `expired=${fields.expired}`,
    `unmatched=${fields.unmatched}`,
    `slow=${fields.slow}`,
    `run=${fields.runId}`,
  ].join(' ');
}
