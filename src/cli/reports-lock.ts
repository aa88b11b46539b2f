import { link, mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EnvironmentError } from '../engine/runtimes.js';
import { currentProcessIdentity, isProcessAlive, type ProcessIdentity } from '../engine/process-identity.js';

/** The lock file in a reports folder; it names the run that writes the folder. */
export const LOCK_FILE = '.gvmatrix.lock';

/** The contents of a lock file. */
export interface ReportsLockOwner {
  runId: string;
  process: ProcessIdentity;
}

/** Another live run has locked the reports folder. The exit status is 3, as for any environment problem. */
export class ReportsLockedError extends EnvironmentError {
  constructor(reportsDir: string, owner: ReportsLockOwner) {
    super(
      `reports folder ${reportsDir} is in use by run ${owner.runId} (gvmatrix pid ${owner.process.pid}); ` +
        'wait for that run to end, or pass another folder with --reports',
    );
    this.name = 'ReportsLockedError';
  }
}

export function parseLockOwner(text: string): ReportsLockOwner | undefined {
  try {
    const owner = JSON.parse(text) as Partial<ReportsLockOwner>;
    if (typeof owner.runId === 'string' && typeof owner.process?.pid === 'number' && typeof owner.process.startTime === 'string') {
      return owner as ReportsLockOwner;
    }
  } catch {
    // A half-written or damaged lock is handled like a missing owner below.
  }
  return undefined;
}

/**
 * Decides what to do with an existing lock: `locked` when its run is alive, `take-over`
 * when its process is gone or the file names no run.
 */
export function lockDecision(owner: ReportsLockOwner | undefined, ownerAlive: boolean): 'locked' | 'take-over' {
  return owner && ownerAlive ? 'locked' : 'take-over';
}

const TAKE_OVER_ATTEMPTS = 3;

/**
 * Takes the exclusive lock on a reports folder for this run and returns the function that
 * releases it. The lock file is written under a temporary name and then hard-linked to
 * its name, which fails when the name exists. So of two runs that start together exactly
 * one gets it. Another run never reads an empty lock and takes it over, as it could
 * between an O_EXCL create and the write. A lock left by a process that is gone is taken
 * over with a message.
 * The release also removes the folders that the lock created, if the run left them empty.
 */
export async function lockReportsFolder(reportsDir: string, runId: string, log: (message: string) => void): Promise<() => Promise<void>> {
  const firstCreated = await mkdir(reportsDir, { recursive: true });
  const file = join(reportsDir, LOCK_FILE);
  const mine: ReportsLockOwner = { runId, process: await currentProcessIdentity() };
  const text = JSON.stringify(mine);

  for (let attempt = 1; attempt <= TAKE_OVER_ATTEMPTS; attempt++) {
    if (await createLockFile(file, text)) {
      return async () => {
        await releaseLock(file, text);
        if (firstCreated !== undefined) {
          await removeEmptyFolders(reportsDir, firstCreated);
        }
      };
    }

    const ownerText = await readFile(file, 'utf8').catch(() => undefined);
    if (ownerText === undefined) {
      continue;
    }
    const owner = parseLockOwner(ownerText);
    if (lockDecision(owner, owner ? await isProcessAlive(owner.process) : false) === 'locked' && owner) {
      throw new ReportsLockedError(reportsDir, owner);
    }
    log(
      owner
        ? `taking over the lock of reports folder ${reportsDir} from run ${owner.runId} (pid ${owner.process.pid}), whose process is gone`
        : `taking over the lock of reports folder ${reportsDir}: ${file} names no run`,
    );
    await rm(file, { force: true });
  }
  throw new EnvironmentError(`could not lock reports folder ${reportsDir}: ${file} was recreated ${TAKE_OVER_ATTEMPTS} times by other runs; pass another folder with --reports`);
}

/** Creates the lock file with its whole contents at once. Returns false when it exists. */
async function createLockFile(file: string, text: string): Promise<boolean> {
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, text);
  try {
    await link(partial, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return false;
    }
    throw error;
  } finally {
    await rm(partial, { force: true });
  }
}

/** Removes the lock file if it is still this run's, so a taken-over lock is not removed. */
async function releaseLock(file: string, text: string): Promise<void> {
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (current === text) {
    await rm(file, { force: true });
  }
}

/** Removes `folder` and its parents up to `top` while they are empty, so a run that wrote nothing leaves nothing. */
async function removeEmptyFolders(folder: string, top: string): Promise<void> {
  for (let current = folder; ; current = dirname(current)) {
    try {
      await rmdir(current);
    } catch {
      return;
    }
    if (current === top || dirname(current) === current) {
      return;
    }
  }
}

/**
 * Removes the lock of a reports folder when it still names a run whose process is gone,
 * for the sweep of killed runs. A lock that another run has taken over stays.
 */
export async function releaseDeadRunLock(reportsDir: string, runId: string): Promise<boolean> {
  const file = join(reportsDir, LOCK_FILE);
  const owner = parseLockOwner(await readFile(file, 'utf8').catch(() => ''));
  if (owner?.runId !== runId || (await isProcessAlive(owner.process))) {
    return false;
  }
  await rm(file, { force: true });
  return true;
}
