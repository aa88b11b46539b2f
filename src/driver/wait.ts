import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type Dockerode from 'dockerode';
import type { BoundPorts, WaitStrategy } from 'testcontainers';
import type { Testcontainers } from './testcontainers-module.js';
import type { WaitSpec } from '../matrix/types.js';
import { escapeControlCharacters, truncateOutputStart } from './output-text.js';
import { patternToRegExp } from './patterns.js';
import { formatStageFailure, timedOutAfter, type StageSubject } from '../engine/stage-timeout.js';

const POLL_INTERVAL_MS = 200;
const LOG_TAIL_LINES = 20;
/** The last characters of those lines that an error keeps, since one line may be megabytes long. */
const LOG_TAIL_CHARACTERS = 4_000;

/** Returns a short description of what a readiness check waits for, for timeout messages. */
export function describeWait(spec: WaitSpec): string {
  switch (spec.kind) {
    case 'http':
      return `HTTP GET ${spec.path} on port ${spec.port} to return ${spec.status}`;
    case 'tcp':
      return `a TCP connection to port ${spec.port}`;
    case 'log':
      return `log line matching ${spec.pattern.kind === 'regex' ? `/${spec.pattern.source}/${spec.pattern.flags}` : JSON.stringify(spec.pattern.text)}${spec.times > 1 ? ` ${spec.times} times` : ''}`;
    case 'exec':
      return `\`${spec.command.join(' ')}\` to exit 0`;
    case 'none':
      return 'nothing';
  }
}

/** Quotes argv for `/bin/sh -c`, which testcontainers' command wait strategy runs. */
export function shellQuote(argv: string[]): string {
  return argv.map((arg) => (/^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}

abstract class TimedWaitStrategy implements WaitStrategy {
  protected startupTimeoutMs = 60_000;
  private startupTimeoutSet = false;

  abstract waitUntilReady(container: Dockerode.Container, boundPorts: BoundPorts, startTime?: Date): Promise<void>;

  withStartupTimeout(startupTimeoutMs: number): this {
    this.startupTimeoutMs = startupTimeoutMs;
    this.startupTimeoutSet = true;
    return this;
  }

  isStartupTimeoutSet(): boolean {
    return this.startupTimeoutSet;
  }

  getStartupTimeout(): number {
    return this.startupTimeoutMs;
  }
}

/** How long a fresh connection must stay open (or send data) to count as served. */
const CONNECTION_HOLD_MS = 250;

/**
 * Connects and returns undefined when a server keeps the connection open, or the reason it is
 * not ready. Rootless Podman's port forwarder accepts every connection and closes it at
 * once while nothing listens in the container, so a bare connect proves nothing there.
 */
export function tryConnect(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    let hold: NodeJS.Timeout | undefined;
    const finish = (reason: string | undefined) => {
      clearTimeout(hold);
      socket.destroy();
      resolve(reason);
    };

    socket.once('connect', () => {
      hold = setTimeout(() => finish(undefined), CONNECTION_HOLD_MS);
    });
    socket.once('data', () => finish(undefined));
    socket.once('end', () => finish(`${host}:${port} closed the connection right after accepting it`));
    socket.once('close', () => finish(`${host}:${port} closed the connection right after accepting it`));
    socket.once('timeout', () => finish(`connecting to ${host}:${port} timed out`));
    socket.once('error', (error) => finish(error.message));
  });
}

/**
 * Calls `attempt` every POLL_INTERVAL_MS until it returns undefined (ready) or `timeoutMs`
 * have passed. Returns undefined when ready, else the reason of the last attempt.
 */
async function pollUntilReady(timeoutMs: number, attempt: () => Promise<string | undefined>): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  let lastError: string | undefined = 'not tried';
  while (Date.now() < deadline) {
    lastError = await attempt();
    if (lastError === undefined) {
      return undefined;
    }
    await sleep(POLL_INTERVAL_MS);
  }
  return lastError;
}

/**
 * Waits until the mapped host port accepts a TCP connection. Unlike testcontainers'
 * port strategy it execs nothing inside the container, so runsc logs only the application.
 */
export class TcpWaitStrategy extends TimedWaitStrategy {
  constructor(
    private readonly port: number,
    private readonly host: string,
  ) {
    super();
  }

  override async waitUntilReady(_container: Dockerode.Container, boundPorts: BoundPorts): Promise<void> {
    const hostPort = boundPorts.getBinding(this.port);
    const lastError = await pollUntilReady(this.startupTimeoutMs, () => tryConnect(this.host, hostPort, 1_000));
    if (lastError === undefined) {
      return;
    }
    throw new Error(`port ${this.port} (host port ${hostPort}) did not accept a TCP connection within ${this.startupTimeoutMs} ms; last error: ${lastError}`);
  }
}

/** Time limit of one readiness request, so a server that accepts a connection and never responds is tried again. */
const HTTP_REQUEST_TIMEOUT_MS = 2_000;

/**
 * Sends one GET and returns undefined when the status is the expected one, or what came back instead.
 * The connection closes after the response (no agent, `Connection: close`). Node's default
 * agent keeps it open. A server whose SIGTERM handler waits for open connections, such as
 * Node 18's `server.close()`, then sat out the whole stop grace: 2 s more per test.
 */
function tryHttp(host: string, port: number, path: string, status: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const options = { host, port, path, method: 'GET', timeout: HTTP_REQUEST_TIMEOUT_MS, agent: false, headers: { connection: 'close' } };
    const req = httpRequest(options, (res) => {
      res.resume();
      resolve(res.statusCode === status ? undefined : `GET ${path} returned ${res.statusCode}`);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} got no response within ${HTTP_REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', (error) => resolve(error.message));
    req.end();
  });
}

/**
 * Waits until GET PATH on the mapped host port returns the expected status. testcontainers'
 * HTTP strategy (11.14) polls once a second, which added up to a second to every test's
 * start; this one polls every POLL_INTERVAL_MS.
 */
export class HttpWaitStrategy extends TimedWaitStrategy {
  constructor(
    private readonly port: number,
    private readonly path: string,
    private readonly status: number,
    private readonly host: string,
  ) {
    super();
  }

  override async waitUntilReady(_container: Dockerode.Container, boundPorts: BoundPorts): Promise<void> {
    const hostPort = boundPorts.getBinding(this.port);
    const lastError = await pollUntilReady(this.startupTimeoutMs, () => tryHttp(this.host, hostPort, this.path, this.status));
    if (lastError === undefined) {
      return;
    }
    throw new Error(`GET ${this.path} on port ${this.port} (host port ${hostPort}) did not return ${this.status} within ${this.startupTimeoutMs} ms; last: ${lastError}`);
  }
}

/** Splits a Docker log stream (8-byte frame headers when the container has no TTY) into text. */
export function demultiplexLogs(buffer: Buffer): string {
  const looksFramed = buffer.length >= 8 && (buffer[0] === 1 || buffer[0] === 2) && buffer[1] === 0 && buffer[2] === 0 && buffer[3] === 0;
  if (!looksFramed) {
    return buffer.toString('utf8');
  }
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

/**
 * Reads the last lines a container printed for an error message: their last
 * LOG_TAIL_CHARACTERS, with control characters escaped. An empty string when the engine has none.
 */
export async function tailContainerLogs(container: Dockerode.Container, lines = LOG_TAIL_LINES): Promise<string> {
  try {
    const raw = (await container.logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown as Buffer;
    const text = demultiplexLogs(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw))).trimEnd();
    return escapeControlCharacters(truncateOutputStart(text, LOG_TAIL_CHARACTERS));
  } catch {
    return '';
  }
}

/**
 * Wraps the image's readiness check. It records the container id before waiting, so
 * evidence and cleanup still find a container that never became ready. It fails at once
 * when the container exits, instead of waiting out the timeout. Its error names what was
 * awaited and shows the container's last log lines.
 */
export class ReadinessWaitStrategy extends TimedWaitStrategy {
  constructor(
    private readonly inner: WaitStrategy | undefined,
    private readonly description: string,
    private readonly onContainer: (id: string) => void,
    private readonly subject: () => StageSubject = () => ({}),
  ) {
    super();
  }

  override async waitUntilReady(container: Dockerode.Container, boundPorts: BoundPorts, startTime?: Date): Promise<void> {
    this.onContainer(container.id);
    if (!this.inner) {
      return;
    }
    this.inner.withStartupTimeout(this.startupTimeoutMs);

    let watching = true;
    const started = Date.now();
    const exited = watchForExit(container, () => watching);
    try {
      await Promise.race([this.inner.waitUntilReady(container, boundPorts, startTime), exited]);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const logs = await tailContainerLogs(container);
      const waitedMs = Date.now() - started;
      const outcome = waitedMs >= this.startupTimeoutMs ? timedOutAfter(this.startupTimeoutMs) : `failed after ${(waitedMs / 1000).toFixed(1)} s`;
      const subject = { ...this.subject(), container: container.id };
      throw new Error(
        `${formatStageFailure('container start', outcome, subject, `readiness wait for ${this.description}`)}: ${reason}` +
          (logs ? `\nlast container output:\n${logs}` : '\nthe container printed nothing'),
      );
    } finally {
      watching = false;
    }
  }
}

async function watchForExit(container: Dockerode.Container, active: () => boolean): Promise<never> {
  while (active()) {
    await sleep(POLL_INTERVAL_MS * 2);
    if (!active()) {
      break;
    }
    let state: { Running?: boolean; ExitCode?: number; Error?: string } | undefined;
    try {
      state = (await container.inspect()).State;
    } catch {
      continue;
    }
    if (state && state.Running === false) {
      throw new Error(`the container exited with code ${state.ExitCode ?? 'unknown'}${state.Error ? ` (${state.Error})` : ''}`);
    }
  }
  return new Promise<never>(() => {});
}

/** Builds the testcontainers wait strategy for a matrix `wait:` entry; `testcontainers` is the loaded module. */
export function waitStrategyFor(spec: WaitSpec, host: string, { Wait }: Pick<Testcontainers, 'Wait'>): WaitStrategy | undefined {
  switch (spec.kind) {
    case 'http':
      return new HttpWaitStrategy(spec.port, spec.path, spec.status, host);
    case 'tcp':
      return new TcpWaitStrategy(spec.port, host);
    case 'log':
      return Wait.forLogMessage(patternToRegExp(spec.pattern), spec.times);
    case 'exec':
      return Wait.forSuccessfulCommand(shellQuote(spec.command));
    case 'none':
      return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
