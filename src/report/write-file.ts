import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes text to `path` through `path.tmp-PID` and a rename in the same folder, so a
 * reader (a CI upload, a dashboard polling the file) reads the old file or the whole new
 * one, never part of it. Creates the folder when it is missing.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temporaryPath = `${path}.tmp-${process.pid}`;

  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temporaryPath, text, 'utf8');
    await rename(temporaryPath, path);
  } catch (error) {
    await rm(temporaryPath, { force: true });
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`failed to write ${path}: ${reason}; check that its folder is writable and the disk has space`, {
      cause: error,
    });
  }
}
