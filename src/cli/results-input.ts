import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RESULTS_FILE } from '../report/reporter.js';
import { findResultsProblem } from '../report/results-shape.js';
import type { RunReport } from '../report/types.js';
import { UsageError } from './exit-status.js';

/** A results.json as a command read it. */
export interface ResultsInput {
  /** Absolute path of the file read. */
  file: string;
  report: RunReport;
}

/**
 * Reads a results.json, given as the file or as the reports folder that contains it. Throws
 * UsageError (exit status 2) when it is missing, not JSON, or not a gvmatrix results file.
 */
export async function readResults(path: string): Promise<ResultsInput> {
  const file = await resultsFileOf(resolve(path));

  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`failed to read ${file}: ${reasonOf(error)}; pass a results.json that \`gvmatrix run\` wrote, or its reports folder`);
  }

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON (${reasonOf(error)}); pass a results.json that \`gvmatrix run\` wrote`);
  }

  const problem = findResultsProblem(value);
  if (problem !== undefined) {
    throw new UsageError(`${file} is not a gvmatrix results.json: ${problem}; pass a results.json that \`gvmatrix run\` wrote`);
  }
  return { file, report: value as RunReport };
}

/** Returns the results.json inside a folder, or the path itself when it is not a folder. */
async function resultsFileOf(path: string): Promise<string> {
  try {
    return (await stat(path)).isDirectory() ? join(path, RESULTS_FILE) : path;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UsageError(`${path} not found; pass a results.json that \`gvmatrix run\` wrote, or its reports folder`);
    }
    throw new UsageError(`failed to read ${path}: ${reasonOf(error)}`);
  }
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'not found';
  return error instanceof Error ? error.message : String(error);
}
