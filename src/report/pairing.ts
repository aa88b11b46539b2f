import type { KnownIncompatibility } from '../matrix/types.js';
import { compareText } from './compare-text.js';
import type { TestRunResult, VerdictRecord } from './types.js';
import { compareTiming } from './timing.js';
import { classify } from './verdict.js';

/**
 * Pairs every sandbox result with the baseline result of the same image and test and
 * classifies it and compares its timing. Baseline results produce no verdict of their own. The verdicts come
 * sorted by image, test and runtime, so reports do not depend on the order tests finished.
 */
export function pairResults(
  results: readonly TestRunResult[],
  baselineRuntime: string,
  known: readonly KnownIncompatibility[],
): VerdictRecord[] {
  const baselines = new Map<string, TestRunResult>();
  for (const result of results) {
    if (result.runtime === baselineRuntime) {
      baselines.set(pairKey(result), result);
    }
  }

  const verdicts = results
    .filter((result) => result.runtime !== baselineRuntime)
    .map((sandbox) => withTiming(classify(sandbox, baselines.get(pairKey(sandbox)), known)));

  return verdicts.sort(compareVerdicts);
}

function withTiming(record: VerdictRecord): VerdictRecord {
  const timing = compareTiming(record.sandbox, record.baselineResult);
  return timing === undefined ? record : { ...record, timing };
}

/** Orders records by image, test and runtime. */
export function compareVerdicts(a: VerdictRecord, b: VerdictRecord): number {
  return compareText(a.image, b.image) || compareText(a.test, b.test) || compareText(a.runtime, b.runtime);
}

function pairKey(result: TestRunResult): string {
  // JSON keeps image and test apart even when a name contains any separator we could pick.
  return JSON.stringify([result.image, result.test]);
}
