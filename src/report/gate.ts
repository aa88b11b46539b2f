import type { KnownIncompatibility } from '../matrix/types.js';
import { checkKnownEntries, type KnownEntryCheck } from './known-check.js';
import { VERDICT_ORDER } from './summary.js';
import type { RunReport, Verdict } from './types.js';
import { isFailure } from './verdict.js';

/** The values of `gvmatrix run --fail-on`. */
export const FAIL_ON_POLICIES = ['new', 'any', 'none'] as const;

/**
 * Policy that decides what fails the CI gate. `new`: the failure verdicts that no `known:` entry covers
 * (syscall-incompatible, behavior-diff, sandbox-crash, baseline-failure, fixed) and expired
 * `known:` entries. `any`: those and the `known` verdicts, failures that reproduced as
 * expected. `none`: nothing, so the run exits 0 whatever its verdicts.
 */
export type FailOnPolicy = (typeof FAIL_ON_POLICIES)[number];

export const DEFAULT_FAIL_ON: FailOnPolicy = 'new';

/** A verdict that fails the gate under its policy. */
export interface GateFailure {
  image: string;
  test: string;
  runtime: string;
  verdict: Verdict;
  message: string;
}

/** A sandbox check slower than `--fail-on-slow` allows. */
export interface SlowTest {
  image: string;
  test: string;
  runtime: string;
  /** Sandbox/baseline ratio of the check's duration (src/report/timing.ts). */
  checkRatio: number;
}

/** The gate's decision on one run, and what it was based on. */
export interface GateDecision {
  policy: FailOnPolicy;
  /** `--fail-on-slow`, a check ratio above which fails the gate. Absent when the option is not given. */
  failOnSlow?: number;
  status: 'pass' | 'fail';
  /** The exit status of `gvmatrix run` for this decision: 0 for pass, 1 for fail. */
  exitCode: 0 | 1;
  /** Number of verdicts of each kind, in the summary's order; kinds with no verdict are left out. */
  verdictCounts: Partial<Record<Verdict, number>>;
  /** The verdicts that fail the gate under the policy, in report order; empty under `none`. */
  failing: GateFailure[];
  /** The sandbox checks whose ratio exceeds `failOnSlow`, in report order. Empty without it. */
  slow: SlowTest[];
  knownEntries: KnownEntryCheck;
}

/** Tells whether a verdict fails the gate under a policy. */
export function failsGate(verdict: Verdict, policy: FailOnPolicy): boolean {
  if (policy === 'none') {
    return false;
  }
  return isFailure(verdict) || (policy === 'any' && verdict === 'known');
}

/**
 * Decides the gate for a run from its verdicts and the matrix's `known:` entries. With
 * `failOnSlow`, a sandbox check whose duration ratio exceeds it fails the gate too,
 * whatever the policy.
 */
export function decideGate(report: RunReport, known: readonly KnownIncompatibility[], policy: FailOnPolicy, failOnSlow?: number): GateDecision {
  const knownEntries = checkKnownEntries(known, report);
  const failing = report.verdicts
    .filter((record) => failsGate(record.verdict, policy))
    .map(({ image, test, runtime, verdict, message }) => ({ image, test, runtime, verdict, message }));
  const slow = failOnSlow === undefined ? [] : slowerThan(report, failOnSlow);

  const expiredFails = policy !== 'none' && knownEntries.expired.length > 0;
  const fails = failing.length > 0 || expiredFails || slow.length > 0;
  const decision: GateDecision = {
    policy,
    status: fails ? 'fail' : 'pass',
    exitCode: fails ? 1 : 0,
    verdictCounts: countVerdicts(report.verdicts.map((record) => record.verdict)),
    failing,
    slow,
    knownEntries,
  };
  if (failOnSlow !== undefined) {
    decision.failOnSlow = failOnSlow;
  }
  return decision;
}

/** Returns the sandbox checks whose duration ratio exceeds `limit`. */
export function slowerThan(report: RunReport, limit: number): SlowTest[] {
  return report.verdicts.flatMap(({ image, test, runtime, timing }) =>
    timing?.checkRatio !== undefined && timing.checkRatio > limit ? [{ image, test, runtime, checkRatio: timing.checkRatio }] : [],
  );
}

/**
 * Parses the value of `--fail-on-slow`: a number greater than 1, since a ratio of 1 or
 * less would fail a sandbox for being as fast as the baseline. Throws an Error that names
 * the value.
 */
export function parseFailOnSlow(value: string): number {
  const ratio = Number(value);
  if (value.trim() === '' || !Number.isFinite(ratio) || ratio <= 1) {
    throw new Error(`--fail-on-slow must be a number greater than 1, such as 1.5 or 3 (sandbox duration / baseline duration), got "${value}"`);
  }
  return ratio;
}

/** Counts verdicts by kind, in the summary's order, leaving out kinds with none. */
export function countVerdicts(verdicts: readonly Verdict[]): Partial<Record<Verdict, number>> {
  const counts: Partial<Record<Verdict, number>> = {};
  for (const verdict of VERDICT_ORDER) {
    const count = verdicts.filter((candidate) => candidate === verdict).length;
    if (count > 0) {
      counts[verdict] = count;
    }
  }
  return counts;
}
