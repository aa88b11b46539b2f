import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Matrix } from '../src/matrix/types.js';
import { selectRuntimes } from '../src/cli/run-command.js';
import { runtimeBinaryForPodman } from '../src/engine/netstack-wrapper.js';
import { probeRuntime } from '../src/engine/runtimes.js';
import type { PlainRuntime } from './plain-script.js';

/**
 * Probes the runtimes `gvmatrix run --runtime NAME...` would use (the baseline and the
 * named sandboxes) and returns them as the plain script runs them: the same binary,
 * netstack wrapper, flags and runsc debug-log folder under `workDir`.
 */
export async function plainRuntimes(matrix: Matrix, names: string[] | undefined, workDir: string): Promise<PlainRuntime[]> {
  const runtimes: PlainRuntime[] = [];
  for (const variant of selectRuntimes(matrix, names)) {
    const info = await probeRuntime(variant);
    const binary = await runtimeBinaryForPodman(info, join(workDir, 'runtimes'));
    const runtime: PlainRuntime = { info, binary };
    if (info.kind === 'runsc') {
      runtime.debugLogDir = join(workDir, 'runsc-logs', info.name);
    }
    runtimes.push(runtime);
  }
  return runtimes;
}

/** Returns gvmatrix's default worker count (see src/driver/playwright.config.ts): one per runtime, at most one per core. */
export function defaultWorkers(runtimeCount: number): number {
  return Math.max(1, Math.min(runtimeCount, availableParallelism()));
}
