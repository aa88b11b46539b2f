import { decodeFinding } from '../evidence/decode.js';
import { isBenign } from '../evidence/benign.js';
import { logKind } from '../evidence/runsc-log.js';
import type { SandboxError, SandboxPanic, UnsupportedSyscall } from '../evidence/types.js';
import type { KnownIncompatibility } from '../matrix/types.js';
import { formatDifferencesMessage, formatDifferencesSection, formatUncomparedSection } from './difference-text.js';
import { compareObserved, type ObservedComparison } from './differences.js';
import { firstLine } from './first-line.js';
import { describeKnownEntry, findKnownEntry } from './known.js';
import type { ObservedDifference, Outcome, TestRunResult, Verdict, VerdictRecord } from './types.js';

/** The verdict with its message and details, before it is tied to the results it came from. */
interface Classification {
  verdict: Verdict;
  message: string;
  details: string;
  differences?: ObservedDifference[];
}

/** Verdicts that break the CI gate: the sandbox changed behaviour, or the matrix itself is wrong. */
const FAILURE_VERDICTS: ReadonlySet<Verdict> = new Set<Verdict>([
  'syscall-incompatible',
  'behavior-diff',
  'sandbox-crash',
  'baseline-failure',
  'fixed',
]);

/** Verdicts that a `known:` entry turns into `known`. */
export const INCOMPATIBLE_VERDICTS: ReadonlySet<Verdict> = new Set<Verdict>([
  'syscall-incompatible',
  'behavior-diff',
  'sandbox-crash',
]);

/** Tells whether a verdict fails the gate. */
export function isFailure(verdict: Verdict): boolean {
  return FAILURE_VERDICTS.has(verdict);
}

/**
 * Classifies one sandbox result against the baseline result of the same image and test,
 * then applies the `known:` list. The rules apply in a fixed order, and the first that
 * matches decides: not run, sandbox crash, baseline failure, compared values that differ
 * while both pass (a behaviour difference), flaky, syscall incompatibility, behaviour
 * difference, compatible. Compared values come before flaky so that a retry cannot hide
 * a difference from the gate.
 */
export function classify(
  sandbox: TestRunResult,
  baseline: TestRunResult | undefined,
  known: readonly KnownIncompatibility[],
): VerdictRecord {
  const classification = classifyAgainstBaseline(sandbox, baseline);
  const final = applyKnownEntries(sandbox, classification, known);

  const record: VerdictRecord = {
    image: sandbox.image,
    test: sandbox.test,
    runtime: sandbox.runtime,
    verdict: final.verdict,
    message: final.message,
    details: final.details,
    sandbox,
  };
  if (final.differences && final.differences.length > 0) {
    record.differences = final.differences;
  }
  if (baseline) {
    record.baselineResult = baseline;
  }
  return record;
}

function classifyAgainstBaseline(sandbox: TestRunResult, baseline: TestRunResult | undefined): Classification {
  if (!baseline) {
    return {
      verdict: 'not-run',
      message: `no baseline result: ${sandbox.image} › ${sandbox.test} did not run under the baseline runtime`,
      details: `The baseline runtime recorded no result for this test, so the ${sandbox.runtime} result (${sandbox.outcome}) cannot be compared. Run the baseline project as well, or check why the run stopped before it.`,
    };
  }

  if (!hasRun(sandbox.outcome)) {
    return notRun(sandbox);
  }
  if (!hasRun(baseline.outcome)) {
    return notRun(baseline);
  }

  const crashCauses = findCrashCauses(sandbox, baseline);
  if (crashCauses.length > 0) {
    return sandboxCrash(sandbox, baseline, crashCauses);
  }

  if (baseline.outcome !== 'passed') {
    return baselineFailure(sandbox, baseline);
  }

  const observed = compareObserved(baseline, sandbox);
  if (sandbox.outcome === 'passed' && observed.differences.length > 0) {
    return comparedValuesDiffer(sandbox, baseline, observed);
  }

  const flakySide = [sandbox, baseline].find((result) => isFlaky(result.attempts));
  if (flakySide) {
    return withObserved(flaky(flakySide, sandbox, baseline), observed, sandbox, baseline);
  }

  if (isFailed(sandbox.outcome)) {
    const causes = sandbox.evidence.unsupportedSyscalls.filter((finding) => !isBenign(finding));
    if (causes.length > 0) {
      return withObserved(syscallIncompatible(sandbox, baseline, causes), observed, sandbox, baseline);
    }
    return withObserved(behaviorDiff(sandbox, baseline), observed, sandbox, baseline);
  }

  return withObserved(compatible(sandbox, baseline), observed, sandbox, baseline);
}

/** Adds the compared values that differ, and those recorded under one runtime only, to a classification. */
function withObserved(
  classification: Classification,
  observed: ObservedComparison,
  sandbox: TestRunResult,
  baseline: TestRunResult,
): Classification {
  const details = joinSections([
    classification.details,
    formatDifferencesSection(observed.differences, baseline.runtime, sandbox.runtime),
    formatUncomparedSection(observed.uncompared),
  ]);
  return observed.differences.length > 0
    ? { ...classification, details, differences: observed.differences }
    : { ...classification, details };
}

function notRun(side: TestRunResult): Classification {
  const role = side.baseline ? 'baseline runtime' : 'sandbox runtime';
  const reason = side.error ? `: ${firstLine(side.error)}` : '';
  return {
    verdict: 'not-run',
    message: `did not run under the ${role} ${side.runtime}: the test was ${side.outcome}${reason}`,
    details: joinSections([
      `${side.image} › ${side.test} was ${side.outcome} under ${side.runtime}, so there is nothing to compare.`,
      side.error ? `Error under ${side.runtime}:\n${side.error}` : '',
    ]),
  };
}

/** One sign that the sandbox died: a sentence naming what died, and its evidence for the details. */
interface CrashCause {
  message: string;
  details: string;
}

/**
 * Returns the signs that the sandbox died during the test, the strongest first: a sandbox
 * or gofer process that died, then panics, then runsc commands that lost the sandbox.
 * A lost sandbox counts only when the baseline passed, because an application whose
 * container exits during an exec makes runsc lose the sandbox too, and that application
 * fails under runc as well. The test's error text is never read for these signs, because
 * it may quote the container's output, which can imitate any runsc line.
 */
function findCrashCauses(sandbox: TestRunResult, baseline: TestRunResult): CrashCause[] {
  const sandboxErrors = sandbox.evidence.sandboxErrors ?? [];
  const deaths = sandboxErrors.filter((error) => error.kind !== 'sandbox-lost').map(sandboxErrorCause);
  const panics = sandbox.evidence.panics.map(panicCause);
  if (baseline.outcome !== 'passed') {
    return [...deaths, ...panics];
  }

  const losses = sandboxErrors.filter((error) => error.kind === 'sandbox-lost').map(sandboxErrorCause);
  return [...deaths, ...panics, ...losses];
}

function sandboxCrash(sandbox: TestRunResult, baseline: TestRunResult, causes: CrashCause[]): Classification {
  const first = causes[0] as CrashCause;
  return {
    verdict: 'sandbox-crash',
    message: first.message,
    details: joinSections([
      causes.map((cause) => cause.details).join('\n\n'),
      errorSection(sandbox),
      baselineSection(baseline),
    ]),
  };
}

function baselineFailure(sandbox: TestRunResult, baseline: TestRunResult): Classification {
  return {
    verdict: 'baseline-failure',
    message: baseline.error ? firstLine(baseline.error) : `${baseline.outcome} under ${baseline.runtime} with no error message`,
    details: joinSections([
      `The test fails under the baseline runtime ${baseline.runtime} as well, so the test or the image is broken, not gVisor. Fix it under ${baseline.runtime} first.`,
      errorSection(baseline),
      `Outcome under ${sandbox.runtime}: ${sandbox.outcome}`,
    ]),
  };
}

function flaky(flakySide: TestRunResult, sandbox: TestRunResult, baseline: TestRunResult): Classification {
  return {
    verdict: 'flaky',
    message: `outcome changed between retries under ${flakySide.runtime}: ${flakySide.attempts.join(', ')}`,
    details: joinSections([
      `Tries under ${sandbox.runtime}: ${sandbox.attempts.join(', ')}`,
      `Tries under ${baseline.runtime}: ${baseline.attempts.join(', ')}`,
      sandbox.error ? `Last error under ${sandbox.runtime}:\n${sandbox.error}` : '',
      baseline.error ? `Last error under ${baseline.runtime}:\n${baseline.error}` : '',
    ]),
  };
}

function syscallIncompatible(
  sandbox: TestRunResult,
  baseline: TestRunResult,
  causes: UnsupportedSyscall[],
): Classification {
  // ioctl(TCGETS) and ioctl(TIOCSTI) are different features, so name the decoded call.
  const names = [...new Set(causes.map((finding) => decodeFinding(finding).feature ?? finding.name))].sort();
  return {
    verdict: 'syscall-incompatible',
    message: `unsupported syscalls: ${names.join(', ')} - ${errorFirstLine(sandbox)}`,
    details: joinSections([
      `Unsupported syscalls reported by runsc:\n${causes.map(formatFinding).join('\n')}`,
      benignSection(sandbox),
      errorSection(sandbox),
      baselineSection(baseline),
    ]),
  };
}

/** Both runtimes pass, but compared values differ: the differences lead the details, ahead of the evidence. */
function comparedValuesDiffer(sandbox: TestRunResult, baseline: TestRunResult, observed: ObservedComparison): Classification {
  const retried = [sandbox, baseline].filter((result) => result.attempts.length > 1);
  return {
    verdict: 'behavior-diff',
    message: formatDifferencesMessage(observed.differences, baseline.runtime, sandbox.runtime),
    details: joinSections([
      `The test passes under ${baseline.runtime} and ${sandbox.runtime}, but values it compares differ.`,
      formatDifferencesSection(observed.differences, baseline.runtime, sandbox.runtime),
      formatUncomparedSection(observed.uncompared),
      retried.map((result) => `Tries under ${result.runtime}: ${result.attempts.join(', ')}`).join('\n'),
      benignSection(sandbox),
    ]),
    differences: observed.differences,
  };
}

function behaviorDiff(sandbox: TestRunResult, baseline: TestRunResult): Classification {
  return {
    verdict: 'behavior-diff',
    message: errorFirstLine(sandbox),
    details: joinSections([errorSection(sandbox), baselineSection(baseline), benignSection(sandbox)]),
  };
}

function compatible(sandbox: TestRunResult, baseline: TestRunResult): Classification {
  const findings = sandbox.evidence.unsupportedSyscalls;
  return {
    verdict: 'compatible',
    message: `passes under ${baseline.runtime} and ${sandbox.runtime}`,
    details: findings.length > 0
      ? `Unsupported syscalls seen while the test passed (evidence, not a failure):\n${findings.map(formatFinding).join('\n')}`
      : '',
  };
}

function applyKnownEntries(
  sandbox: TestRunResult,
  classification: Classification,
  known: readonly KnownIncompatibility[],
): Classification {
  const entry = findKnownEntry(sandbox.image, sandbox.test, sandbox.runtime, known);
  if (!entry) {
    return classification;
  }

  const link = entry.link ? `\nSee ${entry.link}` : '';
  if (INCOMPATIBLE_VERDICTS.has(classification.verdict)) {
    // The differences stay on the record, so a dashboard still shows what the entry covers.
    return {
      ...classification,
      verdict: 'known',
      message: entry.reason,
      details: joinSections([
        `The known: entry at ${describeKnownEntry(entry)} expects this incompatibility.${link}`,
        `Verdict without the entry: ${classification.verdict}: ${classification.message}`,
        classification.details,
      ]),
    };
  }

  if (classification.verdict === 'compatible') {
    return {
      verdict: 'fixed',
      message: `the known incompatibility no longer reproduces under ${sandbox.runtime}: remove its entry at ${describeKnownEntry(entry)}`,
      details: joinSections([`The entry's reason: ${entry.reason}${link}`, classification.details]),
    };
  }

  return classification;
}

function hasRun(outcome: Outcome): boolean {
  return outcome !== 'skipped' && outcome !== 'interrupted';
}

function isFailed(outcome: Outcome): boolean {
  return outcome === 'failed' || outcome === 'timedOut';
}

function isFlaky(attempts: readonly Outcome[]): boolean {
  return attempts.includes('passed') && attempts.some(isFailed);
}

function errorFirstLine(result: TestRunResult): string {
  return result.error ? firstLine(result.error) : `${result.outcome} under ${result.runtime} with no error message`;
}

function errorSection(result: TestRunResult): string {
  return `Error under ${result.runtime} (${result.outcome}):\n${result.error ?? '(no error message)'}`;
}

function baselineSection(baseline: TestRunResult): string {
  return `Outcome under the baseline ${baseline.runtime}: ${baseline.outcome}`;
}

function benignSection(result: TestRunResult): string {
  const benign = result.evidence.unsupportedSyscalls.filter(isBenign);
  if (benign.length === 0) {
    return '';
  }
  return `Benign unsupported syscalls, seen in nearly every program and not the cause:\n${benign.map(formatFinding).join('\n')}`;
}

function formatFinding(finding: UnsupportedSyscall): string {
  const feature = decodeFinding(finding).feature;
  const support = finding.support ? `, gVisor: ${finding.support.level}${finding.support.note ? ` (${finding.support.note.replace(/\s+/g, ' ').trim()})` : ''}` : '';
  return `  ${finding.line.trim()}${feature ? ` [${feature}]` : ''}${support} (container ${finding.containerId}, ${finding.logFile})`;
}

/** Builds the crash cause of a panic, naming the process by its log: the boot log is the sandbox's, the gofer log the gofer's. */
function panicCause(panic: SandboxPanic): CrashCause {
  const message = `runsc ${processOfLog(panic.logFile)} died: ${panic.message}`;
  const frames = panic.frames.map((frame) => `  ${frame}`).join('\n');
  return {
    message,
    details: `${message}\n(container ${panic.containerId}, ${panic.logFile})${frames ? `\n${frames}` : ''}`,
  };
}

function processOfLog(logFile: string): string {
  const kind = logKind(logFile);
  if (kind === 'boot') {
    return 'sandbox process';
  }
  if (kind === 'gofer') {
    return 'gofer process';
  }
  return kind === undefined ? 'process' : `${kind} command`;
}

function sandboxErrorCause(error: SandboxError): CrashCause {
  const lines = error.lines.map((line) => `  ${line}`).join('\n');
  return {
    message: error.message,
    details: `${error.message}\n(container ${error.containerId}, ${error.logFile})${lines ? `\n${lines}` : ''}`,
  };
}

function joinSections(sections: string[]): string {
  return sections.filter((section) => section !== '').join('\n\n');
}
