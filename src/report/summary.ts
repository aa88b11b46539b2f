import { verdictChanges } from './upgrade.js';
import { decodeFinding } from '../evidence/decode.js';
import { isBenign } from '../evidence/benign.js';
import { compareText } from './compare-text.js';
import { formatTimingRatios } from './timing-text.js';
import { stripControlCharacters } from './ansi.js';
import type { RunReport, TestRunResult, Verdict, VerdictRecord } from './types.js';

/** Every verdict, in the order the summary and the result line count them. The first five always appear in the totals line. */
export const VERDICT_ORDER: readonly Verdict[] = [
  'compatible',
  'syscall-incompatible',
  'behavior-diff',
  'sandbox-crash',
  'baseline-failure',
  'known',
  'fixed',
  'flaky',
  'not-run',
];
const ALWAYS_COUNTED = 5;

/** Short verdict names for table and grid cells, which hold several counts side by side. */
export const CELL_LABELS: Record<Verdict, string> = {
  compatible: 'compatible',
  'syscall-incompatible': 'syscall',
  'behavior-diff': 'behavior',
  'sandbox-crash': 'crash',
  'baseline-failure': 'baseline-fail',
  known: 'known',
  fixed: 'fixed',
  flaky: 'flaky',
  'not-run': 'not-run',
};

const COLUMN_GAP = '  ';

/**
 * Formats the human summary of a run as plain text without colours or control
 * characters: a table of images by runtimes, every verdict other than compatible with
 * its message, the unsupported syscalls seen in passing tests, the sandbox/baseline
 * duration ratios, and a totals line.
 */
export function formatSummary(report: RunReport): string {
  const sections = [
    formatTable(report),
    formatNotCompatible(report.verdicts),
    formatVerdictChanges(report),
    formatPassingEvidence(report),
    formatTimingRatios(report),
    formatTotals(report.verdicts),
  ];
  // Messages quote container output, whose control characters a terminal would act on.
  return `${stripControlCharacters(sections.filter((section) => section !== '').join('\n\n'))}\n`;
}

/** Rows are images, columns are runtimes: `passed/total` for baselines, verdict counts for sandboxes. */
function formatTable(report: RunReport): string {
  const runtimes = orderedRuntimes(report);
  const baselines = new Set(report.runtimes.filter((runtime) => runtime.baseline).map((runtime) => runtime.name));
  const images = [...new Set(report.results.map((result) => result.image))].sort(compareText);

  const rows = images.map((image) => [
    image,
    ...runtimes.map((runtime) =>
      baselines.has(runtime) ? formatBaselineCell(report.results, image, runtime) : formatSandboxCell(report.verdicts, image, runtime),
    ),
  ]);
  return formatColumns([['image', ...runtimes], ...rows]);
}

function formatBaselineCell(results: readonly TestRunResult[], image: string, runtime: string): string {
  const own = results.filter((result) => result.image === image && result.runtime === runtime);
  if (own.length === 0) {
    return '-';
  }
  const passed = own.filter((result) => result.outcome === 'passed').length;
  return `${passed}/${own.length}`;
}

function formatSandboxCell(verdicts: readonly VerdictRecord[], image: string, runtime: string): string {
  const own = verdicts.filter((record) => record.image === image && record.runtime === runtime);
  if (own.length === 0) {
    return '-';
  }
  const counts = countVerdicts(own);
  return VERDICT_ORDER.filter((verdict) => counts.get(verdict))
    .map((verdict) => `${counts.get(verdict)} ${CELL_LABELS[verdict]}`)
    .join(', ');
}

/** Lists the tests whose verdict differs between sandbox runtimes, one column per runtime. */
function formatVerdictChanges(report: RunReport): string {
  const sandboxes = report.runtimes.filter((runtime) => !runtime.baseline).map((runtime) => runtime.name);
  const changes = verdictChanges(report.verdicts, sandboxes);
  if (changes.length === 0) {
    return '';
  }
  const rows = changes.map((change) => [`${change.image} › ${change.test}`, ...sandboxes.map((runtime) => change.verdicts[runtime] ?? '-')]);
  return `Verdicts that differ between sandbox runtimes:\n${formatColumns([['test', ...sandboxes], ...rows])}`;
}

/** Lists each verdict other than compatible on one line: runtime, image › test, verdict, message. */
function formatNotCompatible(verdicts: readonly VerdictRecord[]): string {
  const rows = verdicts
    .filter((record) => record.verdict !== 'compatible')
    .map((record) => [record.runtime, `${record.image} › ${record.test}`, record.verdict, record.message]);
  if (rows.length === 0) {
    return '';
  }
  return `Verdicts other than compatible:\n${formatColumns(rows)}`;
}

/**
 * Lists per runtime the unsupported syscalls that runsc reported in tests that passed:
 * evidence of what a later failure would be. A benign call such as rseq shows up in
 * nearly every test, so it gets a count instead of a list of tests.
 */
function formatPassingEvidence(report: RunReport): string {
  const byRuntime = new Map<string, Map<string, Set<string>>>();
  const benignNames = new Set<string>();
  for (const result of report.results) {
    if (result.outcome !== 'passed') {
      continue;
    }
    for (const finding of result.evidence.unsupportedSyscalls) {
      if (isBenign(finding)) {
        benignNames.add(finding.name);
      }
      const byName = byRuntime.get(result.runtime) ?? new Map<string, Set<string>>();
      byRuntime.set(result.runtime, byName);
      const key = decodeFinding(finding).key;
      const tests = byName.get(key) ?? new Set<string>();
      byName.set(key, tests);
      tests.add(`${result.image} › ${result.test}`);
    }
  }
  if (byRuntime.size === 0) {
    return '';
  }

  const blocks = [...byRuntime.keys()].sort(compareText).map((runtime) => {
    const byName = byRuntime.get(runtime) as Map<string, Set<string>>;
    return `${runtime}\n${formatRuntimeEvidence(byName, benignNames).join('\n')}`;
  });
  return `Unsupported syscalls in passing tests:\n${blocks.join('\n')}`;
}

const EVIDENCE_LINE_WIDTH = 100;

/**
 * Formats one runtime's evidence: the benign calls with their test counts on one line,
 * then the other calls grouped by the tests they appeared in. Without the grouping, a
 * probe that trips dozens of calls would fill a screen with the same test names.
 */
function formatRuntimeEvidence(byName: Map<string, Set<string>>, benignNames: Set<string>): string[] {
  const lines: string[] = [];
  const names = [...byName.keys()].sort(compareText);

  const benign = names.filter((name) => benignNames.has(name));
  if (benign.length > 0) {
    const counts = benign.map((name) => {
      const count = (byName.get(name) as Set<string>).size;
      return `${name} (${count} ${count === 1 ? 'test' : 'tests'})`;
    });
    lines.push(`  benign: ${counts.join(', ')}`);
  }

  const byTests = new Map<string, string[]>();
  for (const name of names.filter((candidate) => !benignNames.has(candidate))) {
    const tests = [...(byName.get(name) as Set<string>)].sort(compareText).join('\u0000');
    byTests.set(tests, [...(byTests.get(tests) ?? []), name]);
  }
  for (const tests of [...byTests.keys()].sort(compareText)) {
    lines.push(`  in ${describeTests(tests.split('\u0000'))}:`);
    lines.push(...wrapList(byTests.get(tests) as string[], '    ', EVIDENCE_LINE_WIDTH));
  }
  return lines;
}

/** Names the tests shortly: `image › test` for a single test of an image, else `image (N tests)`. */
function describeTests(tests: readonly string[]): string {
  const byImage = new Map<string, string[]>();
  for (const test of tests) {
    const image = test.split(' › ')[0] ?? test;
    byImage.set(image, [...(byImage.get(image) ?? []), test]);
  }
  return [...byImage.entries()].map(([image, own]) => (own.length === 1 ? (own[0] as string) : `${image} (${own.length} tests)`)).join(', ');
}

/** Joins items with commas into lines of at most `width` characters, each with the indent. */
function wrapList(items: readonly string[], indent: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const [index, item] of items.entries()) {
    const piece = index < items.length - 1 ? `${item},` : item;
    if (line !== '' && indent.length + line.length + 1 + piece.length > width) {
      lines.push(`${indent}${line}`);
      line = piece;
    } else {
      line = line === '' ? piece : `${line} ${piece}`;
    }
  }
  if (line !== '') {
    lines.push(`${indent}${line}`);
  }
  return lines;
}

/** The closing line: the five main verdicts always, the others when they occur. */
function formatTotals(verdicts: readonly VerdictRecord[]): string {
  const counts = countVerdicts(verdicts);
  const parts = VERDICT_ORDER.filter((verdict, index) => index < ALWAYS_COUNTED || counts.get(verdict)).map(
    (verdict) => `${counts.get(verdict) ?? 0} ${verdict}`,
  );
  return `gvmatrix: ${parts.join(', ')}`;
}

function countVerdicts(verdicts: readonly VerdictRecord[]): Map<Verdict, number> {
  const counts = new Map<Verdict, number>();
  for (const record of verdicts) {
    counts.set(record.verdict, (counts.get(record.verdict) ?? 0) + 1);
  }
  return counts;
}

/** Runtime names for the table: baselines first, then the report's order, then runtimes seen only in results. */
function orderedRuntimes(report: RunReport): string[] {
  const listed = [
    ...report.runtimes.filter((runtime) => runtime.baseline).map((runtime) => runtime.name),
    ...report.runtimes.filter((runtime) => !runtime.baseline).map((runtime) => runtime.name),
  ];
  const unlisted = [...new Set(report.results.map((result) => result.runtime))].filter((name) => !listed.includes(name)).sort(compareText);
  return [...listed, ...unlisted];
}

/** Pads every column but the last to its widest cell and drops trailing spaces. */
export function formatColumns(rows: readonly string[][]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, cell.length);
    });
  }

  return rows
    .map((row) =>
      row
        .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
        .join(COLUMN_GAP)
        .trimEnd(),
    )
    .join('\n');
}
