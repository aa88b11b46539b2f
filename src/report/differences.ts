import { excerpt } from '../driver/output-text.js';
import { diffCalls, parseCallLines } from './call-table.js';
import { DEFAULT_MAX_DIFF_LINES, unifiedDiff } from './line-diff.js';
import type { ComparedValue, ObservedDifference, TestRunResult } from './types.js';

/** Characters of each value that the one-line verdict message shows. */
const MESSAGE_EXCERPT_LENGTH = 60;

/** Outcome of comparing the `compare:` values of a sandbox result with its baseline. */
export interface ObservedComparison {
  differences: ObservedDifference[];
  /** Observables recorded under one runtime only, each with the runtime that lacks it. */
  uncompared: string[];
}

/**
 * Compares the normalized values that both runtimes recorded for each observable. Values
 * are equal when their normalized texts hash the same, or, for values that could not be
 * read, when both failed with the same error. An observable that only one runtime
 * recorded (its try failed before the values were read) is listed as uncompared.
 */
export function compareObserved(baseline: TestRunResult, sandbox: TestRunResult): ObservedComparison {
  const baselineValues = byObservable(baseline.compared ?? []);
  const sandboxValues = byObservable(sandbox.compared ?? []);
  const observables = [...new Set([...baselineValues.keys(), ...sandboxValues.keys()])];
  const comparison: ObservedComparison = { differences: [], uncompared: [] };

  for (const observable of observables) {
    const before = baselineValues.get(observable);
    const after = sandboxValues.get(observable);
    if (before === undefined || after === undefined) {
      const missingUnder = before === undefined ? baseline.runtime : sandbox.runtime;
      comparison.uncompared.push(`${observable} (no value recorded under ${missingUnder})`);
      continue;
    }

    if (!isEqual(before, after)) {
      comparison.differences.push(describeDifference(observable, before, after, baseline.runtime, sandbox.runtime));
    }
  }
  return comparison;
}

/** Returns the text a value is compared and shown by: its normalized text, or why it could not be read. */
export function shownText(value: ComparedValue): string {
  return value.error === undefined ? value.normalized : `(not read: ${value.error})`;
}

function isEqual(before: ComparedValue, after: ComparedValue): boolean {
  if (before.error !== undefined || after.error !== undefined) {
    return before.error === after.error;
  }
  return before.normalizedSha256 === after.normalizedSha256;
}

function describeDifference(
  observable: string,
  before: ComparedValue,
  after: ComparedValue,
  baselineRuntime: string,
  sandboxRuntime: string,
): ObservedDifference {
  const difference: ObservedDifference = {
    observable,
    baselineExcerpt: excerpt(shownText(before), MESSAGE_EXCERPT_LENGTH),
    sandboxExcerpt: excerpt(shownText(after), MESSAGE_EXCERPT_LENGTH),
  };

  const baselineCalls = before.error === undefined ? parseCallLines(before.normalized) : undefined;
  const sandboxCalls = after.error === undefined ? parseCallLines(after.normalized) : undefined;
  if (baselineCalls && sandboxCalls && baselineCalls.field === sandboxCalls.field) {
    const calls = diffCalls(baselineCalls, sandboxCalls);
    if (calls.length > 0) {
      difference.callField = baselineCalls.field;
      difference.calls = calls.slice(0, DEFAULT_MAX_DIFF_LINES);
      if (calls.length > DEFAULT_MAX_DIFF_LINES) {
        difference.callsCut = calls.length - DEFAULT_MAX_DIFF_LINES;
      }
      return difference;
    }
  }

  const diff = unifiedDiff(shownText(before), shownText(after), {
    fromLabel: `${baselineRuntime} (baseline), normalized`,
    toLabel: `${sandboxRuntime}, normalized`,
  });
  // Equal stored texts with different hashes differ past the stored part of the value.
  difference.diff = diff === '' ? 'The stored parts of the values are equal; they differ after the characters the report keeps.' : diff;
  return difference;
}

function byObservable(values: readonly ComparedValue[]): Map<string, ComparedValue> {
  return new Map(values.map((value) => [value.observable, value]));
}
