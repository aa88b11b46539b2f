import type { ImageSpec, Matrix } from '../matrix/types.js';
import { STAGE_TIMEOUT_MS } from '../engine/stage-timeout.js';

/** Time allowed for reading runsc's logs after a test, beyond the bounded teardown steps. */
const EVIDENCE_ALLOWANCE_MS = 10_000;

/** Returns the images to run: all of them, or those named (in matrix order). */
export function selectImages(matrix: Matrix, names?: string[]): ImageSpec[] {
  if (!names || names.length === 0) {
    return matrix.images;
  }
  return matrix.images.filter((image) => names.includes(image.name));
}

/**
 * Returns a Playwright test timeout that covers the bounds of container start, the check
 * and the two teardown steps, so a stage's own timeout, which names the stage, fires first.
 */
export function testTimeoutMs(image: ImageSpec, checkTimeoutMs: number): number {
  const startMs = image.startupTimeoutMs + STAGE_TIMEOUT_MS.containerStartAllowance;
  return startMs + checkTimeoutMs + 2 * STAGE_TIMEOUT_MS.teardownStep + EVIDENCE_ALLOWANCE_MS;
}
