/** Name of the attachment that contains a try's timing, as a JSON TestTiming. */
export const TIMING_ATTACHMENT = 'gvmatrix-timing';

/**
 * Wall-clock times of one try, in milliseconds, measured by the driver in the Playwright
 * worker. A field is absent when the try did not reach that step, as when the container
 * never became ready.
 */
export interface TestTiming {
  /** From the request to create the container until it runs: create, start and the runtime's own boot (the sandbox's, under runsc). */
  startMs?: number;
  /** From running until the image's `wait:` check passed, to the next poll (100 ms for exec waits, 200 ms for http and tcp). */
  readyMs?: number;
  /** The test's own check, from the ready container until the test body returned. Container start and removal are not part of it. */
  checkMs?: number;
  /** The `slowRatio:` that applies to the test: the test's, else its image's, else that of `defaults:`. */
  slowRatio?: number;
}

/**
 * Stopwatch for the steps of one try. `performance.now()` is monotonic, so a clock change
 * during the run does not bend the numbers.
 */
export class TryTimer {
  private readonly created = performance.now();
  private running: number | undefined;
  private ready: number | undefined;
  private checked: number | undefined;

  /** Marks the container as running, the moment testcontainers hands it to the wait strategy. */
  markRunning(): void {
    this.running ??= performance.now();
  }

  markReady(): void {
    this.markRunning();
    this.ready = performance.now();
  }

  markChecked(): void {
    this.checked = performance.now();
  }

  timing(slowRatio: number | undefined): TestTiming {
    const timing: TestTiming = {};
    if (this.running !== undefined) timing.startMs = elapsed(this.created, this.running);
    if (this.running !== undefined && this.ready !== undefined) timing.readyMs = elapsed(this.running, this.ready);
    if (this.ready !== undefined && this.checked !== undefined) timing.checkMs = elapsed(this.ready, this.checked);
    if (slowRatio !== undefined) timing.slowRatio = slowRatio;
    return timing;
  }
}

function elapsed(from: number, to: number): number {
  return Math.round((to - from) * 10) / 10;
}

/** Parses a timing attachment. An unknown field is dropped, and a field of the wrong type is an error. */
export function parseTiming(text: string): TestTiming {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`expected a JSON object with startMs, readyMs, checkMs and slowRatio, got ${text.slice(0, 80)}`);
  }

  const fields = value as Record<string, unknown>;
  const timing: TestTiming = {};
  for (const name of ['startMs', 'readyMs', 'checkMs', 'slowRatio'] as const) {
    const field = fields[name];
    if (field === undefined) continue;
    if (typeof field !== 'number' || !Number.isFinite(field) || field < 0) {
      throw new Error(`field ${name} must be a number of 0 or more, got ${JSON.stringify(field).slice(0, 80)}`);
    }
    timing[name] = field;
  }
  return timing;
}
