import type { FileReference } from './file-checks.js';
import type { YamlReader } from './yaml-reader.js';

/** State shared by the readers of one matrix file. */
export interface LoadContext {
  reader: YamlReader;
  /** Absolute folder of the matrix file; relative paths in it resolve from here. */
  dir: string;
  /** Build folders and suite files named in the matrix, checked after parsing when requested. */
  fileReferences: FileReference[];
}
