import type { RuntimeKind } from '../matrix/types.js';
import type { TestEvidence } from '../evidence/types.js';

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
  durationMs: number;
  /** `matrix` for declarative tests from matrix.yaml, `suite` for Playwright spec files. */
  source: 'matrix' | 'suite';
  /** Spec file of a suite test, relative to the matrix folder. */
  file?: string;
  evidence: TestEvidence;
}

/** The classification of one sandbox result against its baseline. */
export interface VerdictRecord {
  image: string;
  test: string;
  runtime: string;
  verdict: Verdict;
  /** One line naming the cause: the syscalls, the error, or the panic. */
  message: string;
  /** Longer text for the JUnit failure body: errors of both runtimes, stack excerpt. */
  details: string;
  sandbox: TestRunResult;
  baselineResult?: TestRunResult;
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
}
