import { formatColumns } from './summary.js';
import { formatRatio } from './timing.js';
import type { RunReport, VerdictRecord } from './types.js';

/**
 * Formats the summary's table of sandbox/baseline duration ratios: a row per test, a
 * column per sandbox runtime with the check's ratio, the start ratio and a `slow` mark.
 * Returns '' when no verdict has timing, as in reports written before gvmatrix measured it.
 */
export function formatTimingRatios(report: RunReport): string {
  // A test without either ratio (it failed to start under one runtime) has nothing to show here.
  const timed = report.verdicts.filter((record) => record.timing !== undefined && (record.timing.checkRatio !== undefined || record.timing.startRatio !== undefined));
  if (timed.length === 0) {
    return '';
  }

  const sandboxes = [...new Set(timed.map((record) => record.runtime))];
  const tests = new Map<string, Map<string, VerdictRecord>>();
  for (const record of timed) {
    const key = `${record.image} › ${record.test}`;
    const byRuntime = tests.get(key) ?? new Map<string, VerdictRecord>();
    tests.set(key, byRuntime);
    byRuntime.set(record.runtime, record);
  }

  const rows = [...tests.entries()].map(([test, byRuntime]) => [test, ...sandboxes.map((runtime) => formatRatioCell(byRuntime.get(runtime)))]);
  const slowCount = timed.filter((record) => record.timing?.slow).length;
  const title =
    'Sandbox/baseline durations: check ratio, then start-until-ready ratio; `slow` marks a check ratio above the test\'s slowRatio' +
    ` (${slowCount} slow):`;
  return `${title}\n${formatColumns([['test', ...sandboxes], ...rows])}`;
}

/** `×1.42 start ×2.10 slow`, or `-` for a runtime without this test. */
export function formatRatioCell(record: VerdictRecord | undefined): string {
  if (!record?.timing) {
    return '-';
  }
  const { checkRatio, startRatio, slow } = record.timing;
  return `${formatRatio(checkRatio)} start ${formatRatio(startRatio)}${slow ? ' slow' : ''}`;
}
