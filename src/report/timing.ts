import type { TestTiming } from '../driver/timing.js';
import type { TestRunResult } from './types.js';

/**
 * Durations below this many milliseconds count as this many in a ratio. On a busy machine
 * a check of a few milliseconds can take several times as long from one try to the next,
 * so its raw ratio would be noise: 2 ms against 1 ms reads as twice as slow. With the
 * floor, two durations below it give a ratio of 1.
 */
export const RATIO_FLOOR_MS = 50;

/** The timing of a sandbox result against its baseline. */
export interface TimingComparison {
  /**
   * Sandbox check duration / baseline check duration, each raised to RATIO_FLOOR_MS
   * first, rounded to two decimals. Absent unless both checks passed.
   */
  checkRatio?: number;
  /** The same ratio for the container start until ready (`startMs + readyMs`). Absent unless both containers became ready. */
  startRatio?: number;
  /** The `slowRatio:` that applied to the test. */
  slowRatio?: number;
  /** Whether checkRatio exceeds slowRatio. The start ratio marks nothing, because a sandbox boot is a fixed cost of every test. */
  slow: boolean;
}

/** Returns a ratio of two durations in milliseconds, each raised to RATIO_FLOOR_MS, rounded to two decimals. */
export function durationRatio(sandboxMs: number, baselineMs: number): number {
  const ratio = Math.max(sandboxMs, RATIO_FLOOR_MS) / Math.max(baselineMs, RATIO_FLOOR_MS);
  return Math.round(ratio * 100) / 100;
}

/** Returns the start latency of a try: from the request to create the container until it was ready. */
export function startLatencyMs(timing: TestTiming | undefined): number | undefined {
  if (timing?.startMs === undefined || timing.readyMs === undefined) {
    return undefined;
  }
  return timing.startMs + timing.readyMs;
}

/** Compares the timing of a sandbox result with its baseline's, or returns undefined when either has none. */
export function compareTiming(sandbox: TestRunResult, baseline: TestRunResult | undefined): TimingComparison | undefined {
  if (!sandbox.timing || !baseline?.timing) {
    return undefined;
  }

  const comparison: TimingComparison = { slow: false };
  const bothPassed = sandbox.outcome === 'passed' && baseline.outcome === 'passed';
  if (bothPassed && sandbox.timing.checkMs !== undefined && baseline.timing.checkMs !== undefined) {
    comparison.checkRatio = durationRatio(sandbox.timing.checkMs, baseline.timing.checkMs);
  }

  const sandboxStart = startLatencyMs(sandbox.timing);
  const baselineStart = startLatencyMs(baseline.timing);
  if (sandboxStart !== undefined && baselineStart !== undefined) {
    comparison.startRatio = durationRatio(sandboxStart, baselineStart);
  }

  const slowRatio = sandbox.timing.slowRatio ?? baseline.timing.slowRatio;
  if (slowRatio !== undefined) {
    comparison.slowRatio = slowRatio;
    comparison.slow = comparison.checkRatio !== undefined && comparison.checkRatio > slowRatio;
  }
  return comparison;
}

/** Formats a ratio for people: `×2.35`, or `-` when there is none. */
export function formatRatio(ratio: number | undefined): string {
  return ratio === undefined ? '-' : `×${ratio.toFixed(2)}`;
}
