import { request } from 'node:http';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { RuntimeInfo } from '../report/types.js';
import type { RuntimeEndpoint } from '../driver/context.js';
import { EnvironmentError, podmanRuntimeFlag } from './runtimes.js';
import { currentPodman, podmanCommandLine, type Podman } from './podman.js';
import { STAGE_TIMEOUT_MS, timedOutAfter } from './stage-timeout.js';
import type { EndpointExit } from './endpoint-exit.js';

/**
 * One `podman --runtime PATH [--runtime-flag F]... system service` process. Podman's
 * Docker-compatible API ignores HostConfig.Runtime, so a runtime is chosen per API
 * endpoint: each runtime variant gets its own service and socket, all sharing one image store.
 */
export interface PodmanEndpoint {
  info: RuntimeEndpoint;
  /** Service output (podman's own log), kept for error messages. */
  logFile: string;
  /** Pid of the process gvmatrix started: podman, or runuser in front of a rootless user's podman. */
  pid: number | undefined;
  stop(): Promise<void>;
}

export interface StartEndpointOptions {
  runtime: RuntimeInfo;
  /** Folder for the socket and the service log; the socket path must stay under 108 bytes. */
  socketDir: string;
  /** runsc only: folder for `--debug-log=DIR/`. */
  debugLogDir?: string;
  /** The binary podman runs as the runtime, such as a netstack wrapper script; `runtime.path` when unset. */
  runtimeBinary?: string;
  podman?: Podman;
  startTimeoutMs?: number;
  /** Extra global podman arguments, placed before `system service`. */
  podmanArgs?: string[];
  /** Called when the service exits after its start and before stop() was called. */
  onUnexpectedExit?: (exit: EndpointExit) => void;
}
const PING_INTERVAL_MS = 100;

/** Returns the runtime flags podman passes to every runtime command of this endpoint. */
export function endpointRuntimeFlags(runtime: RuntimeInfo, debugLogDir?: string): string[] {
  const flags = runtime.flags.map(podmanRuntimeFlag);
  if (runtime.kind === 'runsc' && debugLogDir) {
    // The trailing slash makes runsc write one file per command into the folder.
    flags.push(`debug-log=${debugLogDir.replace(/\/?$/, '/')}`);
  }
  return flags;
}

/** Returns the podman command line that serves this runtime on this socket. */
export function endpointArgs(
  runtime: RuntimeInfo,
  socket: string,
  debugLogDir?: string,
  podmanArgs: string[] = [],
  runtimeBinary = runtime.path,
): string[] {
  const args = [...podmanArgs, '--runtime', runtimeBinary];
  for (const flag of endpointRuntimeFlags(runtime, debugLogDir)) {
    args.push('--runtime-flag', flag);
  }
  args.push('system', 'service', '--time=0', `unix://${socket}`);
  return args;
}

/** Sends GET /_ping over a unix socket; resolves true on HTTP 200. */
export function pingSocket(socket: string, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

/** Starts the API service for one runtime and waits until its socket responds to /_ping. */
export async function startEndpoint(options: StartEndpointOptions): Promise<PodmanEndpoint> {
  const { runtime, socketDir } = options;
  const podman = options.podman ?? currentPodman();
  const startTimeoutMs = options.startTimeoutMs ?? STAGE_TIMEOUT_MS.endpointStart;

  await mkdir(socketDir, { recursive: true });
  if (options.debugLogDir) {
    await mkdir(options.debugLogDir, { recursive: true });
  }
  const socket = join(socketDir, `${runtime.name}.sock`);
  const logFile = join(socketDir, `${runtime.name}.service.log`);
  await rm(socket, { force: true });

  const args = endpointArgs(runtime, socket, options.debugLogDir, options.podmanArgs, options.runtimeBinary);
  const commandLine = podmanCommandLine(podman, args);
  const log = createWriteStream(logFile);
  // A process group of its own keeps a terminal's Ctrl-C, which goes to the whole
  // foreground group, from stopping the service before gvmatrix has removed its containers.
  const child: ResultPromise = execa(commandLine.file, commandLine.args, { reject: false, stdin: 'ignore', cleanup: true, detached: true });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);

  // The 'exit' event, not the end of the command's promise: a runtime process that
  // outlives the service (a hung `runsc delete`) keeps its output pipes open, and the
  // promise waits for them to close.
  let exited = false;
  let started = false;
  let stopping = false;
  void child.catch(() => undefined);
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (exitCode, signal) => {
      exited = true;
      resolve();
      if (started && !stopping) {
        options.onUnexpectedExit?.({ runtime: runtime.name, socket, pid: child.pid, exitCode: exitCode ?? undefined, signal: signal ?? undefined, at: new Date().toISOString() });
      }
    });
  });

  const stop = async (): Promise<void> => {
    stopping = true;
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STAGE_TIMEOUT_MS.endpointStop);
      await exit;
      clearTimeout(timer);
    }
    // A process that still has the pipes open would only write to the service log, which closes here.
    child.stdout?.destroy();
    child.stderr?.destroy();
    log.end();
    await rm(socket, { force: true });
  };

  const deadline = Date.now() + startTimeoutMs;
  while (!(await pingSocket(socket))) {
    if (exited || Date.now() > deadline) {
      await stop();
      const output = (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-10).join('\n');
      const failure = exited ? 'exited before its socket answered' : `start ${timedOutAfter(startTimeoutMs)}: no answer to /_ping on ${socket} (stage: endpoint start)`;
      throw new EnvironmentError(
        `the Podman API service for runtime "${runtime.name}" ${failure}.\n` +
          `command: ${commandLine.file} ${commandLine.args.join(' ')}\n` +
          (output ? `its output:\n${output}\n` : '') +
          'Run `gvmatrix doctor` to check podman and the runtime, and fix the runtime flags if the output names one.',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, PING_INTERVAL_MS));
  }

  started = true;
  return {
    info: { ...runtime, socket, debugLogDir: options.debugLogDir },
    logFile,
    pid: child.pid,
    stop,
  };
}
