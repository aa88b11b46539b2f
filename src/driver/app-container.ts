import type { StartedTestContainer } from 'testcontainers';
import { withStageTimeout, type StageSubject } from '../engine/stage-timeout.js';

/** Output of a command run inside the application's container. */
export interface ExecOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecRequestOptions {
  /** Fails the exec after this many milliseconds; the process is killed with the container. */
  timeoutMs?: number;
}

const DEFAULT_EXEC_TIMEOUT_MS = 60_000;
/** Bound for the API to open the log stream. The stream itself is cut after 2 s. */
const LOG_READ_TIMEOUT_MS = 10_000;

/**
 * The started container of the image under test, as suites and declarative checks see it:
 * mapped ports on the host and commands run inside it.
 */
export class AppContainer {
  constructor(
    private readonly container: StartedTestContainer,
    readonly image: string,
    readonly runtime: string,
    readonly host: string,
    /** Host path of each of the image's mounts, by mount name. */
    readonly mountPaths: ReadonlyMap<string, string> = new Map(),
    private readonly onEngineError: (message: string) => void = () => {},
  ) {}

  get containerId(): string {
    return this.container.getId();
  }

  private subject(): StageSubject {
    return { image: this.image, runtime: this.runtime, container: this.containerId };
  }

  /** Returns the host port that forwards to a port of the container. */
  port(containerPort: number): number {
    return this.container.getMappedPort(containerPort);
  }

  /** Returns the http:// URL of a container port as reached from the host. */
  url(containerPort: number, path = '/'): string {
    const suffix = path.startsWith('/') ? path : `/${path}`;
    return `http://${this.host}:${this.port(containerPort)}${suffix}`;
  }

  /** Runs a command inside the container and returns its exit code and output. */
  async exec(command: string[], options: ExecRequestOptions = {}): Promise<ExecOutput> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
    const result = await withStageTimeout(this.engineExec(command), {
      step: 'exec',
      stage: `check exec \`${command.join(' ')}\``,
      timeoutMs,
      subject: () => this.subject(),
    });
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  }

  /**
   * Runs the exec through the engine and reports an error the engine returns. Such an
   * error is runsc's or podman's own text, never the command's output, so the fixture
   * can read a lost sandbox from it.
   */
  private async engineExec(command: string[]): Promise<ExecOutput> {
    try {
      return await this.container.exec(command);
    } catch (error) {
      this.onEngineError(error instanceof Error ? error.message : String(error));
      throw error;
    }
  }

  /** Returns everything the container printed so far, stdout and stderr interleaved. */
  async logs(): Promise<string> {
    const stream = await withStageTimeout(this.container.logs(), {
      step: 'log read',
      stage: 'check reads the container output',
      timeoutMs: LOG_READ_TIMEOUT_MS,
      subject: () => this.subject(),
    });
    const chunks: Buffer[] = [];
    return new Promise((resolve, reject) => {
      stream.on('data', (chunk: Buffer | string) => chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)));
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      // A finished container's log stream ends by itself; a running one is cut here.
      setTimeout(() => {
        (stream as { destroy?: () => void }).destroy?.();
        resolve(Buffer.concat(chunks).toString('utf8'));
      }, 2_000);
    });
  }
}
