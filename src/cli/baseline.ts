/**
 * `gvmatrix baseline [--matrix FILE] [--reports DIR] [--output FILE] [--expires DATE]`:
 * turns the failures of the last run into `known:` entries, for a first adoption of the
 * gate. It prints them as YAML, or with --output adds them to a matrix file.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { formatKnownList, insertKnownEntries, KnownInsertError, type NewKnownEntry } from '../matrix/known-writer.js';
import { isIsoDate, utcDate } from '../matrix/iso-date.js';
import { MatrixError, parseMatrix } from '../matrix/loader.js';
import type { Matrix } from '../matrix/types.js';
import { coversAll, proposeKnownEntries, type BaselineProposal } from '../report/baseline-entries.js';
import { EXIT, UsageError } from './exit-status.js';
import { progress } from './progress.js';
import { readResults } from './results-input.js';

export interface BaselineOptions {
  /** The matrix whose entries are left out; the matrix file named in results.json when unset. */
  matrix?: string;
  /** The reports folder, or the results.json itself. */
  reports: string;
  /** A matrix file to add the entries to, instead of printing them. */
  output?: string;
  /** YYYY-MM-DD for every new entry's `expires:`. */
  expires?: string;
}

/**
 * Runs `gvmatrix baseline` and returns its exit status, 0. Throws UsageError or
 * MatrixError (exit status 2) for an invalid date, an unreadable results.json, or a matrix
 * file that is missing or invalid.
 */
export async function runBaseline(options: BaselineOptions, stdout: NodeJS.WritableStream = process.stdout, now = new Date()): Promise<number> {
  checkExpires(options.expires, utcDate(now));

  const { file: resultsFile, report } = await readResults(options.reports);
  const matrixFile = chooseMatrixFile(options, report.matrixFile);
  const text = await readMatrixText(matrixFile);
  const matrix = parseMatrix(text, matrixFile, { checkFiles: false });

  const proposal = proposeKnownEntries(report, matrix, options.expires);
  reportLeftOut(proposal);
  if (proposal.entries.length === 0) {
    progress(`${resultsFile} (run ${report.runId}) has no failures to add as known: entries to ${matrixFile}`);
    return EXIT.ok;
  }

  const comment = `gvmatrix baseline: ${describeCount(proposal.entries.length)} from run ${report.runId}, recorded ${utcDate(now)}`;
  if (options.output === undefined) {
    stdout.write(formatKnownList(proposal.entries, `${comment}; add under known: in ${matrixFile}`));
    return EXIT.ok;
  }

  let merged: string;
  try {
    merged = insertKnownEntries(text, proposal.entries, comment);
  } catch (error) {
    if (error instanceof KnownInsertError) {
      throw new UsageError(`cannot add entries to ${matrixFile}: ${error.message}; run without --output and add the printed entries by hand`);
    }
    throw error;
  }
  checkMerged(merged, matrixFile, matrix, proposal.entries);
  await writeFile(matrixFile, merged, 'utf8');
  progress(`added ${describeCount(proposal.entries.length)} to the known: list of ${matrixFile}`);
  return EXIT.ok;
}

/** Rejects an expiry date that is invalid or before today, since such an entry would fail the gate at once. */
function checkExpires(expires: string | undefined, today: string): void {
  if (expires === undefined) {
    return;
  }
  if (!isIsoDate(expires)) {
    throw new UsageError(`--expires ${expires}: expected a date written as YYYY-MM-DD, such as 2027-01-31`);
  }
  if (expires < today) {
    throw new UsageError(`--expires ${expires} is before today (${today} UTC), so the entries would fail the gate at once; pick a later date`);
  }
}

/** The file that the entries must fit: --output when given, else --matrix, else the run's matrix file. */
function chooseMatrixFile(options: BaselineOptions, runMatrixFile: string): string {
  if (options.output !== undefined && options.matrix !== undefined && resolve(options.output) !== resolve(options.matrix)) {
    throw new UsageError(
      `--matrix ${options.matrix} and --output ${options.output} name different files; --output adds the entries to its own matrix file, so leave out --matrix`,
    );
  }
  return resolve(options.output ?? options.matrix ?? runMatrixFile);
}

async function readMatrixText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'not found' : error instanceof Error ? error.message : String(error);
    const message = `matrix file ${reason}; pass the matrix of the run with --matrix FILE, or the file to add the entries to with --output FILE`;
    throw new MatrixError([{ location: { file, line: 1, column: 1 }, message }]);
  }
}

function reportLeftOut(proposal: BaselineProposal): void {
  for (const { record, entry } of proposal.covered) {
    progress(`skipped ${record.image} › ${record.test} [${record.runtime}]: the entry at ${entry} covers it already`);
  }
  for (const { record, problem } of proposal.unlisted) {
    progress(`skipped ${record.image} › ${record.test} [${record.runtime}] (${record.verdict}): ${problem}, so the matrix would reject its entry`);
  }
}

/**
 * Checks that the edited text loads as a matrix with every new entry, before it is
 * printed or written. A failure here is a bug in the text edit, not in the input.
 */
function checkMerged(merged: string, file: string, before: Matrix, entries: readonly NewKnownEntry[]): void {
  let after: Matrix;
  try {
    after = parseMatrix(merged, file, { checkFiles: false });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new KnownInsertError(`the matrix with the new known: entries does not load (${reason}); ${file} was not changed, add the entries by hand`);
  }
  if (after.known.length !== before.known.length + entries.length || !coversAll(after.known, entries)) {
    throw new KnownInsertError(`the edited matrix does not contain the ${entries.length} new known: entries; ${file} was not changed, add the entries by hand`);
  }
}

function describeCount(count: number): string {
  return `${count} ${count === 1 ? 'entry' : 'entries'}`;
}
