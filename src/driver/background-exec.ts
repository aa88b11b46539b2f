import { PassThrough, type Duplex } from 'node:stream';
import type Dockerode from 'dockerode';

/**
 * A command started inside a container through the engine's exec API that runs while
 * later steps run. Its output collects as it arrives. It ends by itself or with the
 * container: the Docker-compatible API has no call that stops an exec.
 */
export class BackgroundExec {
  private stdoutChunks: string[] = [];
  private stderrChunks: string[] = [];
  private finished = false;

  private constructor(
    readonly command: string[],
    private readonly exec: Dockerode.Exec,
    private readonly stream: Duplex,
    /** Resolves when the command's output stream ends, which happens when it exits. */
    readonly ended: Promise<void>,
  ) {
    void ended.then(() => {
      this.finished = true;
    });
  }

  /** Starts `command` in the container and returns once the engine has started it. */
  static async start(container: Dockerode.Container, command: string[]): Promise<BackgroundExec> {
    const exec = await container.exec({ Cmd: command, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false, Detach: false, Tty: false });
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    container.modem.demuxStream(stream, stdout, stderr);

    const ended = new Promise<void>((resolve) => {
      stream.once('end', () => resolve());
      stream.once('close', () => resolve());
      stream.once('error', () => resolve());
    });
    const background = new BackgroundExec(command, exec, stream, ended);
    stdout.on('data', (chunk: Buffer) => background.stdoutChunks.push(chunk.toString('utf8')));
    stderr.on('data', (chunk: Buffer) => background.stderrChunks.push(chunk.toString('utf8')));
    return background;
  }

  get stdout(): string {
    return this.stdoutChunks.join('');
  }

  get stderr(): string {
    return this.stderrChunks.join('');
  }

  get running(): boolean {
    return !this.finished;
  }

  /** Returns the exit code once the command has ended, as the engine's exec inspect reports it. */
  async exitCode(): Promise<number | undefined> {
    if (!this.finished) return undefined;
    const info = await this.exec.inspect();
    return info.ExitCode ?? undefined;
  }

  /** Closes the output stream; the command itself ends when the container stops. */
  close(): void {
    this.stream.destroy();
  }
}
