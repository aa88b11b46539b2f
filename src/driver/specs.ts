import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ImageSpec } from '../matrix/types.js';

/** Folder under the run folder that Playwright uses as its testDir. */
export function specsDir(runDir: string): string {
  return join(runDir, 'specs');
}

const DECLARATIVE_MODULE = fileURLToPath(new URL('./declarative.js', import.meta.url));

/**
 * Writes the spec files Playwright loads for a run: one that declares the matrix.yaml
 * tests and one per suite file of the selected images. Each is a one-line import, because
 * Playwright finds tests only under its testDir, while gvmatrix's own module and the
 * user's suites live in different folders.
 */
export async function writeSpecFiles(runDir: string, images: ImageSpec[]): Promise<string[]> {
  const dir = specsDir(runDir);
  await mkdir(dir, { recursive: true });

  const written: string[] = [];
  const declarative = join(dir, 'matrix.spec.mjs');
  await writeFile(declarative, `import ${JSON.stringify(pathToFileURL(DECLARATIVE_MODULE).href)};\n`);
  written.push(declarative);

  const suites = [...new Set(images.flatMap((image) => image.suites))];
  for (const [index, suite] of suites.entries()) {
    const stub = join(dir, `${String(index).padStart(3, '0')}-${basename(suite).replace(/\.(spec|test)\.[cm]?[jt]sx?$/, '')}.spec.ts`);
    await writeFile(stub, `import ${JSON.stringify(suite)};\n`);
    written.push(stub);
  }
  return written;
}
