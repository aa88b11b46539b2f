import { decodeFinding } from '../evidence/decode.js';
import { formatStepRecords } from '../driver/step-records.js';
import junitReportBuilderModule from 'junit-report-builder';
import type { Builder, TestCase as JUnitTestCase, TestSuite as JUnitTestSuite } from 'junit-report-builder';
import type { UnsupportedSyscall } from '../evidence/types.js';
import { compareText } from './compare-text.js';
import { firstLine } from './first-line.js';
import { addFlakyFailures } from './flaky-failures.js';
import { markSkipped } from './skipped-message.js';
import type { RunReport, RuntimeInfo, TestRunResult, VerdictRecord } from './types.js';
import { toCdataText, toXmlText } from './xml-text.js';

// junit-report-builder 5.1 types its entry point as an ES module with a default export,
// but the file assigns the builder to module.exports, which Node hands to an ESM
// default import as is. The cast states what Node actually returns.
const sharedBuilder = junitReportBuilderModule as unknown as Builder;

/** The results of one image under one runtime: one JUnit testsuite. */
interface SuiteGroup {
  image: string;
  runtime: string;
  results: TestRunResult[];
}

/**
 * Builds the JUnit XML of a run: a testsuite per image and runtime (`nginx [runsc]`),
 * baseline runtimes included, and a testcase per test. Sandbox testcases show their
 * verdict, baseline testcases their outcome. Every text passes through toXmlText or
 * toCdataText before it reaches the builder.
 */
export function buildJUnit(report: RunReport): string {
  // A fresh builder per call: the package's default export is one shared builder, and
  // reusing it would append this run's suites to those of every earlier call.
  const builder = sharedBuilder.newBuilder();
  builder.name(toXmlText(`gvmatrix ${report.runId}`));

  const verdicts = new Map(report.verdicts.map((record) => [resultKey(record), record]));
  for (const group of groupResults(report)) {
    const runtime = findRuntime(report, group);
    const suite = builder
      .testSuite()
      .name(toXmlText(`${group.image} [${group.runtime}]`))
      .timestamp(toXmlText(report.startedAt))
      .time(sumSeconds(group.results));
    addSuiteProperties(suite, group, runtime, report.runId);

    for (const result of group.results) {
      addTestCase(suite, result, verdicts.get(resultKey(result)), runtime);
    }
  }

  return builder.build();
}

function addSuiteProperties(suite: JUnitTestSuite, group: SuiteGroup, runtime: RuntimeInfo, runId: string): void {
  suite
    .property('gvmatrix.run-id', toXmlText(runId))
    .property('gvmatrix.image', toXmlText(group.image))
    .property('gvmatrix.runtime', toXmlText(runtime.name))
    .property('gvmatrix.runtime.kind', runtime.kind)
    .property('gvmatrix.runtime.version', toXmlText(runtime.version))
    .property('gvmatrix.runtime.baseline', String(runtime.baseline))
    .property('gvmatrix.runtime.flags', toXmlText(runtime.flags.join(' ')));
}

function addTestCase(
  suite: JUnitTestSuite,
  result: TestRunResult,
  verdict: VerdictRecord | undefined,
  runtime: RuntimeInfo,
): void {
  const testCase = suite
    .testCase()
    .className(toXmlText(`${result.image}.${result.runtime}`))
    .name(toXmlText(result.test))
    .time(result.durationMs / 1000);
  if (result.file) {
    testCase.file(toXmlText(result.file));
  }

  addTestCaseProperties(testCase, result, verdict, runtime);

  const note = verdict && !result.baseline ? markVerdict(testCase, verdict) : markOutcome(testCase, result);
  // The builder keeps one system-out per testcase, which is what parsers in the wild
  // expect, so the verdict's note and the step records share it.
  const systemOut = [note, stepsText(result)].filter((text) => text !== undefined).join('\n\n');
  if (systemOut !== '') {
    testCase.standardOutput(toCdataText(systemOut));
  }

  if (result.outcome === 'passed' && passesInJUnit(result, verdict)) {
    addFlakyFailures(testCase, result.failedTries ?? []);
  }
}

/** Tells whether a testcase is written as passed: flakyFailure elements belong only in those. */
function passesInJUnit(result: TestRunResult, verdict: VerdictRecord | undefined): boolean {
  if (verdict && !result.baseline) {
    return verdict.verdict === 'compatible' || verdict.verdict === 'flaky';
  }
  return result.outcome === 'passed';
}

function addTestCaseProperties(
  testCase: JUnitTestCase,
  result: TestRunResult,
  verdict: VerdictRecord | undefined,
  runtime: RuntimeInfo,
): void {
  if (verdict && !result.baseline) {
    testCase.property('gvmatrix.verdict', verdict.verdict);
  }
  testCase
    .property('gvmatrix.runtime', toXmlText(result.runtime))
    .property('gvmatrix.runtime.kind', runtime.kind)
    .property('gvmatrix.runtime.version', toXmlText(runtime.version))
    .property('gvmatrix.image', toXmlText(result.image))
    .property('gvmatrix.source', result.source);
  if (result.attempts.length > 1) {
    testCase.property('gvmatrix.attempts', result.attempts.join(','));
  }
  if (verdict && !result.baseline) {
    for (const difference of verdict.differences ?? []) {
      testCase.property('gvmatrix.differs', toXmlText(difference.observable));
    }
  }
  addTimingProperties(testCase, result, !result.baseline ? verdict : undefined);

  for (const finding of distinctFindings(result.evidence.unsupportedSyscalls)) {
    testCase.property('gvmatrix.unsupported-syscall', toXmlText(`${finding.name}(${finding.args.join(',')})`));
    testCase.property('gvmatrix.unsupported-feature', toXmlText(decodeFinding(finding).key));
    if (finding.support) {
      testCase.property('gvmatrix.support', toXmlText(`${decodeFinding(finding).key}: ${finding.support.level}`));
    }
  }
  for (const containerId of new Set(result.evidence.containerIds)) {
    testCase.property('gvmatrix.container', toXmlText(containerId));
  }
}

/**
 * Adds the try's durations in milliseconds and, on a sandbox testcase, the ratios against
 * the baseline, so a dashboard can chart them next to the verdict.
 */
function addTimingProperties(testCase: JUnitTestCase, result: TestRunResult, verdict: VerdictRecord | undefined): void {
  const timing = result.timing;
  if (timing?.startMs !== undefined) testCase.property('gvmatrix.start-ms', String(timing.startMs));
  if (timing?.readyMs !== undefined) testCase.property('gvmatrix.ready-ms', String(timing.readyMs));
  if (timing?.checkMs !== undefined) testCase.property('gvmatrix.check-ms', String(timing.checkMs));

  const comparison = verdict?.timing;
  if (!comparison) {
    return;
  }
  if (comparison.checkRatio !== undefined) testCase.property('gvmatrix.check-ratio', String(comparison.checkRatio));
  if (comparison.startRatio !== undefined) testCase.property('gvmatrix.start-ratio', String(comparison.startRatio));
  if (comparison.slowRatio !== undefined) testCase.property('gvmatrix.slow-ratio', String(comparison.slowRatio));
  if (comparison.slow) testCase.property('gvmatrix.slow', 'true');
}

/** Maps a sandbox verdict onto JUnit's pass, failure, error and skipped. Returns the system-out note of a known, flaky or not-run verdict. */
function markVerdict(testCase: JUnitTestCase, record: VerdictRecord): string | undefined {
  const message = toXmlText(record.message);
  const details = toCdataText(record.details);

  switch (record.verdict) {
    case 'compatible':
      return undefined;
    case 'syscall-incompatible':
    case 'behavior-diff':
    case 'sandbox-crash':
    case 'fixed':
      testCase.failure(message, record.verdict);
      if (details) {
        testCase.stacktrace(details);
      }
      return undefined;
    case 'baseline-failure':
      testCase.error(message, record.verdict, details);
      return undefined;
    case 'known':
      // The reason also goes into a property, for dashboards that group by it, and the
      // details into system-out.
      markSkipped(testCase, record.message);
      testCase.property('gvmatrix.known-reason', message);
      return `known incompatibility: ${record.message}\n\n${record.details}`;
    case 'flaky':
      // A pass with a property and a system-out note; addTestCase adds Surefire's
      // flakyFailure elements when this runtime's own tries failed.
      testCase.property('gvmatrix.flaky', 'true');
      return `flaky: ${record.message}\n\n${record.details}`;
    case 'not-run':
      markSkipped(testCase, record.message);
      return `not run: ${record.message}\n\n${record.details}`;
    default:
      assertNever(record.verdict);
  }
}

/** Maps a result without a verdict (a baseline result) onto JUnit by its outcome. Returns the system-out note of a skipped or interrupted one. */
function markOutcome(testCase: JUnitTestCase, result: TestRunResult): string | undefined {
  switch (result.outcome) {
    case 'passed':
      return undefined;
    case 'failed':
    case 'timedOut': {
      const message = result.error ? firstLine(result.error) : `${result.outcome} under ${result.runtime} with no error message`;
      testCase.error(toXmlText(message), result.outcome, toCdataText(result.error ?? ''));
      return undefined;
    }
    case 'skipped':
    case 'interrupted':
      markSkipped(testCase, `${result.outcome} under ${result.runtime}`);
      return `${result.outcome} under ${result.runtime}`;
    default:
      assertNever(result.outcome);
  }
}

/** Lists what each step of a steps test observed, one short line a step, so a passing testcase shows it too. */
function stepsText(result: TestRunResult): string | undefined {
  if (result.steps === undefined || result.steps.length === 0) {
    return undefined;
  }
  return `steps under ${result.runtime}:\n${formatStepRecords(result.steps)}`;
}

/** Groups results by image (sorted) and runtime (baselines first, then the report's runtime order). */
function groupResults(report: RunReport): SuiteGroup[] {
  const groups = new Map<string, SuiteGroup>();
  for (const result of report.results) {
    const key = JSON.stringify([result.image, result.runtime]);
    let group = groups.get(key);
    if (!group) {
      group = { image: result.image, runtime: result.runtime, results: [] };
      groups.set(key, group);
    }
    group.results.push(result);
  }

  const runtimeOrder = orderRuntimes(report);
  const sorted = [...groups.values()].sort(
    (a, b) => compareText(a.image, b.image) || runtimeOrder(a.runtime) - runtimeOrder(b.runtime) || compareText(a.runtime, b.runtime),
  );
  for (const group of sorted) {
    group.results.sort((a, b) => compareText(a.test, b.test));
  }
  return sorted;
}

/** Returns a rank per runtime name: baselines first, then the rest in report order, unknown names last. */
function orderRuntimes(report: RunReport): (name: string) => number {
  const ordered = [...report.runtimes.filter((runtime) => runtime.baseline), ...report.runtimes.filter((runtime) => !runtime.baseline)];
  const ranks = new Map(ordered.map((runtime, index) => [runtime.name, index]));
  return (name) => ranks.get(name) ?? ordered.length;
}

/** Finds the probed runtime of a group; a result from a runtime the report does not list keeps its own kind. */
function findRuntime(report: RunReport, group: SuiteGroup): RuntimeInfo {
  const probed = report.runtimes.find((runtime) => runtime.name === group.runtime);
  if (probed) {
    return probed;
  }

  const sample = group.results[0] as TestRunResult;
  return { name: group.runtime, kind: sample.runtimeKind, baseline: sample.baseline, path: '', version: 'unknown', flags: [] };
}

/** Returns one finding per syscall name and arguments, in the order first seen. */
function distinctFindings(findings: readonly UnsupportedSyscall[]): UnsupportedSyscall[] {
  const byCall = new Map<string, UnsupportedSyscall>();
  for (const finding of findings) {
    const key = JSON.stringify([finding.name, finding.args]);
    if (!byCall.has(key)) {
      byCall.set(key, finding);
    }
  }
  return [...byCall.values()];
}

function resultKey(item: { image: string; test: string; runtime: string }): string {
  return JSON.stringify([item.image, item.test, item.runtime]);
}

function sumSeconds(results: readonly TestRunResult[]): number {
  return results.reduce((total, result) => total + result.durationMs, 0) / 1000;
}

function assertNever(value: never): never {
  throw new Error(`unhandled value ${JSON.stringify(value)}: the JUnit mapping lacks a case for it`);
}
