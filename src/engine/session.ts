import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeInfo } from '../report/types.js';
import type { RuntimeEndpoint } from '../driver/context.js';
import { RUN_LABEL } from '../driver/labels.js';
import { runCommand } from './command.js';
import { startEndpoint, type PodmanEndpoint } from './endpoint.js';

/** Returns a run id that sorts by start time and is unique enough for labels and folders. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${Math.random().toString(16).slice(2, 8)}`;
}

/**
 * Returns the folder for a run's API sockets. Unix socket paths are limited to 108 bytes,
 * so sockets live under /run (root) or XDG_RUNTIME_DIR rather than the reports folder.
 */
export function socketRoot(runId: string): string {
  if (process.getuid?.() === 0) {
    return join('/run/gvmatrix', runId);
  }
  const base = process.env.XDG_RUNTIME_DIR || tmpdir();
  return join(base, 'gvmatrix', runId);
}

/** The engine side of one run: an API endpoint per runtime, and cleanup of what it started. */
export class EngineSession {
  private readonly endpoints: PodmanEndpoint[] = [];
  private closed = false;

  constructor(
    readonly runId: string,
    readonly runDir: string,
    private readonly podman = 'podman',
  ) {}

  get runtimeEndpoints(): RuntimeEndpoint[] {
    return this.endpoints.map((endpoint) => endpoint.info);
  }

  /** Starts one API service per runtime; runsc runtimes log into runDir/runsc-logs/NAME/. */
  async start(runtimes: RuntimeInfo[]): Promise<void> {
    const sockets = socketRoot(this.runId);
    await mkdir(sockets, { recursive: true });
    for (const runtime of runtimes) {
      const debugLogDir = runtime.kind === 'runsc' ? join(this.runDir, 'runsc-logs', runtime.name) : undefined;
      this.endpoints.push(await startEndpoint({ runtime, socketDir: sockets, debugLogDir, podman: this.podman }));
    }
  }

  /** Removes every container labelled with this run's id, then stops the API services. */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    await removeRunContainers(this.runId, this.podman);
    for (const endpoint of this.endpoints) {
      await endpoint.stop();
    }
    await rm(socketRoot(this.runId), { recursive: true, force: true });
  }
}

/** Force-removes the containers a run left behind, found by their run label. */
export async function removeRunContainers(runId: string, podman = 'podman'): Promise<string[]> {
  const { stdout } = await runCommand(podman, ['ps', '--all', '--quiet', '--filter', `label=${RUN_LABEL}=${runId}`], { timeoutMs: 60_000 });
  const ids = stdout.split('\n').map((line) => line.trim()).filter(Boolean);
  if (ids.length > 0) {
    await runCommand(podman, ['rm', '--force', '--time', '0', ...ids], { timeoutMs: 120_000 });
  }
  return ids;
}
