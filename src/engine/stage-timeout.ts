/**
 * Bounds for every stage of a run that waits on podman, its API or a child process, and
 * the error that names the stage which ran out of time. The matrix file sets the start
 * and check timeouts (`startupTimeout`, `timeout`); the defaults below cover the rest.
 */
export const STAGE_TIMEOUT_MS = {
  /** `podman build`, `podman pull` and the mmdebstrap of the base image, each. */
  imageBuild: 20 * 60_000,
  /** From starting `podman system service` until its socket responds to /_ping. */
  endpointStart: 30_000,
  /** SIGTERM to an API service, then SIGKILL when it has not exited within this. */
  endpointStop: 10_000,
  /** Beyond `startupTimeout`, for creating and starting the container before the readiness wait. */
  containerStartAllowance: 10_000,
  /** Grace between SIGTERM and SIGKILL when a test's container is stopped. */
  containerStopGrace: 2_000,
  /** Each teardown step of a test's container: stop and remove, then kill and force-remove. */
  teardownStep: 15_000,
  /** `podman ps` for the containers of a run at its end. */
  runContainersList: 60_000,
  /** `podman rm --force` for the containers of a run at its end, each try. */
  runContainersRemove: 60_000,
} as const;

/** The place a stage ran in: the image, runtime and container, as far as they are known. */
export interface StageSubject {
  image?: string;
  runtime?: string;
  /** Container id (shortened in messages) or name. */
  container?: string;
}

/** Returns the first 12 characters of a 64-digit container id, and any other name whole. */
export function shortContainerId(container: string): string {
  return /^[0-9a-f]{64}$/.test(container) ? container.slice(0, 12) : container;
}

/**
 * Builds the message of a stage that timed out or failed, such as
 * `container start timed out after 120 s: image nginx, runtime runsc, container 3f2a1b4c5d6e (stage: readiness wait for ...)`.
 */
export function formatStageFailure(step: string, outcome: string, subject: StageSubject, stage: string): string {
  const parts: string[] = [];
  if (subject.image) {
    parts.push(`image ${subject.image}`);
  }
  if (subject.runtime) {
    parts.push(`runtime ${subject.runtime}`);
  }
  parts.push(subject.container ? `container ${shortContainerId(subject.container)}` : 'no container yet');
  return `${step} ${outcome}: ${parts.join(', ')} (stage: ${stage})`;
}

/** Returns "timed out after N s", with N in seconds as a user wrote it in the matrix file, or in ms under a second. */
export function timedOutAfter(timeoutMs: number): string {
  if (timeoutMs < 1_000) {
    return `timed out after ${timeoutMs} ms`;
  }
  const seconds = timeoutMs / 1000;
  return `timed out after ${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

/** A stage that did not finish within its bound. */
export class StageTimeoutError extends Error {
  constructor(
    readonly step: string,
    readonly stage: string,
    readonly timeoutMs: number,
    readonly subject: StageSubject,
  ) {
    super(formatStageFailure(step, timedOutAfter(timeoutMs), subject, stage));
    this.name = 'StageTimeoutError';
  }
}

export interface BoundedStage {
  /** The step as users know it: `container start`, `container stop`, `exec check`. */
  step: string;
  /** The awaited event, such as `readiness wait for a TCP connection to port 80`, read when the time limit runs out. */
  stage: string | (() => string);
  timeoutMs: number;
  /** Read when the bound runs out, so a container id learned during the stage is named. */
  subject: () => StageSubject;
  /** Settles with an error when the stage can no longer finish, such as when the API service died. */
  abandon?: Promise<never>;
}

/**
 * Awaits work within a bound. The work is not cancelled when the bound runs out, so the
 * caller must clean up what it started (remove the container, kill the process).
 */
export async function withStageTimeout<T>(work: Promise<T>, bound: BoundedStage): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StageTimeoutError(bound.step, typeof bound.stage === 'string' ? bound.stage : bound.stage(), bound.timeoutMs, bound.subject())), bound.timeoutMs);
  });
  // A rejection of the abandoned work after the bound has run out is expected and not reported.
  work.catch(() => undefined);
  try {
    return await Promise.race(bound.abandon ? [work, expired, bound.abandon] : [work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
