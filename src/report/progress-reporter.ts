import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestError, TestResult } from '@playwright/test/reporter';
import { stripAnsi } from './ansi.js';

/** Lines of a failed try's error message that the progress output shows; the reports keep all of it. */
const ERROR_LINES = 6;

/** Returns a test's name as `describe › title`, without the project and file. */
function testName(test: TestCase): string {
  return test.titlePath().slice(3).filter(Boolean).join(' › ');
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Returns the first lines of an error message, indented, without colours, the stack or a source excerpt. */
function errorExcerpt(error: TestError | undefined): string {
  const lines = stripAnsi(error?.message ?? error?.value ?? 'no error message').split('\n');
  const excerptLines = lines.slice(0, ERROR_LINES).map((line) => `      ${line}`);
  if (lines.length > ERROR_LINES) {
    excerptLines.push(`      [${lines.length - ERROR_LINES} more lines in the reports]`);
  }
  return excerptLines.join('\n');
}

/**
 * Playwright reporter for the terminal: one line per test as it starts and, for a try that
 * did not pass, its status and the start of its error message. It reads each try's own
 * status, so a test that the driver marked as an expected failure still shows as failed.
 * The gvmatrix summary with the verdicts follows from the CLI.
 */
export default class ProgressReporter implements Reporter {
  private suite: Suite | undefined;
  private total = 0;
  private started = 0;

  private readonly write: (text: string) => void;

  /** `write` replaces standard output, for tests; Playwright passes no such option. */
  constructor(options: { write?: (text: string) => void } = {}) {
    this.write = options.write ?? ((text) => process.stdout.write(text));
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
    this.started += 1;
    const retry = result.retry > 0 ? ` (retry #${result.retry})` : '';
    this.write(`[${this.started}/${this.total}] [${test.parent.project()?.name ?? ''}] › ${testName(test)}${retry}\n`);
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    if (result.status === 'passed' || result.status === 'skipped') {
      return;
    }
    const retry = result.retry > 0 ? ` (retry #${result.retry})` : '';
    this.write(`  ${result.status}: [${test.parent.project()?.name ?? ''}] › ${testName(test)}${retry}\n${errorExcerpt(result.error)}\n`);
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
    let passed = 0;
    let flaky = 0;
    let failed = 0;
    let notRun = 0;
    for (const test of this.suite?.allTests() ?? []) {
      const last = test.results.at(-1);
      if (last === undefined || last.status === 'skipped' || last.status === 'interrupted') {
        notRun += 1;
      } else if (last.status !== 'passed') {
        failed += 1;
      } else if (test.results.length > 1) {
        flaky += 1;
      } else {
        passed += 1;
      }
    }
    const parts = [`${passed} passed`, `${failed} failed`];
    if (flaky > 0) parts.push(`${flaky} passed on a retry`);
    if (notRun > 0) parts.push(`${notRun} did not run`);
    const status = result.status === 'passed' || result.status === 'failed' ? '' : ` (Playwright: ${result.status})`;
    this.write(`\n  ${parts.join(', ')} in ${(result.duration / 1000).toFixed(1)} s${status}\n`);
  }
}
