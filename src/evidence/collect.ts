/**
 * Gathering of the runsc debug log findings that belong to one test's containers, from a
 * folder that `runsc --debug-log=DIR/` fills with one file per runsc command of every
 * container on the endpoint.
 */

import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { containerIdOfLog, logKind, parseRunscLog, type RunscLogFindings, type RunscLogKind } from './runsc-log.js';
import { findSandboxErrors, SANDBOX_CLIENT_KINDS, STOP_KINDS, type ContainerLog } from './sandbox-errors.js';
import type { SandboxError, SandboxPanic, TestEvidence, UnsupportedSyscall } from './types.js';

/**
 * Logs read per kind. The sentry reports unsupported syscalls in the boot log, for `podman
 * exec` processes too. Go runtime deaths land in the boot and gofer logs because runsc
 * points their standard error there. Start and exec logs are not searched for panics
 * although they carry `FATAL ERROR:` lines, because those lines mix sandbox failures
 * (netstack setup) with application errors (`failed to load /no/such/cmd`) that runc
 * reports as well. They are read for sandbox errors, which match only a lost sandbox, and
 * kill logs are read for when a stop began.
 */
const SYSCALL_KINDS: ReadonlySet<RunscLogKind> = new Set(['boot']);
const PANIC_KINDS: ReadonlySet<RunscLogKind> = new Set(['boot', 'gofer']);
const SANDBOX_ERROR_KINDS: ReadonlySet<RunscLogKind> = new Set([...PANIC_KINDS, ...SANDBOX_CLIENT_KINDS, ...STOP_KINDS]);

/** Bytes read from the start of a log to find its `Args:` line, the third line or earlier. */
const HEAD_BYTES = 16 * 1024;

/** Upper bound for that read, reached only by an `Args:` line longer than HEAD_BYTES. */
const MAX_HEAD_BYTES = 1024 * 1024;

/** Files probed at the same time on a first visit to a folder. */
const PROBE_CONCURRENCY = 16;

/** The container id found in a log file, and the file state it is valid for. */
interface ProbedLog {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  containerId: string | undefined;
}

/** Folder to file name to probe result, kept for the life of the process. */
const probeCache = new Map<string, Map<string, ProbedLog>>();

/**
 * Reads the runsc debug logs in `logDir` that belong to `containerIds` and returns their
 * unsupported syscalls, sandbox panics and sandbox errors, without duplicates. A folder
 * that does not exist yields empty evidence, because runsc creates it only when its first
 * command runs. Call it after the containers stopped: a sandbox that still runs has no
 * exit status in its logs yet.
 */
export async function collectEvidence(logDir: string, containerIds: string[]): Promise<TestEvidence> {
  const evidence: TestEvidence = { containerIds, logFiles: [], unsupportedSyscalls: [], panics: [], sandboxErrors: [] };

  const names = await listLogs(logDir);
  if (names === undefined) {
    return evidence;
  }

  const requested = new Set(containerIds);
  const owners = await probeLogs(logDir, names);
  const logsByContainer = new Map<string, ContainerLog[]>();

  for (const name of names) {
    const containerId = owners.get(name);
    if (containerId === undefined || !requested.has(containerId)) {
      continue;
    }

    const logFile = join(logDir, name);
    const text = await readLog(logFile);
    if (text === undefined) {
      continue;
    }

    const kind = logKind(name) ?? 'other';
    evidence.logFiles.push(logFile);
    addFindings(evidence, kind, parseRunscLog(text, { containerId, logFile }));

    const containerLogs = logsByContainer.get(containerId) ?? [];
    containerLogs.push({ kind, logFile, text });
    logsByContainer.set(containerId, containerLogs);
  }

  const sandboxErrors = [...logsByContainer].flatMap(([containerId, logs]) => findSandboxErrors(containerId, logs));
  evidence.unsupportedSyscalls = uniqueBy(evidence.unsupportedSyscalls, syscallKey);
  evidence.panics = uniqueBy(evidence.panics, panicKey);
  evidence.sandboxErrors = uniqueBy(sandboxErrors, sandboxErrorKey);
  return evidence;
}

function addFindings(evidence: TestEvidence, kind: RunscLogKind, findings: RunscLogFindings): void {
  if (SYSCALL_KINDS.has(kind)) {
    evidence.unsupportedSyscalls.push(...findings.unsupportedSyscalls);
  }
  if (PANIC_KINDS.has(kind)) {
    evidence.panics.push(...findings.panics);
  }
}

/** Returns the names of the runsc logs worth probing, or undefined when the folder is missing. */
async function listLogs(logDir: string): Promise<string[] | undefined> {
  let names: string[];
  try {
    names = await readdir(logDir);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') {
      return undefined;
    }
    throw new Error(
      `Failed to list the runsc debug log folder ${logDir}: ${errorMessage(error)}. ` +
        'Check that it is a folder this user can read.',
    );
  }

  return names
    .filter((name) => {
      const kind = logKind(name);
      return kind !== undefined && (SYSCALL_KINDS.has(kind) || SANDBOX_ERROR_KINDS.has(kind));
    })
    .sort();
}

/**
 * Returns the container id of each named log, probing only files that are new to the cache
 * or changed since their last probe. runsc only appends to a log, so an id found once stays
 * valid while the same file grows. A file that shrank or has another inode is probed again.
 */
async function probeLogs(logDir: string, names: string[]): Promise<Map<string, string | undefined>> {
  const cached = probeCache.get(logDir) ?? new Map<string, ProbedLog>();
  const fresh = new Map<string, ProbedLog>();

  await forEachLimited(names, PROBE_CONCURRENCY, async (name) => {
    const probed = await probeLog(join(logDir, name), cached.get(name));
    if (probed !== undefined) {
      fresh.set(name, probed);
    }
  });

  // Replacing the folder's map drops the entries of files deleted since the last call.
  probeCache.set(logDir, fresh);

  const owners = new Map<string, string | undefined>();
  for (const [name, probed] of fresh) {
    owners.set(name, probed.containerId);
  }
  return owners;
}

async function probeLog(path: string, previous: ProbedLog | undefined): Promise<ProbedLog | undefined> {
  let stats;
  try {
    stats = await stat(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') {
      return undefined;
    }
    throw readError(path, error);
  }

  const current = { dev: stats.dev, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs };
  if (previous !== undefined && reusable(previous, current)) {
    return { ...current, containerId: previous.containerId };
  }

  const head = await readHead(path);
  if (head === undefined) {
    return undefined;
  }
  return { ...current, containerId: containerIdOfLog(head) };
}

function reusable(previous: ProbedLog, current: Omit<ProbedLog, 'containerId'>): boolean {
  const sameFile = previous.dev === current.dev && previous.ino === current.ino;
  if (!sameFile) {
    return false;
  }

  const unchanged = previous.size === current.size && previous.mtimeMs === current.mtimeMs;
  const grewWithId = previous.containerId !== undefined && current.size >= previous.size;
  return unchanged || grewWithId;
}

/**
 * Returns the complete lines at the start of a log, enough to hold its first `Args:`
 * line, or undefined when the file disappeared. The read doubles from HEAD_BYTES until it
 * contains a complete `Args:` line, reaches the end of the file, or reaches MAX_HEAD_BYTES.
 */
async function readHead(path: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') {
      return undefined;
    }
    throw readError(path, error);
  }

  try {
    for (let length = HEAD_BYTES; ; length *= 2) {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, 0);
      const text = buffer.toString('utf8', 0, bytesRead);
      const complete = text.slice(0, text.lastIndexOf('\n') + 1);

      const atEnd = bytesRead < length;
      if (atEnd || complete.includes('Args: [') || length >= MAX_HEAD_BYTES) {
        return complete;
      }
    }
  } catch (error) {
    throw readError(path, error);
  } finally {
    await handle.close();
  }
}

/** Returns a whole log, or undefined when it disappeared since the folder was listed. */
async function readLog(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') {
      return undefined;
    }
    throw readError(path, error);
  }
}

function readError(path: string, error: unknown): Error {
  return new Error(
    `Failed to read the runsc debug log ${path}: ${errorMessage(error)}. ` +
      'Check its permissions, or remove it if another program wrote it.',
  );
}

async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const itemKey = key(item);
    if (seen.has(itemKey)) {
      return false;
    }
    seen.add(itemKey);
    return true;
  });
}

function syscallKey(finding: UnsupportedSyscall): string {
  return [finding.containerId, finding.name, ...finding.args].join('\u0000');
}

function panicKey(panic: SandboxPanic): string {
  return [panic.containerId, panic.message, ...panic.frames].join('\u0000');
}

function sandboxErrorKey(error: SandboxError): string {
  return [error.containerId, error.kind, error.message].join('\u0000');
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
