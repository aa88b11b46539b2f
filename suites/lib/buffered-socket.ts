/**
 * A TCP connection from the host that buffers what the server sends, for suites that
 * speak a server's protocol directly (redis, memcached) the way a client library does.
 */
import { connect, type Socket } from 'node:net';

const REPLY_TIMEOUT_MS = 10_000;
const POLL_INTERVAL_MS = 100;

/** Returns the length of the first complete message in the buffer, or undefined when there is none yet. */
export type MessageLength = (buffered: Buffer) => number | undefined;

export class BufferedSocket {
  private buffered = Buffer.alloc(0);
  private waiting: (() => void) | undefined;
  private failure: Error | undefined;

  private constructor(
    private readonly socket: Socket,
    peer: string,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.wake();
    });
    socket.on('error', (error) => {
      this.failure = error;
      this.wake();
    });
    socket.on('end', () => {
      this.failure ??= new Error(`${peer} closed the connection`);
      this.wake();
    });
  }

  /** Connects to host:port; `peer` names the server in errors (`redis`). */
  static open(host: string, port: number, peer: string): Promise<BufferedSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host);
      socket.once('connect', () => resolve(new BufferedSocket(socket, peer)));
      socket.once('error', reject);
    });
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  close(): void {
    this.socket.destroy();
  }

  /** Waits for the first complete message, removes it from the buffer and returns it. */
  async take(messageLength: MessageLength, expected: string): Promise<Buffer> {
    const deadline = Date.now() + REPLY_TIMEOUT_MS;
    for (;;) {
      const length = messageLength(this.buffered);
      if (length !== undefined) {
        const message = this.buffered.subarray(0, length);
        this.buffered = this.buffered.subarray(length);
        return message;
      }
      if (this.failure) {
        throw this.failure;
      }
      if (Date.now() >= deadline) {
        throw new Error(`no ${expected} within ${REPLY_TIMEOUT_MS} ms; buffered: ${JSON.stringify(this.buffered.toString('utf8', 0, 200))}`);
      }
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
        setTimeout(resolve, POLL_INTERVAL_MS);
      });
    }
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }
}
