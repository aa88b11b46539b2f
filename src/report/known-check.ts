import type { KnownIncompatibility } from '../matrix/types.js';
import { describeKnownEntry, formatRuntimePattern, matchesRuntime } from './known.js';
import type { RunReport } from './types.js';

/** A `known:` entry that needs an edit: its expiry date has passed, or it matches no test of the run. */
export interface KnownEntryFinding {
  image: string;
  test: string;
  /** The entry's runtime as written in the matrix: a name or a `/regex/`. */
  runtime: string;
  reason: string;
  expires?: string;
  /** The entry's place in the matrix file as `FILE:LINE`. */
  location: string;
  message: string;
}

/** The findings about the `known:` entries that a run covers. */
export interface KnownEntryCheck {
  /** The run's start date in UTC (YYYY-MM-DD), which the expiry dates are compared with. */
  date: string;
  /** Entries whose `expires:` date is before `date`; they fail the gate. */
  expired: KnownEntryFinding[];
  /** Entries that match no verdict of the run, because the image or the test was renamed; a warning. */
  unmatched: KnownEntryFinding[];
}

/**
 * Checks the `known:` entries that the run covers: those whose image ran and whose
 * runtime name or pattern covers a sandbox runtime of the run. Entries of images or
 * runtimes that the run left out (`--image`, `--runtime`, another shard) are not checked,
 * since their tests could not match. An entry is valid through its `expires:` date and
 * expired from the next day on, counted in UTC from the run's start.
 */
export function checkKnownEntries(known: readonly KnownIncompatibility[], report: RunReport): KnownEntryCheck {
  const date = report.startedAt.slice(0, 10);
  const images = new Set(report.results.map((result) => result.image));
  const sandboxes = report.runtimes.filter((runtime) => !runtime.baseline).map((runtime) => runtime.name);

  const check: KnownEntryCheck = { date, expired: [], unmatched: [] };
  for (const entry of known) {
    const runtimes = sandboxes.filter((name) => matchesRuntime(entry.runtime, name));
    if (!images.has(entry.image) || runtimes.length === 0) {
      continue;
    }

    if (entry.expires !== undefined && entry.expires < date) {
      check.expired.push(finding(entry, expiredMessage(entry, entry.expires, date)));
    }

    const matched = report.verdicts.some(
      (record) => record.image === entry.image && record.test === entry.test && runtimes.includes(record.runtime),
    );
    if (!matched) {
      check.unmatched.push(finding(entry, unmatchedMessage(entry, runtimes)));
    }
  }
  return check;
}

function finding(entry: KnownIncompatibility, message: string): KnownEntryFinding {
  const result: KnownEntryFinding = {
    image: entry.image,
    test: entry.test,
    runtime: formatRuntimePattern(entry.runtime),
    reason: entry.reason,
    location: describeKnownEntry(entry),
    message,
  };
  if (entry.expires !== undefined) {
    result.expires = entry.expires;
  }
  return result;
}

function expiredMessage(entry: KnownIncompatibility, expires: string, date: string): string {
  return (
    `known: entry for ${entry.image} › ${entry.test} [${formatRuntimePattern(entry.runtime)}] at ${describeKnownEntry(entry)} ` +
    `expired: expires: ${expires} is before the run date ${date}; check whether the incompatibility remains, then set a later date or remove the entry`
  );
}

function unmatchedMessage(entry: KnownIncompatibility, runtimes: readonly string[]): string {
  return (
    `known: entry for ${entry.image} › ${entry.test} [${formatRuntimePattern(entry.runtime)}] at ${describeKnownEntry(entry)} ` +
    `matches no test of this run: image ${entry.image} ran no test named "${entry.test}" under ${runtimes.join(', ')}; ` +
    `if the test was renamed, rename the entry, else remove it`
  );
}
