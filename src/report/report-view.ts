import { compareText } from './compare-text.js';
import type { Outcome, RunReport, RuntimeInfo, TestRunResult, Verdict, VerdictRecord } from './types.js';

/**
 * The shape of a run that the HTML report draws: runtimes as columns, images as rows, and
 * per test its result under every runtime and its verdict under every sandbox runtime.
 */

/** Verdicts from the most to the least severe. A grid cell takes the colour of its most severe verdict. */
export const VERDICTS_BY_SEVERITY: readonly Verdict[] = [
  'sandbox-crash',
  'syscall-incompatible',
  'behavior-diff',
  'baseline-failure',
  'fixed',
  'flaky',
  'not-run',
  'known',
  'compatible',
];

export interface RuntimeColumn {
  name: string;
  baseline: boolean;
  /** The probed runtime, absent for a runtime that only results name. */
  info?: RuntimeInfo;
}

export interface TestRow {
  /** Element id of the test's detail panel: `t-0`, `t-1`, ... */
  id: string;
  image: string;
  test: string;
  source: TestRunResult['source'];
  file?: string;
  /** Result per runtime name. */
  results: Map<string, TestRunResult>;
  /** Verdict per sandbox runtime name. */
  verdicts: Map<string, VerdictRecord>;
}

export interface ImageRow {
  /** Element id of the image's group in the test list: `i-0`, `i-1`, ... */
  id: string;
  image: string;
  tests: TestRow[];
}

export interface ReportView {
  runtimes: RuntimeColumn[];
  images: ImageRow[];
  tests: TestRow[];
}

/** Arranges a run for the HTML report. Images and tests sort by name, runtimes as the report lists them with baselines first. */
export function buildReportView(report: RunReport): ReportView {
  const runtimes = orderRuntimes(report);
  const byTest = new Map<string, TestRow>();

  const rowOf = (item: { image: string; test: string }, sample: TestRunResult): TestRow => {
    const key = JSON.stringify([item.image, item.test]);
    let row = byTest.get(key);
    if (!row) {
      row = { id: '', image: item.image, test: item.test, source: sample.source, results: new Map(), verdicts: new Map() };
      if (sample.file !== undefined) {
        row.file = sample.file;
      }
      byTest.set(key, row);
    }
    return row;
  };

  for (const result of report.results) {
    rowOf(result, result).results.set(result.runtime, result);
  }
  for (const record of report.verdicts) {
    rowOf(record, record.sandbox).verdicts.set(record.runtime, record);
  }

  const tests = [...byTest.values()].sort((a, b) => compareText(a.image, b.image) || compareText(a.test, b.test));
  tests.forEach((row, index) => {
    row.id = `t-${index}`;
  });

  const images: ImageRow[] = [];
  for (const row of tests) {
    const last = images[images.length - 1];
    if (last && last.image === row.image) {
      last.tests.push(row);
    } else {
      images.push({ id: `i-${images.length}`, image: row.image, tests: [row] });
    }
  }
  return { runtimes, images, tests };
}

/** Returns the most severe verdict of a list, or undefined for an empty one. */
export function mostSevere(verdicts: Iterable<Verdict>): Verdict | undefined {
  const present = new Set(verdicts);
  return VERDICTS_BY_SEVERITY.find((verdict) => present.has(verdict));
}

/** Counts verdicts, in severity order, leaving out those that do not occur. */
export function countVerdicts(verdicts: Iterable<Verdict>): Array<[Verdict, number]> {
  const counts = new Map<Verdict, number>();
  for (const verdict of verdicts) {
    counts.set(verdict, (counts.get(verdict) ?? 0) + 1);
  }
  return VERDICTS_BY_SEVERITY.filter((verdict) => counts.has(verdict)).map((verdict) => [verdict, counts.get(verdict) as number]);
}

/** Tells whether a test's outcome counts as a run that failed. */
export function isFailedOutcome(outcome: Outcome): boolean {
  return outcome === 'failed' || outcome === 'timedOut';
}

/** Orders the runtime columns: baselines first, then the other runtimes in report order, then runtimes that only results name, by name. */
function orderRuntimes(report: RunReport): RuntimeColumn[] {
  const listed = [...report.runtimes.filter((runtime) => runtime.baseline), ...report.runtimes.filter((runtime) => !runtime.baseline)];
  const columns: RuntimeColumn[] = listed.map((info) => ({ name: info.name, baseline: info.baseline, info }));

  const unlisted = new Map<string, boolean>();
  for (const result of report.results) {
    if (!listed.some((runtime) => runtime.name === result.runtime)) {
      unlisted.set(result.runtime, result.baseline);
    }
  }
  const extra = [...unlisted.entries()].sort(([a], [b]) => compareText(a, b)).map(([name, baseline]) => ({ name, baseline }));
  return [...columns, ...extra];
}
