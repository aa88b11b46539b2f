import type { ImageSpec, Matrix } from '../matrix/types.js';

/** Time allowed for stopping the container and reading runsc's logs after a test. */
const TEARDOWN_ALLOWANCE_MS = 30_000;

/** Returns the images to run: all of them, or those named (in matrix order). */
export function selectImages(matrix: Matrix, names?: string[]): ImageSpec[] {
  if (!names || names.length === 0) {
    return matrix.images;
  }
  return matrix.images.filter((image) => names.includes(image.name));
}

/** Returns a Playwright test timeout that covers container start, the check and teardown. */
export function testTimeoutMs(image: ImageSpec, checkTimeoutMs: number): number {
  return image.startupTimeoutMs + checkTimeoutMs + TEARDOWN_ALLOWANCE_MS;
}
