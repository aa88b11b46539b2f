import type { StartedTestContainer } from 'testcontainers';

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
    private readonly onEngineError: (message: string) => void = () => {},
  ) {}

  get containerId(): string {
    return this.container.getId();
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
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`exec \`${command.join(' ')}\` in container ${this.containerId.slice(0, 12)} (${this.image}, ${this.runtime}) timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      const result = await Promise.race([this.engineExec(command), timeout]);
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
    } finally {
      clearTimeout(timer);
    }
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
    const stream = await this.container.logs();
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
