/**
 * Talks RESP (the Redis serialization protocol, version 2) to the redis image from the
 * host over a plain TCP socket, the way a client library does: pipelined commands,
 * binary-safe values, expiry and a MULTI/EXEC transaction. A sandbox that reorders,
 * splits or truncates socket data fails here even when redis-cli inside the container
 * works.
 */
import { test, expect } from 'gvmatrix/suite';
import { BufferedSocket } from './lib/buffered-socket.ts';

const REDIS_PORT = 6379;

/** A decoded RESP reply. Bulk strings stay Buffers so binary values compare exactly. */
type RespReply = string | number | Buffer | null | RespError | RespReply[];

class RespError {
  constructor(readonly message: string) {}
}

/** A RESP connection that sends commands and reads their replies in order. */
class RespConnection {
  private constructor(private readonly connection: BufferedSocket) {}

  static async open(host: string, port: number): Promise<RespConnection> {
    return new RespConnection(await BufferedSocket.open(host, port, 'redis'));
  }

  /** Writes every command in one write, then reads one reply per command. */
  async pipeline(commands: (string | Buffer)[][]): Promise<RespReply[]> {
    this.connection.send(Buffer.concat(commands.map(encodeCommand)));

    const replies: RespReply[] = [];
    while (replies.length < commands.length) {
      replies.push(await this.readReply());
    }
    return replies;
  }

  async command(...args: (string | Buffer)[]): Promise<RespReply> {
    const [reply] = await this.pipeline([args]);
    return reply ?? null;
  }

  close(): void {
    this.connection.close();
  }

  private async readReply(): Promise<RespReply> {
    let reply: RespReply = null;
    await this.connection.take((buffered) => {
      const parsed = parseReply(buffered, 0);
      if (!parsed) {
        return undefined;
      }
      reply = parsed.reply;
      return parsed.end;
    }, 'complete RESP reply');
    return reply;
  }
}

/** Encodes a command as a RESP array of bulk strings. */
function encodeCommand(args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg) : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Parses one reply starting at `start`, or returns undefined while the reply is incomplete. */
function parseReply(data: Buffer, start: number): { reply: RespReply; end: number } | undefined {
  const lineEnd = data.indexOf('\r\n', start);
  if (lineEnd < 0) {
    return undefined;
  }
  const type = String.fromCharCode(data[start] ?? 0);
  const line = data.toString('utf8', start + 1, lineEnd);
  const afterLine = lineEnd + 2;

  switch (type) {
    case '+':
      return { reply: line, end: afterLine };
    case '-':
      return { reply: new RespError(line), end: afterLine };
    case ':':
      return { reply: Number(line), end: afterLine };
    case '$': {
      const length = Number(line);
      if (length < 0) {
        return { reply: null, end: afterLine };
      }
      if (data.length < afterLine + length + 2) {
        return undefined;
      }
      return { reply: Buffer.from(data.subarray(afterLine, afterLine + length)), end: afterLine + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) {
        return { reply: null, end: afterLine };
      }
      const items: RespReply[] = [];
      let position = afterLine;
      for (let i = 0; i < count; i++) {
        const item = parseReply(data, position);
        if (!item) {
          return undefined;
        }
        items.push(item.reply);
        position = item.end;
      }
      return { reply: items, end: position };
    }
    default:
      throw new Error(`invalid RESP reply type ${JSON.stringify(type)} in ${JSON.stringify(data.toString('utf8', start, lineEnd))}`);
  }
}

/** Turns bulk-string Buffers into text, for comparing replies that hold only text. */
function asText(reply: RespReply): unknown {
  if (Buffer.isBuffer(reply)) {
    return reply.toString('utf8');
  }
  if (Array.isArray(reply)) {
    return reply.map(asText);
  }
  return reply;
}

test('pipelined commands reply in order', async ({ app }) => {
  const redis = await RespConnection.open(app.host, app.port(REDIS_PORT));
  try {
    const commands: string[][] = [['DEL', 'counter']];
    for (let i = 1; i <= 200; i++) {
      commands.push(['INCR', 'counter'], ['SET', `key:${i}`, `value ${i}`], ['GET', `key:${i}`]);
    }

    const replies = (await redis.pipeline(commands)).map(asText);

    expect(replies).toHaveLength(commands.length);
    for (let i = 1; i <= 200; i++) {
      const base = 1 + (i - 1) * 3;
      expect(replies[base], `INCR reply number ${i}`).toBe(i);
      expect(replies[base + 1], `SET reply number ${i}`).toBe('OK');
      expect(replies[base + 2], `GET reply number ${i}`).toBe(`value ${i}`);
    }
  } finally {
    redis.close();
  }
});

test('binary value round-trips intact', async ({ app }) => {
  const redis = await RespConnection.open(app.host, app.port(REDIS_PORT));
  try {
    // 256 KiB holding every byte value, including CR, LF and NUL, larger than one socket read.
    const value = Buffer.alloc(256 * 1024);
    for (let i = 0; i < value.length; i++) {
      value[i] = (i * 7 + (i >> 8)) & 0xff;
    }

    expect(await redis.command('SET', 'blob', value)).toBe('OK');
    expect(await redis.command('STRLEN', 'blob')).toBe(value.length);

    const stored = await redis.command('GET', 'blob');
    expect(Buffer.isBuffer(stored)).toBe(true);
    expect((stored as Buffer).equals(value)).toBe(true);
  } finally {
    redis.close();
  }
});

test('key expires after its TTL', async ({ app }) => {
  const redis = await RespConnection.open(app.host, app.port(REDIS_PORT));
  try {
    expect(await redis.command('SET', 'session', 'abc', 'PX', '400')).toBe('OK');

    const ttl = await redis.command('PTTL', 'session');
    expect(typeof ttl).toBe('number');
    expect(ttl as number).toBeGreaterThan(0);
    expect(ttl as number).toBeLessThanOrEqual(400);

    await expect
      .poll(async () => redis.command('EXISTS', 'session'), { timeout: 5_000, intervals: [100] })
      .toBe(0);
    expect(await redis.command('GET', 'session')).toBeNull();
  } finally {
    redis.close();
  }
});

test('transaction applies all commands', async ({ app }) => {
  const redis = await RespConnection.open(app.host, app.port(REDIS_PORT));
  try {
    const replies = await redis.pipeline([
      ['MULTI'],
      ['SET', 'balance:alice', '100'],
      ['DECRBY', 'balance:alice', '30'],
      ['INCRBY', 'balance:bob', '30'],
      ['EXEC'],
    ]);

    expect(asText(replies)).toEqual(['OK', 'QUEUED', 'QUEUED', 'QUEUED', ['OK', 70, 30]]);
    expect(asText(await redis.command('MGET', 'balance:alice', 'balance:bob'))).toEqual(['70', '30']);
  } finally {
    redis.close();
  }
});

test('unknown command returns an error', async ({ app }) => {
  const redis = await RespConnection.open(app.host, app.port(REDIS_PORT));
  try {
    const reply = await redis.command('NOSUCHCOMMAND', 'x');

    expect(reply).toBeInstanceOf(RespError);
    expect((reply as RespError).message).toMatch(/^ERR unknown command/);
    // The connection stays usable after an error reply.
    expect(await redis.command('PING')).toBe('PONG');
  } finally {
    redis.close();
  }
});
