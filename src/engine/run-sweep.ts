import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CONTEXT_ENV } from '../driver/context.js';
import { currentPodman, rootlessPodman, type Podman } from './podman.js';
import { removeRunContainers, listRunContainers } from './session.js';
import { isProcessAlive, listPids, readCommandLine, readStartTime } from './process-identity.js';
import { readRunRecords, removeRunRecord, runRecordDir, type RunRecord } from './run-record.js';

/** The resources of one dead run that a sweep removed, or with a dry run would remove. */
export interface SweptRun {
  runId: string;
  containers: string[];
  servicePids: number[];
  /** Playwright processes of the run, which outlive a killed gvmatrix and would go on writing reports. */
  testPids: number[];
  socketDir: string;
  /** The reports folder whose lock still named the run and was removed. */
  releasedLock?: string;
  /** Set when the run's resources could not all be removed; its record stays for a later sweep. */
  error?: string;
}

export interface SweepResult {
  swept: SweptRun[];
  /** Run ids whose gvmatrix process still runs; nothing of theirs is touched. */
  live: string[];
  /** Record files that do not parse, left in place. */
  invalidRecords: string[];
}

const SERVICE_STOP_GRACE_MS = 10_000;

/**
 * Decides whether a command line is a Podman API service serving a socket in this run's
 * socket folder: `podman ... system service ... unix://SOCKET_DIR/NAME.sock`, directly
 * or behind `runuser ... podman`. Only such processes are killed for a dead run.
 */
export function isRunServiceCommand(argv: string[], socketDir: string): boolean {
  const podmanAt = argv.findIndex((arg) => arg === 'podman' || arg.endsWith('/podman'));
  if (podmanAt < 0) {
    return false;
  }
  const rest = argv.slice(podmanAt + 1);
  const systemAt = rest.indexOf('system');
  if (systemAt < 0 || rest[systemAt + 1] !== 'service') {
    return false;
  }
  const prefix = `unix://${socketDir.replace(/\/$/, '')}/`;
  return rest.slice(systemAt + 2).some((arg) => arg.startsWith(prefix));
}

/** Finds the running API service processes of a run: its recorded pids and any other process serving its sockets. */
export async function findRunServices(record: RunRecord): Promise<number[]> {
  const candidates = new Set([...record.servicePids, ...(await listPids())]);
  const found: number[] = [];
  for (const pid of candidates) {
    const argv = await readCommandLine(pid);
    if (argv && isRunServiceCommand(argv, record.socketDir)) {
      found.push(pid);
    }
  }
  return found.sort((a, b) => a - b);
}

async function readEnvironment(pid: number): Promise<string[]> {
  try {
    return (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
  } catch {
    return [];
  }
}

/**
 * Finds the Playwright processes of a run, the main one and its workers: they inherit
 * GVMATRIX_CONTEXT naming the context file in the run's folder. A run record without a
 * reports folder (from an older gvmatrix) finds none.
 */
export async function findRunTestProcesses(record: RunRecord): Promise<number[]> {
  if (!record.reportsDir) {
    return [];
  }
  const entry = `${CONTEXT_ENV}=${join(record.reportsDir, 'runs', record.runId, 'context.json')}`;
  const found: number[] = [];
  for (const pid of await listPids()) {
    if (pid !== process.pid && (await readEnvironment(pid)).includes(entry)) {
      found.push(pid);
    }
  }
  return found.sort((a, b) => a - b);
}

/** Sends SIGTERM, then SIGKILL after a grace period, to a process that is still the one found. */
async function stopProcess(pid: number): Promise<void> {
  const startTime = await readStartTime(pid);
  if (!startTime) {
    return;
  }
  const identity = { pid, startTime };
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + SERVICE_STOP_GRACE_MS;
  while (Date.now() < deadline) {
    if (!(await isProcessAlive(identity))) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (await isProcessAlive(identity)) {
    process.kill(pid, 'SIGKILL');
  }
}

async function podmanFor(record: RunRecord): Promise<Podman> {
  return record.podmanUser ? rootlessPodman(record.podmanUser) : currentPodman();
}

/** A function that removes the lock of a dead run's reports folder while it names that run, and returns whether it did. */
export type ReleaseDeadLock = (reportsDir: string, runId: string) => Promise<boolean>;

/**
 * Removes the resources of one dead run: first its Playwright processes and API services,
 * so that nothing starts new containers or writes reports, then its labelled containers,
 * its socket folder, its reports lock and its record.
 */
async function sweepRun(record: RunRecord, dryRun: boolean, recordDir: string, releaseLock?: ReleaseDeadLock): Promise<SweptRun> {
  const swept: SweptRun = { runId: record.runId, containers: [], servicePids: [], testPids: [], socketDir: record.socketDir };
  try {
    const podman = await podmanFor(record);
    swept.testPids = await findRunTestProcesses(record);
    swept.servicePids = await findRunServices(record);
    if (dryRun) {
      swept.containers = await listRunContainers(record.runId, podman);
      return swept;
    }
    for (const pid of [...swept.testPids, ...swept.servicePids]) {
      await stopProcess(pid);
    }
    swept.containers = await removeRunContainers(record.runId, podman);
    await rm(record.socketDir, { recursive: true, force: true });
    if (record.reportsDir && releaseLock && (await releaseLock(record.reportsDir, record.runId))) {
      swept.releasedLock = record.reportsDir;
    }
    await removeRunRecord(record.runId, recordDir);
  } catch (error) {
    swept.error = error instanceof Error ? error.message : String(error);
  }
  return swept;
}

/** Sweeps the resources of every recorded run whose gvmatrix process is gone; live runs are left alone. */
export async function sweepDeadRuns(options: { dryRun: boolean; recordDir?: string; releaseLock?: ReleaseDeadLock }): Promise<SweepResult> {
  const recordDir = options.recordDir ?? runRecordDir();
  const { records, invalid } = await readRunRecords(recordDir);
  const result: SweepResult = { swept: [], live: [], invalidRecords: invalid };
  for (const record of records) {
    if (await isProcessAlive(record.process)) {
      result.live.push(record.runId);
      continue;
    }
    result.swept.push(await sweepRun(record, options.dryRun, recordDir, options.releaseLock));
  }
  return result;
}

/** Formats one line per dead run: what was removed, or with --dry-run what would be. */
export function formatSweptRun(run: SweptRun, dryRun: boolean): string {
  const verb = dryRun ? 'would remove' : 'removed';
  const parts = [
    `${run.containers.length} container${run.containers.length === 1 ? '' : 's'}`,
    ...(run.testPids.length ? [`${run.testPids.length} Playwright process${run.testPids.length === 1 ? '' : 'es'} (pid ${run.testPids.join(', ')})`] : []),
    `${run.servicePids.length} API service process${run.servicePids.length === 1 ? '' : 'es'}${run.servicePids.length ? ` (pid ${run.servicePids.join(', ')})` : ''}`,
    `socket folder ${run.socketDir}`,
    ...(run.releasedLock ? [`the lock of reports folder ${run.releasedLock}`] : []),
    'run record',
  ];
  const line = `run ${run.runId}: ${verb} ${parts.join(', ')}`;
  return run.error ? `run ${run.runId}: cleanup failed, its record stays for the next \`gvmatrix clean\`: ${run.error}` : line;
}
