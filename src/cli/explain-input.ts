/**
 * Reading the input of `gvmatrix explain`: one file, a folder of runsc debug logs (searched
 * recursively, so a run's whole runsc-logs folder works), or standard input.
 */

import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { logKind, messageOfLine } from '../evidence/runsc-log.js';
import { UsageError } from './exit-status.js';

/** The text of one log, and the path it is reported under. */
export interface LogText {
  /** The file path, or `standard input`. */
  path: string;
  text: string;
}

const STDIN_PATH = 'standard input';

const WHAT_TO_PASS =
  'Pass a runsc debug log (runsc --debug-log), a folder of runsc.log.* files, ' +
  'a file of copied "Container Sandbox:" lines, or - to read standard input.';

/**
 * Returns the logs to explain. Throws UsageError for a missing path, a folder without runsc
 * logs, an empty input and an input without any runsc log line.
 */
export async function readExplainInput(target: string, stdin: NodeJS.ReadableStream): Promise<LogText[]> {
  const logs = target === '-' ? [{ path: STDIN_PATH, text: await readStream(stdin) }] : await readPath(target);

  const label = target === '-' ? STDIN_PATH : target;
  if (logs.every((log) => log.text.trim() === '')) {
    throw new UsageError(`${label} is empty. ${WHAT_TO_PASS}`);
  }
  if (!logs.some((log) => hasRunscLines(log.text))) {
    throw new UsageError(
      `${label} has no runsc log lines: none is a glog line (I1204 19:56:46.261192 8562 compat.go:123] ...), ` +
        `a --debug-log-format=json line or a "Container Sandbox: " line. ${WHAT_TO_PASS}`,
    );
  }
  return logs;
}

/** Tells whether any line of a text is one that runsc's logger wrote. */
export function hasRunscLines(text: string): boolean {
  return text.split('\n').some((line) => messageOfLine(line) !== undefined);
}

async function readPath(path: string): Promise<LogText[]> {
  let stats;
  try {
    stats = await stat(path);
  } catch (error) {
    const problem = errorCode(error) === 'ENOENT' ? 'does not exist' : `cannot be read: ${errorMessage(error)}`;
    throw new UsageError(`${path} ${problem}. ${WHAT_TO_PASS}`);
  }

  if (!stats.isDirectory()) {
    return [{ path, text: await readText(path) }];
  }

  const names = await listRunscLogs(path);
  if (names.length === 0) {
    throw new UsageError(
      `${path} contains no runsc debug logs (files named runsc.log.DATE-TIME.NNNNNN.COMMAND.txt). ${WHAT_TO_PASS}`,
    );
  }

  const logs: LogText[] = [];
  for (const name of names) {
    const file = join(path, name);
    logs.push({ path: file, text: await readText(file) });
  }
  return logs;
}

/** Returns the relative paths of the runsc debug logs under a folder, in name order. */
async function listRunscLogs(folder: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(folder, { recursive: true });
  } catch (error) {
    throw new UsageError(`Cannot list the folder ${folder}: ${errorMessage(error)}. ${WHAT_TO_PASS}`);
  }

  return names.filter((name) => logKind(name) !== undefined).sort();
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read ${path}: ${errorMessage(error)}. ${WHAT_TO_PASS}`);
  }
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
