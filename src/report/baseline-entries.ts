import type { NewKnownEntry } from '../matrix/known-writer.js';
import type { KnownIncompatibility, Matrix } from '../matrix/types.js';
import { describeKnownEntry, findKnownEntry } from './known.js';
import type { RunReport, VerdictRecord } from './types.js';
import { INCOMPATIBLE_VERDICTS } from './verdict.js';

/** A failure that an entry of the matrix covers already. */
export interface CoveredFailure {
  record: VerdictRecord;
  /** `FILE:LINE` of the covering entry. */
  entry: string;
}

/** A failure that cannot become an entry, because the matrix no longer has its image, test or runtime. */
export interface UnlistedFailure {
  record: VerdictRecord;
  problem: string;
}

/** The `known:` entries that `gvmatrix baseline` proposes, and the failures it leaves out with the reason. */
export interface BaselineProposal {
  entries: NewKnownEntry[];
  covered: CoveredFailure[];
  unlisted: UnlistedFailure[];
}

/**
 * Turns the failures of a run that a `known:` entry can cover (syscall-incompatible,
 * behavior-diff, sandbox-crash) into entries, one per image, test and runtime, with the
 * verdict's message as the reason. Failures that an entry of the matrix covers already
 * are left out, and so are failures whose image, test or runtime the matrix lacks, since
 * the matrix loader would reject their entries.
 */
export function proposeKnownEntries(
  report: RunReport,
  matrix: Pick<Matrix, 'images' | 'runtimes' | 'known'>,
  expires?: string,
): BaselineProposal {
  const proposal: BaselineProposal = { entries: [], covered: [], unlisted: [] };
  for (const record of report.verdicts) {
    if (!INCOMPATIBLE_VERDICTS.has(record.verdict)) {
      continue;
    }

    const existing = findKnownEntry(record.image, record.test, record.runtime, matrix.known);
    if (existing !== undefined) {
      proposal.covered.push({ record, entry: describeKnownEntry(existing) });
      continue;
    }

    const problem = findUnlistedName(record, matrix);
    if (problem !== undefined) {
      proposal.unlisted.push({ record, problem });
      continue;
    }

    const entry: NewKnownEntry = { image: record.image, test: record.test, runtime: record.runtime, reason: reasonOf(record) };
    if (expires !== undefined) {
      entry.expires = expires;
    }
    proposal.entries.push(entry);
  }
  return proposal;
}

/** Returns why the matrix would reject an entry for this record, or undefined when it accepts it. */
function findUnlistedName(record: VerdictRecord, matrix: Pick<Matrix, 'images' | 'runtimes' | 'known'>): string | undefined {
  const image = matrix.images.find((candidate) => candidate.name === record.image);
  if (image === undefined) {
    return `the matrix has no image "${record.image}"`;
  }
  // A suite's test names are known only when it runs, so the loader accepts any name for an image with suites.
  if (image.suites.length === 0 && !image.tests.some((test) => test.name === record.test)) {
    return `image "${record.image}" has no test "${record.test}" in the matrix`;
  }

  const runtime = matrix.runtimes.find((candidate) => candidate.name === record.runtime);
  if (runtime === undefined) {
    return `the matrix has no runtime "${record.runtime}"`;
  }
  if (runtime.baseline) {
    return `runtime "${record.runtime}" is the matrix's baseline`;
  }
  return undefined;
}

/** Joins the verdict's message into one line, since the loader takes the reason as one string. */
function reasonOf(record: VerdictRecord): string {
  const message = record.message.replace(/\s*\n\s*/g, ' ').trim();
  return message === '' ? `${record.verdict} under ${record.runtime}` : message;
}

/** Tells whether an entry list already covers each proposed entry; used to check a merge. */
export function coversAll(known: readonly KnownIncompatibility[], entries: readonly NewKnownEntry[]): boolean {
  return entries.every((entry) => findKnownEntry(entry.image, entry.test, entry.runtime, known) !== undefined);
}
