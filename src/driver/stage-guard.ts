import { formatEndpointExit, readEndpointExit, type EndpointExit } from '../engine/endpoint-exit.js';
import { formatStageFailure, withStageTimeout, type StageSubject } from '../engine/stage-timeout.js';
import type { RuntimeEndpoint } from './context.js';

/** How often a waiting stage looks for the exit record of its runtime's API service. */
const ENDPOINT_POLL_MS = 250;

/** A stage that cannot finish because the runtime's API service died. */
export class EndpointDeadError extends Error {
  constructor(
    readonly exit: EndpointExit,
    step: string,
    stage: string,
    subject: StageSubject,
  ) {
    super(formatStageFailure(step, 'failed', subject, stage) + `: ${formatEndpointExit(exit)}`);
    this.name = 'EndpointDeadError';
  }
}

/**
 * Runs the stages of one test's container within their bounds, and fails a stage at once
 * when the runtime's API service has died. It tracks the container, so every message
 * names the image, the runtime and the container.
 */
export class StageGuard {
  /** The container's id once known, its name before. */
  container: string | undefined;

  constructor(
    private readonly runDir: string,
    private readonly endpoint: RuntimeEndpoint,
    private readonly image: string,
  ) {}

  subject(): StageSubject {
    return { image: this.image, runtime: this.endpoint.name, container: this.container };
  }

  /** Returns how the runtime's API service ended, or undefined while it runs. */
  endpointExit(): Promise<EndpointExit | undefined> {
    return readEndpointExit(this.runDir, this.endpoint.name);
  }

  /** Throws EndpointDeadError when the runtime's API service has died. */
  async checkEndpoint(step: string, stage: string): Promise<void> {
    const exit = await this.endpointExit();
    if (exit) {
      throw new EndpointDeadError(exit, step, stage, this.subject());
    }
  }

  /** Awaits one stage within its bound; it fails early when the API service dies meanwhile. */
  async run<T>(step: string, stage: string | (() => string), timeoutMs: number, work: () => Promise<T>): Promise<T> {
    await this.checkEndpoint(step, typeof stage === 'string' ? stage : stage());
    let watching = true;
    const abandon = this.watchEndpoint(() => watching).then((exit) => {
      throw new EndpointDeadError(exit, step, typeof stage === 'string' ? stage : stage(), this.subject());
    });
    abandon.catch(() => undefined);
    try {
      return await withStageTimeout(work(), { step, stage, timeoutMs, subject: () => this.subject(), abandon });
    } finally {
      watching = false;
    }
  }

  private async watchEndpoint(active: () => boolean): Promise<EndpointExit> {
    while (active()) {
      await new Promise((resolve) => setTimeout(resolve, ENDPOINT_POLL_MS));
      const exit = active() ? await this.endpointExit() : undefined;
      if (exit) {
        return exit;
      }
    }
    return new Promise<EndpointExit>(() => {});
  }
}
