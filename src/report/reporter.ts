import { writeReports } from './write-reports.js';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, relative, resolve } from 'node:path';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import { ANNOTATION, EVIDENCE_ATTACHMENT, OBSERVED_ATTACHMENT, annotationValue } from '../driver/annotations.js';
import { COMPARE_ATTACHMENT } from '../driver/compared-values.js';
import { TIMING_ATTACHMENT, parseTiming, type TestTiming } from '../driver/timing.js';
import { truncateOutput } from '../driver/output-text.js';
import { CONTEXT_ENV, partialReportsDir, readRunContext, type RunContext, type RuntimeEndpoint } from '../driver/context.js';
import type { TestEvidence } from '../evidence/types.js';
import { stripAnsi } from './ansi.js';
import { compareText } from './compare-text.js';
import { parseComparedValues } from './compared-attachment.js';
import { parseObservedSteps } from './steps-attachment.js';
import { emptyEvidence, mergeEvidence } from './merge-evidence.js';
import { pairResults } from './pairing.js';
import { verdictChanges } from './upgrade.js';
import { annotateSupport } from './support-annotation.js';
import type { ComparedValue, FailedTry, Outcome, RunReport, RuntimeInfo, StepRecord, TestRunResult } from './types.js';

/** Environment variable that overrides the reporter's `outputDir` option. */
export const REPORTS_DIR_ENV = 'GVMATRIX_REPORTS_DIR';

export { HTML_FILE, JUNIT_FILE, RESULTS_FILE } from './write-reports.js';

export interface GvmatrixReporterOptions {
  /**
   * Folder for junit.xml and results.json, relative to the config folder. When unset the
   * run context's reportsDir applies, and GVMATRIX_REPORTS_DIR overrides both.
   */
  outputDir?: string;
  /** Folder of the Playwright config, which Playwright passes to every reporter. */
  configDir?: string;
}

/** One try of a test, reduced to what the report needs. */
interface TryRecord {
  retry: number;
  status: Outcome;
  error?: string;
  durationMs: number;
  evidence: TestEvidence;
  compared?: ComparedValue[];
  timing?: TestTiming;
  steps?: StepRecord[];
}

interface GatheredTest {
  test: TestCase;
  runtime: RuntimeEndpoint;
  tries: TryRecord[];
}

/**
 * Playwright reporter that pairs every sandbox result with its baseline, classifies it
 * and writes results.json and junit.xml. It prints nothing: the CLI prints the summary
 * from results.json.
 */
export default class GvmatrixReporter implements Reporter {
  private readonly context: RunContext;
  private readonly reportsDir: string;
  private readonly baselineRuntime: string;
  private readonly gathered = new Map<string, GatheredTest>();
  private rootSuite: Suite | undefined;

  constructor(options: GvmatrixReporterOptions = {}) {
    this.context = readRunContext();
    this.baselineRuntime = findBaseline(this.context);
    this.reportsDir = resolveReportsDir(options, this.context, process.env);
  }

  printsToStdio(): boolean {
    return false;
  }

  onBegin(_config: FullConfig, suite: Suite): void {
    this.rootSuite = suite;

    const unknown: string[] = [];
    for (const projectSuite of suite.suites) {
      const project = projectSuite.project();
      if (project && !this.findRuntime(runtimeNameOf(project))) {
        unknown.push(`${project.name} (runtime ${runtimeNameOf(project)})`);
      }
    }
    if (unknown.length > 0) {
      throw new Error(
        `gvmatrix reporter: projects ${unknown.join(', ')} name runtimes missing from the run context ${process.env[CONTEXT_ENV]}, which lists ${this.runtimeNames()}; their results are left out of the reports. Set each project's metadata.runtime to one of those names.`,
      );
    }
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const project = test.parent.project();
    const runtime = project ? this.findRuntime(runtimeNameOf(project)) : undefined;
    if (!runtime) {
      // onBegin has already reported this project once, so repeating it per test adds nothing.
      return;
    }

    const gathered = this.gathered.get(test.id) ?? { test, runtime, tries: [] };
    this.gathered.set(test.id, gathered);

    const record: TryRecord = { retry: result.retry, status: result.status, durationMs: result.duration, ...errorOf(result), evidence: emptyEvidence() };
    gathered.tries.push(record);

    // Each attachment is read on its own, so an invalid one does not cost the other.
    const problems: Error[] = [];
    try {
      record.evidence = readEvidence(result);
    } catch (error) {
      problems.push(invalidAttachment(error, EVIDENCE_ATTACHMENT, 'runsc evidence', test, runtime, result));
    }
    try {
      const compared = readComparedValues(result);
      if (compared !== undefined) {
        record.compared = compared;
      }
    } catch (error) {
      problems.push(invalidAttachment(error, COMPARE_ATTACHMENT, 'compared values', test, runtime, result));
    }
    try {
      const text = attachmentText(result, TIMING_ATTACHMENT);
      if (text !== undefined) {
        record.timing = parseTiming(text);
      }
    } catch (error) {
      problems.push(invalidAttachment(error, TIMING_ATTACHMENT, 'timing', test, runtime, result));
    }
    try {
      const text = attachmentText(result, OBSERVED_ATTACHMENT);
      const steps = text === undefined ? undefined : parseObservedSteps(text);
      if (steps !== undefined) {
        record.steps = steps;
      }
    } catch (error) {
      problems.push(invalidAttachment(error, OBSERVED_ATTACHMENT, 'step records', test, runtime, result));
    }

    if (problems.length === 1) {
      throw problems[0];
    }
    if (problems.length > 1) {
      throw new AggregateError(problems, problems.map((problem) => problem.message).join('\n'));
    }
  }

  async onEnd(result: FullResult): Promise<void> {
    const matrixDir = dirname(this.context.matrixFile);
    const results = [...this.gathered.values()].map((gathered) => toTestRunResult(gathered, matrixDir, this.context.suiteImages));
    results.push(...this.notStartedResults(result.status, matrixDir));
    results.sort((a, b) => compareText(a.image, b.image) || compareText(a.test, b.test) || compareText(a.runtime, b.runtime));

    const missingSupportTables = await annotateSupport(results, this.context.runtimes);
    const known = this.context.known ?? [];
    const verdicts = pairResults(results, this.baselineRuntime, known);
    const sandboxes = this.context.runtimes.filter((runtime) => !runtime.baseline).map((runtime) => runtime.name);
    const report: RunReport = {
      runId: this.context.runId,
      matrixFile: this.context.matrixFile,
      startedAt: this.context.startedAt,
      finishedAt: new Date(result.startTime.getTime() + result.duration).toISOString(),
      runtimes: this.context.runtimes.map(toRuntimeInfo),
      results,
      verdicts,
      verdictChanges: verdictChanges(verdicts, sandboxes),
      missingSupportTables,
      ...this.context.scope,
      known,
    };

    // An interrupted run must not replace the reports of the last complete run.
    const target = result.status === 'interrupted' ? partialReportsDir(this.context.runDir) : this.reportsDir;
    await mkdir(target, { recursive: true });
    await writeReports(target, report);
  }

  /** Results for tests of the run that never reached onTestEnd, because the run stopped first. */
  private notStartedResults(runStatus: FullResult['status'], matrixDir: string): TestRunResult[] {
    const tests = this.rootSuite?.allTests() ?? [];
    const results: TestRunResult[] = [];
    for (const test of tests) {
      const project = test.parent.project();
      const runtime = project ? this.findRuntime(runtimeNameOf(project)) : undefined;
      if (!runtime || this.gathered.has(test.id)) {
        continue;
      }
      results.push({
        ...identify(test, runtime, matrixDir, this.context.suiteImages),
        outcome: 'skipped',
        attempts: [],
        error: `the test did not start before the run ended (run status: ${runStatus})`,
        durationMs: 0,
        evidence: emptyEvidence(),
      });
    }
    return results;
  }

  private findRuntime(name: string): RuntimeEndpoint | undefined {
    return this.context.runtimes.find((runtime) => runtime.name === name);
  }

  private runtimeNames(): string {
    return this.context.runtimes.map((runtime) => runtime.name).join(', ');
  }
}

function findBaseline(context: RunContext): string {
  const baselines = context.runtimes.filter((runtime) => runtime.baseline);
  const [baseline] = baselines;
  if (baselines.length !== 1 || !baseline) {
    throw new Error(
      `gvmatrix reporter: the run context of run ${context.runId} lists ${baselines.length} baseline runtimes (${context.runtimes.map((runtime) => runtime.name).join(', ')}), but pairing needs exactly one. Mark one runtime with baseline: true in the matrix file.`,
    );
  }
  return baseline.name;
}

function resolveReportsDir(options: GvmatrixReporterOptions, context: RunContext, env: NodeJS.ProcessEnv): string {
  const fromEnvironment = env[REPORTS_DIR_ENV];
  if (fromEnvironment) {
    return resolve(fromEnvironment);
  }
  if (options.outputDir) {
    return resolve(options.configDir ?? process.cwd(), options.outputDir);
  }
  return context.reportsDir;
}

function runtimeNameOf(project: { name: string; metadata?: unknown }): string {
  const metadata = project.metadata as { runtime?: unknown } | undefined;
  return typeof metadata?.runtime === 'string' ? metadata.runtime : project.name;
}

/**
 * Returns the first error of a try as plain text, preferring the message over the stack,
 * cut to MAX_STORED_OUTPUT characters: a suite's own assertion may quote all that a
 * container printed.
 */
function errorOf(result: TestResult): { error?: string } {
  const error = result.errors[0] ?? result.error;
  const text = error?.message ?? error?.value ?? error?.stack;
  return text === undefined ? {} : { error: truncateOutput(stripAnsi(text)) };
}

function invalidAttachment(
  error: unknown,
  attachmentName: string,
  content: string,
  test: TestCase,
  runtime: RuntimeEndpoint,
  result: TestResult,
): Error {
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(
    `gvmatrix reporter: the ${attachmentName} attachment of "${test.title}" under ${runtime.name} (try ${result.retry + 1}) is invalid: ${reason}. The result is kept without ${content}; the driver writes this attachment, so report the problem with the attachment's text.`,
    { cause: error },
  );
}

function readEvidence(result: TestResult): TestEvidence {
  const text = attachmentText(result, EVIDENCE_ATTACHMENT);
  return text === undefined ? emptyEvidence() : parseEvidence(text);
}

/** Returns the values of a try's `gvmatrix-compare` attachment, or undefined when it has none. */
function readComparedValues(result: TestResult): ComparedValue[] | undefined {
  const text = attachmentText(result, COMPARE_ATTACHMENT);
  return text === undefined ? undefined : parseComparedValues(text);
}

function attachmentText(result: TestResult, name: string): string | undefined {
  const attachment = result.attachments.find((candidate) => candidate.name === name);
  if (!attachment) {
    return undefined;
  }

  // testInfo.attach() keeps a body as a Buffer but copies a `path` attachment into the
  // test's output folder (Playwright 1.65), so read whichever the driver used.
  if (attachment.body) {
    return attachment.body.toString('utf8');
  }
  if (attachment.path) {
    return readFileSync(attachment.path, 'utf8');
  }
  return undefined;
}

/** Parses an evidence attachment, treating a missing list as empty. */
export function parseEvidence(text: string): TestEvidence {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`expected a JSON object with containerIds, logFiles, unsupportedSyscalls and panics, got ${text.slice(0, 80)}`);
  }

  const fields = value as Partial<Record<keyof TestEvidence, unknown>>;
  return {
    containerIds: listField(fields.containerIds, 'containerIds') as string[],
    logFiles: listField(fields.logFiles, 'logFiles') as string[],
    unsupportedSyscalls: listField(fields.unsupportedSyscalls, 'unsupportedSyscalls') as TestEvidence['unsupportedSyscalls'],
    panics: listField(fields.panics, 'panics') as TestEvidence['panics'],
    sandboxErrors: listField(fields.sandboxErrors, 'sandboxErrors') as NonNullable<TestEvidence['sandboxErrors']>,
  };
}

function listField(value: unknown, name: string): unknown[] {
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value)) {
    throw new Error(`field ${name} must be an array, got ${JSON.stringify(value).slice(0, 80)}`);
  }
  return value;
}

/**
 * Reduces the tries of one test under one runtime to a result: the last try decides the
 * outcome and gives the compared values, the timing and the step records, and every failed try is kept for
 * flakyFailure.
 */
function toTestRunResult(gathered: GatheredTest, matrixDir: string, suiteImages: Record<string, string> = {}): TestRunResult {
  const tries = [...gathered.tries].sort((a, b) => a.retry - b.retry);
  const last = tries[tries.length - 1] as TryRecord;
  const lastError = [...tries].reverse().find((record) => record.error !== undefined)?.error;
  const failedTries = tries.flatMap(toFailedTry);

  const result: TestRunResult = {
    ...identify(gathered.test, gathered.runtime, matrixDir, suiteImages),
    outcome: last.status,
    attempts: tries.map((record) => record.status),
    durationMs: tries.reduce((total, record) => total + record.durationMs, 0),
    evidence: mergeEvidence(tries.map((record) => record.evidence)),
  };
  if (lastError !== undefined) {
    result.error = lastError;
  }
  if (failedTries.length > 0) {
    result.failedTries = failedTries;
  }
  if (last.compared !== undefined) {
    result.compared = last.compared;
  }
  if (last.timing !== undefined) {
    result.timing = last.timing;
  }
  if (last.steps !== undefined) {
    result.steps = last.steps;
  }
  return result;
}

function toFailedTry(record: TryRecord): FailedTry[] {
  if (record.status !== 'failed' && record.status !== 'timedOut') {
    return [];
  }
  const failed: FailedTry = { attempt: record.retry + 1, outcome: record.status, durationMs: record.durationMs };
  if (record.error !== undefined) {
    failed.error = record.error;
  }
  return [failed];
}

type Identity = Pick<TestRunResult, 'image' | 'test' | 'runtime' | 'runtimeKind' | 'baseline' | 'source' | 'file'>;

/** Names a test from the driver's annotations, falling back to its titles for hand-written suites without them. */
function identify(test: TestCase, runtime: RuntimeEndpoint, matrixDir: string, suiteImages: Record<string, string> = {}): Identity {
  const source = annotationValue(test.annotations, ANNOTATION.source) === 'matrix' ? 'matrix' : 'suite';
  const identity: Identity = {
    image: annotationValue(test.annotations, ANNOTATION.image) ?? suiteImages[test.location.file] ?? outermostDescribe(test) ?? specName(test.location.file),
    test: annotationValue(test.annotations, ANNOTATION.test) ?? test.title,
    runtime: runtime.name,
    runtimeKind: runtime.kind,
    baseline: runtime.baseline,
    source,
  };
  if (source === 'suite') {
    identity.file = relative(matrixDir, test.location.file);
  }
  return identity;
}

function outermostDescribe(test: TestCase): string | undefined {
  let title: string | undefined;
  for (let suite: Suite | undefined = test.parent; suite; suite = suite.parent) {
    if (suite.type === 'describe') {
      title = suite.title;
    }
  }
  return title;
}

/** `suites/nginx.spec.ts` → `nginx`. */
function specName(file: string): string {
  return basename(file).replace(/\.(spec|test)\.[cm]?[jt]s$/, '').replace(/\.[cm]?[jt]s$/, '');
}

/** Returns the fields of a runtime that results.json records. */
export function toRuntimeInfo(runtime: RuntimeInfo): RuntimeInfo {
  return {
    name: runtime.name,
    kind: runtime.kind,
    baseline: runtime.baseline,
    path: runtime.path,
    version: runtime.version,
    flags: runtime.flags,
  };
}
