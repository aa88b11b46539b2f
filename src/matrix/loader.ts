import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isScalar, LineCounter, parseDocument, type YAMLError } from 'yaml';
import { readDefaults } from './defaults.js';
import { readEngineSettings } from './engine-settings.js';
import { MatrixError, type MatrixIssue } from './errors.js';
import { checkFileReferences } from './file-checks.js';
import { readImages } from './images.js';
import { readKnown } from './known.js';
import type { LoadContext } from './load-context.js';
import { readRuntimes } from './runtimes.js';
import type { Matrix, SourceLocation } from './types.js';
import { YamlReader, type Field } from './yaml-reader.js';

export { formatIssue, MatrixError, type MatrixIssue } from './errors.js';
export { builtImageRef } from './images.js';

const TOP_LEVEL_KEYS = ['version', 'defaults', 'engine', 'runtimes', 'images', 'known'] as const;

export interface ParseOptions {
  /**
   * Check that build folders contain a Containerfile or Dockerfile and that suite files
   * exist. Defaults to true; turn it off to validate a matrix away from its files.
   */
  checkFiles?: boolean;
}

/**
 * Reads and validates a matrix file. Throws MatrixError listing every problem in the
 * file, or saying that the file cannot be read.
 */
export async function loadMatrix(file: string): Promise<Matrix> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    throw new MatrixError([{ location: fileStart(absolute), message: readFailure(error) }]);
  }
  return parseMatrix(text, absolute);
}

function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'matrix file not found; create it, or pass --matrix FILE to use another one';
  if (code === 'EISDIR') return 'matrix path is a folder; pass --matrix FILE with the path of the matrix file';

  const reason = error instanceof Error ? error.message : String(error);
  return `failed to read the matrix file: ${reason}; check its permissions, or pass --matrix FILE to use another one`;
}

/**
 * Parses and validates the text of a matrix file. `file` is the file's path, used in
 * messages and to resolve relative paths. Throws MatrixError with every problem found,
 * sorted by position; a YAML syntax error stops validation, because the structure after
 * it cannot be trusted.
 */
export function parseMatrix(text: string, file: string, options: ParseOptions = {}): Matrix {
  const absolute = path.resolve(file);
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });

  if (document.errors.length > 0) {
    throw new MatrixError(document.errors.map((error) => syntaxIssue(error, text, absolute, lineCounter)));
  }

  const reader = new YamlReader(absolute, document, lineCounter);
  const context: LoadContext = { reader, dir: path.dirname(absolute), fileReferences: [] };
  const matrix = readMatrix(context, document.contents);

  const issues = [...reader.issues];
  if (options.checkFiles ?? true) issues.push(...checkFileReferences(context.fileReferences));

  if (matrix === undefined || issues.length > 0) {
    throw new MatrixError(sortByPosition(issues));
  }
  return matrix;
}

function readMatrix(context: LoadContext, root: unknown): Matrix | undefined {
  const { reader } = context;
  const rootNode = reader.resolve(root);
  const rootLocation = fileStart(reader.file);

  if (rootNode === null || (isScalar(rootNode) && rootNode.value === null)) {
    reader.report(rootLocation, 'the matrix file is empty; start it with version: 1, then runtimes: and images:');
    return undefined;
  }

  const fields = reader.mapping(rootNode, 'the matrix file', TOP_LEVEL_KEYS);
  if (fields === undefined) return undefined;

  const versionOk = readVersion(reader, fields.get('version'), rootLocation);
  const defaults = readDefaults(reader, fields.get('defaults'));
  const engine = readEngineSettings(reader, fields.get('engine'));
  const { runtimes, baseline } = readRuntimes(reader, fields.get('runtimes'), rootLocation);
  const images = readImages(context, fields.get('images'), defaults, rootLocation);
  const known = readKnown(reader, fields.get('known'), images, runtimes);

  if (!versionOk || baseline === undefined) return undefined;
  return {
    version: 1,
    file: reader.file,
    dir: context.dir,
    runtimes,
    baseline,
    images: images.map((image) => image.spec),
    defaults,
    known,
    engine,
  };
}

function readVersion(reader: YamlReader, field: Field | undefined, rootLocation: SourceLocation): boolean {
  if (field === undefined) {
    reader.report(rootLocation, 'missing version:; add version: 1 as the first line');
    return false;
  }

  const version = reader.integer(field.value, 'version', 1, 1, '1, the only matrix version this gvmatrix reads');
  return version === 1;
}

function syntaxIssue(error: YAMLError, text: string, file: string, lineCounter: LineCounter): MatrixIssue {
  const { line, col } = lineCounter.linePos(error.pos[0]);
  const location = { file, line: Math.max(line, 1), column: col };
  if (error.code === 'DUPLICATE_KEY') {
    // The yaml package's message names no key; its position is the second key's start.
    const key = /^[^:\n]*?(?=\s*:)/.exec(text.slice(error.pos[0]))?.[0]?.trim() || text.slice(error.pos[0], error.pos[1]);
    return { location, message: `invalid YAML: duplicate key ${JSON.stringify(key)}; each key of a mapping must be unique, so rename or remove one` };
  }
  return { location, message: `invalid YAML: ${error.message}` };
}

function fileStart(file: string): SourceLocation {
  return { file, line: 1, column: 1 };
}

function sortByPosition(issues: MatrixIssue[]): MatrixIssue[] {
  return [...issues].sort((a, b) => a.location.line - b.location.line || a.location.column - b.location.column);
}
