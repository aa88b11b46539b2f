import { request } from 'node:http';
import type { StartedTestContainer } from 'testcontainers';
import { killContainerRuntimeProcesses } from '../engine/container-processes.js';
import { STAGE_TIMEOUT_MS, StageTimeoutError } from '../engine/stage-timeout.js';
import type { StageGuard } from './stage-guard.js';

/**
 * Sends `DELETE /containers/NAME?force=true` to the API socket: podman kills and removes
 * the container. A container that is gone already counts as removed.
 */
export function forceRemoveContainer(socket: string, container: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const path = `/containers/${encodeURIComponent(container)}?force=true&v=true&t=0`;
    const req = request({ socketPath: socket, path, method: 'DELETE' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status < 300 || status === 404) {
          resolve();
        } else {
          reject(new Error(`DELETE ${path} returned ${status}: ${Buffer.concat(chunks).toString('utf8').trim()}`));
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Returns the id of a container by its name through the API socket. Returns undefined when
 * Podman has no such container (it failed before create) or the request fails.
 */
export function containerIdByName(socket: string, container: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: `/containers/${encodeURIComponent(container)}/json`, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        try {
          const id = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Id?: unknown }).Id;
          resolve(res.statusCode === 200 && typeof id === 'string' ? id : undefined);
        } catch {
          resolve(undefined);
        }
      });
    });
    req.setTimeout(STAGE_TIMEOUT_MS.teardownStep, () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** The result of removing a test's container: its problems and notes. */
export interface TeardownOutcome {
  /** Failures that fail the test: a stop that hung, or a container left for the run's cleanup. */
  problems: string[];
  /** A stop or remove error that the force-remove then got past, such as Podman's EBUSY on the container's shm. */
  notes: string[];
}

/**
 * Removes a test's container in bounded steps. It stops the container with a short grace
 * and removes it. When that fails or times out, it kills the container's runtime
 * processes and force-removes the container.
 * A stop that timed out is a problem even when the force-remove then works, because the
 * runtime hung. An error that the force-remove gets past is only a note. After the API
 * service died, the run's cleanup removes the container with the podman command.
 */
export async function removeTestContainer(guard: StageGuard, socket: string, started: StartedTestContainer | undefined): Promise<TeardownOutcome> {
  const outcome: TeardownOutcome = { problems: [], notes: [] };
  const exit = await guard.endpointExit();
  if (exit || !guard.container) {
    return outcome;
  }

  const firstTry: string[] = [];
  let hung = false;
  if (started) {
    const grace = STAGE_TIMEOUT_MS.containerStopGrace;
    try {
      await guard.run('container stop', `teardown: stop with ${grace / 1000} s grace, then remove`, STAGE_TIMEOUT_MS.teardownStep, () =>
        started.stop({ timeout: grace, remove: true }),
      );
      return outcome;
    } catch (error) {
      hung = error instanceof StageTimeoutError;
      firstTry.push(error instanceof Error ? error.message : String(error));
    }
  }

  const container = guard.container;
  const killed = await killContainerRuntimeProcesses([container]);
  try {
    await guard.run('container remove', `teardown: force remove after killing runtime processes ${killed.join(', ') || '(none found)'}`, STAGE_TIMEOUT_MS.teardownStep, () =>
      forceRemoveContainer(socket, container),
    );
    if (firstTry.length > 0) {
      const lines = [...firstTry, `killed runtime processes ${killed.join(', ') || '(none found)'} and force-removed the container`];
      (hung ? outcome.problems : outcome.notes).push(...lines);
    }
  } catch (error) {
    outcome.problems.push(...firstTry, `${error instanceof Error ? error.message : String(error)}; the run's cleanup removes the container at the end`);
  }
  return outcome;
}
