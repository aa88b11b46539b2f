import { compareText } from './compare-text.js';
import type { Verdict, VerdictRecord } from './types.js';

/** A test whose verdict is not the same under every sandbox runtime of the run. */
export interface VerdictChange {
  image: string;
  test: string;
  /** Sandbox runtime name to its verdict, in the order the runtimes appear in the matrix. */
  verdicts: Record<string, Verdict>;
}

/**
 * Returns the tests whose verdict differs between sandbox runtimes: with two gVisor
 * releases in one matrix, this is what an upgrade would change.
 */
export function verdictChanges(records: readonly VerdictRecord[], sandboxOrder: readonly string[]): VerdictChange[] {
  const byTest = new Map<string, VerdictChange>();
  for (const record of records) {
    const key = `${record.image}\u0000${record.test}`;
    const change = byTest.get(key) ?? { image: record.image, test: record.test, verdicts: {} };
    change.verdicts[record.runtime] = record.verdict;
    byTest.set(key, change);
  }

  const changes: VerdictChange[] = [];
  for (const change of byTest.values()) {
    const ordered = Object.fromEntries(
      sandboxOrder.filter((runtime) => runtime in change.verdicts).map((runtime) => [runtime, change.verdicts[runtime] as Verdict]),
    );
    const distinct = new Set(Object.values(ordered));
    if (Object.keys(ordered).length > 1 && distinct.size > 1) {
      changes.push({ ...change, verdicts: ordered });
    }
  }
  return changes.sort((a, b) => compareText(a.image, b.image) || compareText(a.test, b.test));
}
