import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestError, TestResult } from '@playwright/test/reporter';
import { CONTEXT_ENV, readRunContext } from '../driver/context.js';
import { stripAnsi } from './ansi.js';

/** Maximum length of the error line shown for a failed try. The reports keep the whole message. */
const ERROR_LINE_LENGTH = 300;

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Returns the first line of an error message without colours, cut to ERROR_LINE_LENGTH, and how many lines follow. */
function errorSummary(error: TestError | undefined): string {
  const lines = stripAnsi(error?.message ?? error?.value ?? '').trim().split('\n');
  const first = lines[0]!.length > ERROR_LINE_LENGTH ? `${lines[0]!.slice(0, ERROR_LINE_LENGTH)}...` : lines[0]!;
  const more = lines.length > 1 ? ` [${plural(lines.length - 1, 'more line')} in the reports]` : '';
  return first === '' ? '' : `\n      ${first}${more}`;
}

export interface ProgressReporterOptions {
  /** Replaces standard output, for tests. */
  write?: (text: string) => void;
  /** Image of each suite file, by absolute path, read from the run context unless given. */
  suiteImages?: Record<string, string>;
}

/**
 * Playwright reporter for the terminal: one line per test as it starts, as
 * `[N/TOTAL] [RUNTIME] › IMAGE › TEST`, and for a try that did not pass its status and the
 * first line of its error. It reads each try's own status, so a test that the driver
 * marked as an expected failure still shows as failed. The gvmatrix summary with the
 * verdicts follows from the CLI.
 */
export default class ProgressReporter implements Reporter {
  private readonly write: (text: string) => void;
  private readonly suiteImages: Record<string, string>;
  private suite: Suite | undefined;
  private total = 0;
  /** Number of each test, in the order the tests first started. A retry keeps its test's number. */
  private readonly numbers = new Map<string, number>();

  constructor(options: ProgressReporterOptions = {}) {
    this.write = options.write ?? ((text) => process.stdout.write(text));
    this.suiteImages = options.suiteImages ?? (process.env[CONTEXT_ENV] ? (readRunContext().suiteImages ?? {}) : {});
  }

  printsToStdio(): boolean {
    return true;
  }

  onBegin(config: FullConfig, suite: Suite): void {
    this.suite = suite;
    this.total = suite.allTests().length;
    this.write(`\nRunning ${plural(this.total, 'test')} using ${plural(config.workers, 'worker')}\n\n`);
  }

  onTestBegin(test: TestCase, result: TestResult): void {
    let number = this.numbers.get(test.id);
    if (number === undefined) {
      number = this.numbers.size + 1;
      this.numbers.set(test.id, number);
    }
    this.write(`[${number}/${this.total}] ${this.describe(test, result)}\n`);
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    if (result.status === 'passed' || result.status === 'skipped') {
      return;
    }
    this.write(`  ${result.status}: ${this.describe(test, result)}${errorSummary(result.error)}\n`);
  }

  onStdOut(chunk: string | Buffer): void {
    process.stdout.write(chunk);
  }

  onStdErr(chunk: string | Buffer): void {
    process.stderr.write(chunk);
  }

  onError(error: TestError): void {
    this.write(`Error: ${error.stack ?? error.message ?? error.value ?? 'unknown error'}\n`);
  }

  onEnd(result: FullResult): void {
    const counts = { passed: 0, failed: 0, retried: 0, interrupted: 0, notRun: 0 };
    for (const test of this.suite?.allTests() ?? []) {
      const last = test.results.at(-1);
      if (last === undefined || last.status === 'skipped') {
        counts.notRun += 1;
      } else if (last.status === 'interrupted') {
        counts.interrupted += 1;
      } else if (last.status !== 'passed') {
        counts.failed += 1;
      } else if (test.results.length > 1) {
        counts.retried += 1;
      } else {
        counts.passed += 1;
      }
    }
    const parts = [`${counts.passed} passed`, `${counts.failed} failed`];
    if (counts.retried > 0) parts.push(`${counts.retried} passed on a retry`);
    if (counts.interrupted > 0) parts.push(`${counts.interrupted} interrupted`);
    if (counts.notRun > 0) parts.push(`${counts.notRun} did not run`);
    const status = result.status === 'passed' || result.status === 'failed' ? '' : ` (Playwright: ${result.status})`;
    this.write(`\n  ${parts.join(', ')} in ${(result.duration / 1000).toFixed(1)} s${status}\n`);
  }

  /** Names a test as `[RUNTIME] › IMAGE › TEST`, with the image of a suite file before a suite's own titles. */
  private describe(test: TestCase, result: TestResult): string {
    const titles = test.titlePath().slice(3).filter(Boolean);
    const image = this.suiteImages[test.location?.file ?? ''];
    if (image !== undefined && titles[0] !== image) {
      titles.unshift(image);
    }
    const retry = result.retry > 0 ? ` (retry #${result.retry})` : '';
    return `[${test.parent.project()?.name ?? ''}] › ${titles.join(' › ')}${retry}`;
  }
}
