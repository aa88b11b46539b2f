/**
 * Derives the benchmark's matrix files from the shipped matrix.yaml. Both run the images
 * the set-up built (`image: localhost/gvmatrix/NAME:latest`), so a benchmark run builds and
 * removes no image in the shared store.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { stringify, parse } from 'yaml';
import { builtImageRef, loadMatrix } from '../src/matrix/loader.js';
import type { Matrix } from '../src/matrix/types.js';

interface ImageEntry {
  build?: string;
  image?: string;
  suites?: string[];
  tests?: unknown[];
  [key: string]: unknown;
}

interface MatrixDocument {
  images: Record<string, ImageEntry>;
  known?: unknown[];
  [key: string]: unknown;
}

/** Replaces `build:` with the reference gvmatrix built the folder under, and drops `suites:`. */
function asBuiltImage(name: string, entry: ImageEntry): ImageEntry {
  const { build, suites, ...rest } = entry;
  void suites;
  return build === undefined ? rest : { image: builtImageRef(name), ...rest };
}

/** Returns whether the plain script can run an image, which it cannot with `mounts:` or `steps:` tests. */
function plainScriptRuns(entry: ImageEntry): boolean {
  const steps = (entry.tests ?? []).some((test) => typeof test === 'object' && test !== null && 'steps' in test);
  return entry.mounts === undefined && !steps;
}

/** Reads the shipped matrix, leaving out the images the plain script cannot run. */
async function readDocument(shippedFile: string): Promise<MatrixDocument> {
  // parse() resolves YAML aliases, so images that share tests through an anchor get a copy each.
  const document = parse(await readFile(shippedFile, 'utf8')) as MatrixDocument;
  return { ...document, images: Object.fromEntries(Object.entries(document.images).filter(([, entry]) => plainScriptRuns(entry))) };
}

async function writeMatrix(document: MatrixDocument, outputFile: string, comment: string): Promise<Matrix> {
  await writeFile(outputFile, `# ${comment}\n${stringify(document, { lineWidth: 0 })}`);
  return loadMatrix(outputFile);
}

/**
 * Writes the shipped matrix's declarative tests for the plain comparison: every image
 * with its tests, without `suites:` (Playwright code has no plain-shell equivalent) and
 * without `known:`, whose entries only relabel verdicts.
 */
export async function writeShippedBenchMatrix(shippedFile: string, outputFile: string): Promise<Matrix> {
  const document = await readDocument(shippedFile);
  const images = Object.fromEntries(Object.entries(document.images).map(([name, entry]) => [name, asBuiltImage(name, entry)]));
  const { known, ...rest } = document;
  void known;
  return writeMatrix({ ...rest, images }, outputFile, `Derived by bench/bench-matrix.ts from ${shippedFile}: declarative tests only.`);
}

/**
 * Writes a matrix of `count` images for the memory measurement. Image I is the shipped
 * image I modulo their number under a new name (`nginx-13`), with its first
 * `testsPerImage` declarative tests.
 */
export async function writeWideBenchMatrix(shippedFile: string, outputFile: string, count: number, testsPerImage: number): Promise<Matrix> {
  const document = await readDocument(shippedFile);
  const sources = Object.entries(document.images);
  const images: Record<string, ImageEntry> = {};
  for (let index = 0; index < count; index++) {
    const [name, entry] = sources[index % sources.length]!;
    const image = asBuiltImage(name, entry);
    images[`${name}-${String(index + 1).padStart(2, '0')}`] = { ...image, tests: (image.tests ?? []).slice(0, testsPerImage) };
  }
  const { known, ...rest } = document;
  void known;
  return writeMatrix({ ...rest, images }, outputFile, `Derived by bench/bench-matrix.ts from ${shippedFile}: ${count} images, ${testsPerImage} tests each.`);
}
