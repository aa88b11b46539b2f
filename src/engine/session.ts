import { chown, cp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeInfo } from '../report/types.js';
import type { RuntimeEndpoint } from '../driver/context.js';
import { RUN_LABEL } from '../driver/labels.js';
import { currentPodman, runPodman, type Podman } from './podman.js';
import { CommandError } from './command.js';
import { startEndpoint, type PodmanEndpoint } from './endpoint.js';
import { writeEndpointExit, type EndpointExit } from './endpoint-exit.js';
import { killContainerRuntimeProcesses } from './container-processes.js';
import { EnvironmentError } from './runtimes.js';
import { STAGE_TIMEOUT_MS } from './stage-timeout.js';
import { runtimeBinaryForPodman } from './netstack-wrapper.js';
import { currentProcessIdentity } from './process-identity.js';
import { removeRunRecord, writeRunRecord, type RunRecord } from './run-record.js';

/** Returns a run id that sorts by start time and is unique enough for labels and folders. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${Math.random().toString(16).slice(2, 8)}`;
}

/**
 * Returns the folder for a run's API sockets. Unix socket paths are limited to 108 bytes,
 * so sockets live under /run (root) or XDG_RUNTIME_DIR rather than the reports folder.
 */
export function socketRoot(runId: string, podman: Podman = currentPodman()): string {
  if (podman.user) {
    return join(podman.user.runtimeDir, 'gvmatrix', runId);
  }
  if (process.getuid?.() === 0) {
    return join('/run/gvmatrix', runId);
  }
  const base = process.env.XDG_RUNTIME_DIR || tmpdir();
  return join(base, 'gvmatrix', runId);
}

/** The engine side of one run: an API endpoint per runtime, and cleanup of what it started. */
export class EngineSession {
  private readonly endpoints: PodmanEndpoint[] = [];
  private readonly exits: EndpointExit[] = [];
  private readonly exitRecords: Promise<void>[] = [];
  private closed = false;
  /** Called when an API service dies during the run, with a problem when its record could not be written. */
  onEndpointExit?: (exit: EndpointExit, problem?: string) => void;

  /**
   * @param record The run's record when the caller wrote it before the session, and removes
   *   it after; the session adds its service pids. Without one, the session writes its own
   *   record at start and removes it at close.
   */
  constructor(
    readonly runId: string,
    readonly runDir: string,
    private readonly podman: Podman = currentPodman(),
    private readonly callerRecord?: RunRecord,
  ) {}

  get runtimeEndpoints(): RuntimeEndpoint[] {
    // The driver needs the rootless user to hand mount directories to it.
    const user = this.podman.user;
    const podmanUser = user === undefined ? undefined : { name: user.name, uid: user.uid, gid: user.gid };
    return this.endpoints.map((endpoint) => ({ ...endpoint.info, rootless: this.podman.rootless, ...(podmanUser ? { podmanUser } : {}) }));
  }

  /** The API services that died while the run needed them, in the order they died. */
  get endpointExits(): EndpointExit[] {
    return [...this.exits];
  }

  /**
   * Starts one API service per runtime; runsc runtimes log into runDir/runsc-logs/NAME/,
   * and a netstack wrapper script goes to runDir/runtimes/NAME/runsc.
   * A rootless user may not reach the run folder (a 0700 temporary folder, say), so its
   * runsc logs go next to its sockets and are copied into the run folder at close.
   */
  async start(runtimes: RuntimeInfo[]): Promise<void> {
    const sockets = socketRoot(this.runId, this.podman);
    // The record comes first, so that a run killed while its services start leaves one.
    const record = this.callerRecord ?? (await newRunRecord(this.runId, this.podman));
    await writeRunRecord(record);
    await mkdir(sockets, { recursive: true });
    await this.handOver(sockets);
    for (const runtime of runtimes) {
      const debugLogDir = runtime.kind === 'runsc' ? join(this.logRoot(), runtime.name) : undefined;
      if (debugLogDir) {
        await mkdir(debugLogDir, { recursive: true });
        await this.handOver(debugLogDir);
      }
      const runtimeBinary = await runtimeBinaryForPodman(runtime, join(this.runDir, 'runtimes'));
      const endpoint = await startEndpoint({
        runtime,
        socketDir: sockets,
        debugLogDir,
        runtimeBinary,
        podman: this.podman,
        onUnexpectedExit: (exit) => this.recordExit(exit),
      });
      this.endpoints.push(endpoint);
      if (endpoint.pid !== undefined) {
        record.servicePids.push(endpoint.pid);
        await writeRunRecord(record);
      }
    }
  }

  /** Keeps a dead service's exit and writes it to the run folder, where the Playwright workers look. */
  private recordExit(exit: EndpointExit): void {
    this.exits.push(exit);
    this.onEndpointExit?.(exit);
    this.exitRecords.push(
      writeEndpointExit(this.runDir, exit).catch((error: unknown) => {
        this.onEndpointExit?.(exit, `could not record it in ${this.runDir}, so its tests wait out their timeouts: ${error instanceof Error ? error.message : String(error)}`);
      }),
    );
  }

  private logRoot(): string {
    return this.podman.user ? join(socketRoot(this.runId, this.podman), 'runsc-logs') : join(this.runDir, 'runsc-logs');
  }

  /** Gives a folder to the rootless user, whose podman and runsc write into it. */
  private async handOver(dir: string): Promise<void> {
    if (this.podman.user) {
      await chown(dir, this.podman.user.uid, this.podman.user.gid);
    }
  }

  /**
   * Removes every container labelled with this run's id, then stops the API services.
   * Each step runs even when an earlier one failed, and the failures are thrown together
   * at the end. The run record then stays, so `gvmatrix clean` can remove what is left.
   */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    await Promise.all(this.exitRecords);

    const failures: string[] = [];
    const attempt = async (step: string, work: () => Promise<unknown>): Promise<void> => {
      try {
        await work();
      } catch (error) {
        failures.push(`${step}: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    await attempt('removing the run\'s containers', () => removeRunContainers(this.runId, this.podman));
    for (const endpoint of this.endpoints) {
      await attempt(`stopping the API service of runtime ${endpoint.info.name}`, () => endpoint.stop());
    }
    if (this.podman.user && this.endpoints.some((endpoint) => endpoint.info.debugLogDir)) {
      await attempt('copying the runsc logs', () => cp(this.logRoot(), join(this.runDir, 'runsc-logs'), { recursive: true, force: true }));
    }
    await attempt('removing the socket folder', () => rm(socketRoot(this.runId, this.podman), { recursive: true, force: true }));

    if (failures.length > 0) {
      throw new EnvironmentError(`cleanup of run ${this.runId} failed:\n${failures.join('\n')}\nRun \`gvmatrix clean\` to remove what is left.`);
    }
    if (!this.callerRecord) {
      await removeRunRecord(this.runId);
    }
  }
}

/** Returns the record of a run that has started no API service yet. */
export async function newRunRecord(runId: string, podman: Podman, reportsDir?: string): Promise<RunRecord> {
  return {
    runId,
    process: await currentProcessIdentity(),
    podmanUser: podman.user?.name,
    socketDir: socketRoot(runId, podman),
    servicePids: [],
    ...(reportsDir === undefined ? {} : { reportsDir }),
  };
}

/** Lists the ids of all containers, running or not, labelled with this run's id. */
export async function listRunContainers(runId: string, podman: Podman = currentPodman()): Promise<string[]> {
  const { stdout } = await runPodman(podman, ['ps', '--all', '--quiet', '--no-trunc', '--filter', `label=${RUN_LABEL}=${runId}`], {
    timeoutMs: STAGE_TIMEOUT_MS.runContainersList,
  });
  return stdout.split('\n').map((line) => line.trim()).filter(Boolean);
}

/**
 * Force-removes the containers a run left behind, found by their run label. When
 * `podman rm` times out, a runtime command hangs and holds the containers' locks, so its
 * runtime processes are killed and the removal is tried once more.
 */
export async function removeRunContainers(runId: string, podman: Podman = currentPodman()): Promise<string[]> {
  const ids = await listRunContainers(runId, podman);
  if (ids.length === 0) {
    return ids;
  }
  const remove = () => runPodman(podman, ['rm', '--force', '--time', '0', ...ids], { timeoutMs: STAGE_TIMEOUT_MS.runContainersRemove });
  try {
    await remove();
  } catch (error) {
    if (!(error instanceof CommandError && error.timedOut)) {
      throw error;
    }
    const killed = await killContainerRuntimeProcesses(ids);
    try {
      await remove();
    } catch (retryError) {
      const detail = retryError instanceof Error ? retryError.message : String(retryError);
      throw new EnvironmentError(
        `removing the containers of run ${runId} timed out after ${STAGE_TIMEOUT_MS.runContainersRemove / 1000} s (stage: teardown, run cleanup); ` +
          `killed ${killed.length} runtime processes (${killed.join(', ') || 'none found'}) and tried again, which failed too:\n${detail}`,
      );
    }
  }
  return ids;
}
