import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes text to `path` through `path.tmp-PID` and a rename in the same folder, so a
 * reader (a CI upload, a dashboard polling the file) reads the old file or the whole new
 * one, never part of it. Creates the folder when it is missing.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  await writeFilesAtomic([{ path, text }]);
}

/**
 * Writes several files as writeFileAtomic does, but renames them only once every
 * temporary file is complete. So a process killed while it writes leaves all the old
 * files. Only a kill between the renames, a window of a few system calls, leaves a mix
 * of old and new files, and each file is always whole.
 */
export async function writeFilesAtomic(files: { path: string; text: string }[]): Promise<void> {
  const temporaryPaths = files.map((file) => `${file.path}.tmp-${process.pid}`);
  let current = files[0]?.path ?? '';

  try {
    for (const [index, file] of files.entries()) {
      current = file.path;
      await mkdir(dirname(file.path), { recursive: true });
      await writeFile(temporaryPaths[index] as string, file.text, 'utf8');
    }
    for (const [index, file] of files.entries()) {
      current = file.path;
      await rename(temporaryPaths[index] as string, file.path);
    }
  } catch (error) {
    // A temporary path under a missing or unusable folder cannot exist, so its removal may fail.
    await Promise.all(temporaryPaths.map((path) => rm(path, { force: true }).catch(() => undefined)));
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`failed to write ${current}: ${reason}; check that its folder is writable and the disk has space`, {
      cause: error,
    });
  }
}
