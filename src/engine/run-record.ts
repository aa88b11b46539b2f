import { mkdir, readFile, readdir, rm, writeFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessIdentity } from './process-identity.js';

/**
 * The resources a run started outside its reports folder. The record is written when its
 * API services start and removed after a clean close, so a record whose process is gone
 * marks a killed run, whose containers, services and sockets `gvmatrix clean` removes.
 */
export interface RunRecord {
  runId: string;
  /** The gvmatrix process of the run. */
  process: ProcessIdentity;
  /** The account of rootless Podman when root drove it through runuser; unset for the current user's Podman. */
  podmanUser?: string;
  /** The folder of the run's API sockets and service logs. */
  socketDir: string;
  /** Pids of the processes gvmatrix started for the API services (podman, or runuser for a rootless user). */
  servicePids: number[];
  /**
   * The run's reports folder. A sweep stops the run's Playwright processes, found by the
   * context file in its run folder there, and removes the folder's lock while it names the run.
   */
  reportsDir?: string;
}

/** Returns the folder of run records: /run/gvmatrix/runs for root, XDG_RUNTIME_DIR/gvmatrix/runs otherwise. */
export function runRecordDir(): string {
  if (process.getuid?.() === 0) {
    return '/run/gvmatrix/runs';
  }
  return join(process.env.XDG_RUNTIME_DIR || tmpdir(), 'gvmatrix', 'runs');
}

function recordFile(runId: string, dir: string): string {
  return join(dir, `${runId}.json`);
}

/** Writes or replaces a run's record. The rename makes a reader see the old or the new file, never half of one. */
export async function writeRunRecord(record: RunRecord, dir = runRecordDir()): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = recordFile(record.runId, dir);
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, JSON.stringify(record, null, 2));
  await rename(partial, file);
}

export async function removeRunRecord(runId: string, dir = runRecordDir()): Promise<void> {
  await rm(recordFile(runId, dir), { force: true });
}

/** Checks the fields a sweep relies on, so a damaged file is reported and not acted on. */
export function parseRunRecord(text: string): RunRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const record = value as Partial<RunRecord>;
  const valid =
    typeof record.runId === 'string' &&
    /^[\w-]+$/.test(record.runId) &&
    typeof record.process?.pid === 'number' &&
    typeof record.process.startTime === 'string' &&
    typeof record.socketDir === 'string' &&
    record.socketDir.endsWith(record.runId) &&
    Array.isArray(record.servicePids) &&
    record.servicePids.every((pid) => Number.isInteger(pid)) &&
    (record.podmanUser === undefined || typeof record.podmanUser === 'string') &&
    (record.reportsDir === undefined || typeof record.reportsDir === 'string');
  return valid ? (record as RunRecord) : undefined;
}

/** Reads every record in the folder; files that do not parse are returned by name in `invalid`. */
export async function readRunRecords(dir = runRecordDir()): Promise<{ records: RunRecord[]; invalid: string[] }> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith('.json')).sort();
  const records: RunRecord[] = [];
  const invalid: string[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const record = parseRunRecord(await readFile(file, 'utf8').catch(() => ''));
    if (record) {
      records.push(record);
    } else {
      invalid.push(file);
    }
  }
  return { records, invalid };
}
