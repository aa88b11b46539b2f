import { isBenign } from '../evidence/benign.js';
import type { SandboxPanic, UnsupportedSyscall } from '../evidence/types.js';
import type { KnownIncompatibility } from '../matrix/types.js';
import { firstLine } from './first-line.js';
import { describeKnownEntry, findKnownEntry } from './known.js';
import type { Outcome, TestRunResult, Verdict, VerdictRecord } from './types.js';

/** The verdict with its message and details, before it is tied to the results it came from. */
interface Classification {
  verdict: Verdict;
  message: string;
  details: string;
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
const INCOMPATIBLE_VERDICTS: ReadonlySet<Verdict> = new Set<Verdict>([
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
 * matches decides: not run, sandbox crash, baseline failure, flaky, syscall
 * incompatibility, behaviour difference, compatible.
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

  if (sandbox.evidence.panics.length > 0) {
    return sandboxCrash(sandbox, baseline);
  }

  if (baseline.outcome !== 'passed') {
    return baselineFailure(sandbox, baseline);
  }

  const flakySide = [sandbox, baseline].find((result) => isFlaky(result.attempts));
  if (flakySide) {
    return flaky(flakySide, sandbox, baseline);
  }

  if (isFailed(sandbox.outcome)) {
    const causes = sandbox.evidence.unsupportedSyscalls.filter((finding) => !isBenign(finding));
    if (causes.length > 0) {
      return syscallIncompatible(sandbox, baseline, causes);
    }
    return behaviorDiff(sandbox, baseline);
  }

  return compatible(sandbox, baseline);
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

function sandboxCrash(sandbox: TestRunResult, baseline: TestRunResult): Classification {
  const panics = sandbox.evidence.panics;
  const first = panics[0] as SandboxPanic;
  return {
    verdict: 'sandbox-crash',
    message: first.message,
    details: joinSections([
      panics.map(formatPanic).join('\n\n'),
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
  const names = [...new Set(causes.map((finding) => finding.name))].sort();
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
    return {
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
  return `  ${finding.line.trim()} (container ${finding.containerId}, ${finding.logFile})`;
}

function formatPanic(panic: SandboxPanic): string {
  const frames = panic.frames.map((frame) => `  ${frame}`).join('\n');
  return `${panic.message}\n(container ${panic.containerId}, ${panic.logFile})${frames ? `\n${frames}` : ''}`;
}

function joinSections(sections: string[]): string {
  return sections.filter((section) => section !== '').join('\n\n');
}
