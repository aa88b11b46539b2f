/**
 * Playwright configuration for a gvmatrix run: one project per runtime variant, so a
 * worker serves exactly one Podman API endpoint. The baseline's project is capped at its
 * share of the workers, so baseline and sandbox tests run side by side (src/driver/workers.ts).
 * Started by `gvmatrix run` with GVMATRIX_CONTEXT naming the run context file.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import { loadMatrix } from '../matrix/loader.js';
import { readRunContext } from './context.js';
import { selectImages, testTimeoutMs } from './selection.js';
import { specsDir } from './specs.js';
import { baselineWorkerLimit, currentCapacity, defaultWorkerCount, memoryPerContainer, requestedWorkers } from './workers.js';

const context = readRunContext();
const matrix = await loadMatrix(context.matrixFile);
const images = selectImages(matrix, context.images);

// Suite tests get the longest budget any selected image needs; declarative tests set their own.
const suiteTimeoutMs = Math.max(...images.map((image) => testTimeoutMs(image, image.timeoutMs)), 60_000);

const workers = requestedWorkers() ?? defaultWorkerCount(currentCapacity(), memoryPerContainer(images));
const baselineWorkers = baselineWorkerLimit(workers, context.runtimes.length);

export default defineConfig({
  testDir: specsDir(context.runDir),
  outputDir: join(context.runDir, 'test-results'),
  fullyParallel: true,
  workers,
  retries: 0,
  timeout: suiteTimeoutMs,
  forbidOnly: true,
  reporter: [
    [fileURLToPath(new URL('../report/progress-reporter.js', import.meta.url))],
    [fileURLToPath(new URL('../report/reporter.js', import.meta.url)), { outputDir: context.reportsDir }],
  ],
  projects: context.runtimes.map((runtime) => ({
    name: runtime.name,
    metadata: { runtime: runtime.name },
    workers: runtime.baseline ? baselineWorkers : undefined,
  })),
});
