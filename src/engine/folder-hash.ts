import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Version of the hashed record format below. Changing what goes into the hash changes this
 * too, so images labelled by an older gvmatrix count as changed instead of matching by chance.
 */
const FORMAT = 'gvmatrix-folder-hash/1';

/**
 * Returns the SHA-256 (`sha256:HEX`) of everything in a build folder that a `podman build`
 * of it can see: every entry's path relative to the folder, its type and permission bits,
 * a regular file's contents and a symbolic link's target. Entries are taken in sorted
 * order, so the order files were created in does not matter, and modification times,
 * owners and the folder's own location are left out, so a fresh checkout hashes the same.
 * Nothing is skipped: files that `.containerignore` excludes, and editor backups, count
 * too, because they are in the folder. Throws for a socket, FIFO or device file, which a
 * build folder has no use for.
 */
export async function hashFolder(dir: string): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`${FORMAT}\n`);
  await hashEntries(dir, '', hash);
  return `sha256:${hash.digest('hex')}`;
}

async function hashEntries(root: string, relativeDir: string, hash: ReturnType<typeof createHash>): Promise<void> {
  const names = (await readdir(join(root, relativeDir))).sort(compareNames);

  for (const name of names) {
    const relativePath = relativeDir ? `${relativeDir}/${name}` : name;
    const path = join(root, relativePath);
    const stats = await lstat(path);
    const mode = (stats.mode & 0o7777).toString(8);

    // NUL cannot occur in a file name, so it separates fields unambiguously.
    if (stats.isDirectory()) {
      hash.update(`dir\0${relativePath}\0${mode}\n`);
      await hashEntries(root, relativePath, hash);
    } else if (stats.isFile()) {
      const contents = createHash('sha256').update(await readFile(path)).digest('hex');
      hash.update(`file\0${relativePath}\0${mode}\0${contents}\n`);
    } else if (stats.isSymbolicLink()) {
      hash.update(`symlink\0${relativePath}\0${await readlink(path)}\n`);
    } else {
      throw new Error(`${path} is neither a file, a folder nor a symbolic link; remove it from the image's build folder ${root}`);
    }
  }
}

/** Compares names by code unit, so the order is the same in every locale. */
function compareNames(left: string, right: string): number {
  if (left === right) {
    return 0;
  }
  return left < right ? -1 : 1;
}
