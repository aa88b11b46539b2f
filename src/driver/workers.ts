import { availableParallelism, freemem } from 'node:os';
import type { ImageSpec } from '../matrix/types.js';

/** Environment variable that carries `run --workers` into the Playwright configuration. */
export const WORKERS_ENV = 'GVMATRIX_WORKERS';

/**
 * Memory one test's container is assumed to need when its image sets no `resources.memory`:
 * the application plus, under runsc, the sentry and gofer.
 * NOTE: this is an estimate. A heavier image without a memory limit can make the default
 * worker count too high for the machine.
 */
export const DEFAULT_CONTAINER_MEMORY_BYTES = 512 * 1024 ** 2;

/** Capacity of the machine that sizes the default worker count. */
export interface MachineCapacity {
  cpus: number;
  /** Memory the kernel can give out now (MemAvailable on Linux), in bytes. */
  freeMemoryBytes: number;
}

export function currentCapacity(): MachineCapacity {
  return { cpus: availableParallelism(), freeMemoryBytes: freemem() };
}

/** Returns the memory a test container of these images needs at most, in bytes. */
export function memoryPerContainer(images: ImageSpec[]): number {
  return Math.max(DEFAULT_CONTAINER_MEMORY_BYTES, ...images.map((image) => image.resources.memoryBytes ?? 0));
}

/**
 * Returns the default number of Playwright workers: one per CPU, fewer when free memory
 * cannot hold one container per worker. Each worker runs one test, so one container, at a time.
 */
export function defaultWorkerCount(capacity: MachineCapacity, containerMemoryBytes: number): number {
  const byMemory = Math.floor(capacity.freeMemoryBytes / containerMemoryBytes);
  return Math.max(1, Math.min(capacity.cpus, byMemory));
}

/**
 * Returns how many workers the baseline's project may use at a time, or undefined for no limit.
 *
 * Playwright queues the tests project after project and gives each free worker the first
 * queued test its project's limit allows, so without a limit every worker runs the baseline
 * first and the sandbox runtimes only after it (Playwright 1.65, Dispatcher._findFirstJobToRun).
 * Capping the baseline at its share of the workers sends the other workers to the sandbox
 * runtimes from the start. The sandbox projects get no limit, so no worker waits idle once
 * the baseline's tests are done.
 */
export function baselineWorkerLimit(workers: number, runtimeCount: number): number | undefined {
  if (workers < 2 || runtimeCount < 2) {
    return undefined;
  }
  return Math.max(1, Math.min(workers - 1, Math.ceil(workers / runtimeCount)));
}

/** Returns the worker count of `run --workers`, passed in WORKERS_ENV, or undefined when unset or invalid. */
export function requestedWorkers(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = Number(env[WORKERS_ENV]);
  return Number.isInteger(value) && value >= 1 ? value : undefined;
}
