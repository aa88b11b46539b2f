import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ImageSpec, Matrix } from '../matrix/types.js';
import type { ShardSpec } from '../driver/shard.js';
import type { RunScope } from '../report/types.js';

/**
 * Describes the part of the matrix a run covers: the matrix file's digest, the shard and
 * the images. `gvmatrix merge` compares these fields to reject reports of different
 * matrices or selections.
 */
export async function describeRunScope(
  matrix: Matrix,
  selected: readonly ImageSpec[],
  images: readonly ImageSpec[],
  shard: ShardSpec | undefined,
): Promise<RunScope> {
  // NOTE: the digest covers matrix.yaml only. Suite files and image folders that changed
  // between shards go unnoticed by `gvmatrix merge`.
  const matrixDigest = createHash('sha256').update(await readFile(matrix.file)).digest('hex');

  const scope: RunScope = {
    matrixDigest,
    images: images.map((image) => image.name),
    selectedImages: selected.map((image) => image.name),
  };
  if (shard) {
    scope.shard = shard;
  }
  return scope;
}
