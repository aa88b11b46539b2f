import type { VerdictChange } from './upgrade.js';
import type { KnownIncompatibility, NetstackWorkaround, RuntimeKind } from '../matrix/types.js';
import type { ShardSpec } from '../driver/shard.js';
import type { TestEvidence } from '../evidence/types.js';
import type { ComparedValue } from '../driver/compared-values.js';
import type { TestTiming } from '../driver/timing.js';
import type { StepRecord } from '../driver/step-records.js';
import type { TimingComparison } from './timing.js';

export type { ComparedValue } from '../driver/compared-values.js';
export type { StepRecord } from '../driver/step-records.js';

/** Playwright's final status of a test, as its TestResult reports it. */
export type Outcome = 'passed' | 'failed' | 'timedOut' | 'skipped' | 'interrupted';

/** DESIGN.md's verdicts, one per image, test and sandbox runtime. */
export type Verdict =
  | 'compatible'
  | 'syscall-incompatible'
  | 'behavior-diff'
  | 'sandbox-crash'
  | 'baseline-failure'
  | 'known'
  | 'fixed'
  | 'flaky'
  | 'not-run';

/** A try that failed or timed out, kept for Surefire's flakyFailure elements when a later try passed. */
export interface FailedTry {
  /** 1 for the first try. */
  attempt: number;
  outcome: 'failed' | 'timedOut';
  /** The try's failure message with details, when Playwright reported one. */
  error?: string;
  durationMs: number;
}

/** One test run under one runtime, as the driver observed it. */
export interface TestRunResult {
  image: string;
  test: string;
  runtime: string;
  runtimeKind: RuntimeKind;
  baseline: boolean;
  /** Final outcome after retries. */
  outcome: Outcome;
  /** Outcomes of every try in order; more than one entry when the test was retried. */
  attempts: Outcome[];
  /** First line of the failure message plus details, when the test failed. */
  error?: string;
  /** Every try that failed or timed out, in order; absent when none did. */
  failedTries?: FailedTry[];
  durationMs: number;
  /** `matrix` for declarative tests from matrix.yaml, `suite` for Playwright spec files. */
  source: 'matrix' | 'suite';
  /** Spec file of a suite test, relative to the matrix folder. */
  file?: string;
  evidence: TestEvidence;
  /** Values of the test's `compare:` observables from the last try; absent when the test compares nothing or the try recorded none. */
  compared?: ComparedValue[];
  /** Container start and check durations of the last try. Absent in reports written before gvmatrix measured them. */
  timing?: TestTiming;
  /** Records of the steps of a `steps:` test in the last try, with output cut to MAX_REPORTED_STEP_TEXT characters. Absent for other tests. */
  steps?: StepRecord[];
}

/** One row of a per-call comparison: a call whose JSON line differs between the runtimes. */
export interface CallDifference {
  /** The value of the line's `call` (or `name`) field; a repeated call gets `#2`, `#3` appended. */
  call: string;
  /** The fields that differ, as `field=value` under the baseline, or `(absent)` when the call is missing there. */
  baseline: string;
  sandbox: string;
}

/** A compared observable whose normalized values differ between the baseline and a sandbox. */
export interface ObservedDifference {
  /** The observable as `compare:` names it: `stdout`, `header: date`, `file: /etc/hostname`. */
  observable: string;
  /** Short excerpts of the two normalized values (or of why one could not be read), for the one-line message. */
  baselineExcerpt: string;
  sandboxExcerpt: string;
  /** Unified diff of the normalized values, trimmed with a note of the lines cut; absent when `calls` is set. */
  diff?: string;
  /** Field that keys `calls`: `call` or `name`. */
  callField?: string;
  /** The differing calls, when both values are JSON lines with a `call` (or `name`) field. */
  calls?: CallDifference[];
  /** Differing calls left out of `calls` to keep the report readable. */
  callsCut?: number;
}

/** The classification of one sandbox result against its baseline. */
export interface VerdictRecord {
  image: string;
  test: string;
  runtime: string;
  verdict: Verdict;
  /** One line naming the cause: the syscalls, the error, or the panic. */
  message: string;
  /** Longer text for the JUnit failure body: errors of both runtimes, stack excerpt, diffs of compared values. */
  details: string;
  /** Compared observables that differ after normalization; absent when none do. */
  differences?: ObservedDifference[];
  sandbox: TestRunResult;
  baselineResult?: TestRunResult;
  /** Sandbox/baseline ratios of the check and of the container start, and whether the check is slow. Absent when either result has no timing. */
  timing?: TimingComparison;
}

/** A runtime as the engine probed it at the start of the run. */
export interface RuntimeInfo {
  name: string;
  kind: RuntimeKind;
  baseline: boolean;
  /** Absolute path of the runtime binary. */
  path: string;
  /** First line of `runc --version` or `runsc --version`. */
  version: string;
  flags: string[];
  /** The matrix's `netstack:` workaround, under which the engine runs runsc through a wrapper script. */
  netstack?: NetstackWorkaround;
}

/** Everything one run produced; written as reports/results.json. */
export interface RunReport {
  runId: string;
  matrixFile: string;
  startedAt: string;
  finishedAt: string;
  runtimes: RuntimeInfo[];
  results: TestRunResult[];
  verdicts: VerdictRecord[];
  /** Tests whose verdict differs between sandbox runtimes (the upgrade view). */
  verdictChanges?: VerdictChange[];
  /** Sandbox runtimes whose findings have no support level, with the reason (a runsc without the table). */
  missingSupportTables?: Record<string, string>;
  /** SHA-256 of the matrix file's bytes in hex. It and the fields below are absent in reports written before `gvmatrix merge` existed. */
  matrixDigest?: string;
  /** The shard of `gvmatrix run --shard` that produced this report; absent for an unsharded run and a merge. */
  shard?: ShardSpec;
  /** Images this report covers, in matrix order. */
  images?: string[];
  /** Images selected before sharding: every image of the matrix, or those named with `--image`. */
  selectedImages?: string[];
  /** The matrix's `known:` entries, which `gvmatrix merge` applies again when it pairs the results. */
  known?: KnownIncompatibility[];
  /** The reports that `gvmatrix merge` combined into this one. */
  mergedFrom?: MergeSource[];
}

/** The part of the matrix a run covers, which the CLI passes to the reporter in the run context. */
export interface RunScope {
  matrixDigest: string;
  shard?: ShardSpec;
  images: string[];
  selectedImages: string[];
}

/** One report that `gvmatrix merge` combined. */
export interface MergeSource {
  /** The reports folder as given on the command line. */
  folder: string;
  runId: string;
  shard?: ShardSpec;
  images: string[];
}
