import { compareText } from './compare-text.js';
import type { RunReport, Verdict, VerdictRecord } from './types.js';
import { isFailure } from './verdict.js';

/**
 * Direction of a verdict change. `worse`: the new verdict fails the default gate (`--fail-on new`)
 * and the old one did not, as when a compatible test turns syscall-incompatible.
 * `better`: the reverse. `changed`: both sides fail the gate, or neither does, with
 * different verdicts (behavior-diff to sandbox-crash, compatible to flaky).
 */
export type ChangeKind = 'worse' | 'better' | 'changed';

/** A test whose verdict under one runtime differs between two result sets. */
export interface VerdictChangeEntry {
  kind: ChangeKind;
  image: string;
  test: string;
  runtime: string;
  oldVerdict: Verdict;
  newVerdict: Verdict;
  /** The new verdict's message. */
  message: string;
}

/** A test and runtime that has a verdict in one result set only. */
export interface OneSidedVerdict {
  image: string;
  test: string;
  runtime: string;
  verdict: Verdict;
  message: string;
}

/** A runtime whose version string differs between the two result sets, as after a gVisor upgrade. */
export interface RuntimeVersionChange {
  runtime: string;
  oldVersion: string;
  newVersion: string;
}

/** Differences between two result sets, each list sorted by image, test and runtime. */
export interface ResultsDiff {
  changes: VerdictChangeEntry[];
  onlyInOld: OneSidedVerdict[];
  onlyInNew: OneSidedVerdict[];
  runtimeVersions: RuntimeVersionChange[];
}

/** Classifies the change from one verdict to another; the two must differ. */
export function classifyChange(oldVerdict: Verdict, newVerdict: Verdict): ChangeKind {
  const oldFails = isFailure(oldVerdict);
  const newFails = isFailure(newVerdict);
  if (newFails && !oldFails) return 'worse';
  if (oldFails && !newFails) return 'better';
  return 'changed';
}

/**
 * Compares the verdicts of two result sets, matching them by image, test and runtime
 * name. A runtime renamed between the runs therefore shows as tests only in one set.
 */
export function diffResults(oldReport: RunReport, newReport: RunReport): ResultsDiff {
  const oldByKey = byKey(oldReport.verdicts);
  const newByKey = byKey(newReport.verdicts);

  const diff: ResultsDiff = { changes: [], onlyInOld: [], onlyInNew: [], runtimeVersions: runtimeVersionChanges(oldReport, newReport) };
  for (const [key, newRecord] of newByKey) {
    const oldRecord = oldByKey.get(key);
    if (oldRecord === undefined) {
      diff.onlyInNew.push(oneSided(newRecord));
    } else if (oldRecord.verdict !== newRecord.verdict) {
      diff.changes.push({
        kind: classifyChange(oldRecord.verdict, newRecord.verdict),
        image: newRecord.image,
        test: newRecord.test,
        runtime: newRecord.runtime,
        oldVerdict: oldRecord.verdict,
        newVerdict: newRecord.verdict,
        message: newRecord.message,
      });
    }
  }
  for (const [key, oldRecord] of oldByKey) {
    if (!newByKey.has(key)) {
      diff.onlyInOld.push(oneSided(oldRecord));
    }
  }

  diff.changes.sort(compareIdentity);
  diff.onlyInOld.sort(compareIdentity);
  diff.onlyInNew.sort(compareIdentity);
  return diff;
}

function byKey(records: readonly VerdictRecord[]): Map<string, VerdictRecord> {
  // JSON keeps the three names apart whatever characters they contain.
  return new Map(records.map((record) => [JSON.stringify([record.image, record.test, record.runtime]), record]));
}

function oneSided(record: VerdictRecord): OneSidedVerdict {
  return { image: record.image, test: record.test, runtime: record.runtime, verdict: record.verdict, message: record.message };
}

function runtimeVersionChanges(oldReport: RunReport, newReport: RunReport): RuntimeVersionChange[] {
  const changes: RuntimeVersionChange[] = [];
  for (const runtime of newReport.runtimes) {
    const old = oldReport.runtimes.find((candidate) => candidate.name === runtime.name);
    if (old !== undefined && old.version !== runtime.version) {
      changes.push({ runtime: runtime.name, oldVersion: old.version, newVersion: runtime.version });
    }
  }
  return changes;
}

function compareIdentity(a: { image: string; test: string; runtime: string }, b: { image: string; test: string; runtime: string }): number {
  return compareText(a.image, b.image) || compareText(a.test, b.test) || compareText(a.runtime, b.runtime);
}
