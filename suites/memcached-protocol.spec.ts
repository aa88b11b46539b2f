/**
 * Speaks memcached's text protocol to the memcached image from the host over a plain
 * TCP socket: pipelined storage commands, multi-key get, compare-and-swap, expiry and
 * the item size limit. These checks reach the server without the libmemcached tools
 * inside the image, so they separate a server problem from a client one.
 */
import { test, expect } from 'gvmatrix/suite';
import { BufferedSocket } from './lib/buffered-socket.ts';

const MEMCACHED_PORT = 11211;

/** A text-protocol connection that reads replies line by line, or as counted bytes. */
class MemcachedConnection {
  private constructor(private readonly connection: BufferedSocket) {}

  static async open(host: string, port: number): Promise<MemcachedConnection> {
    return new MemcachedConnection(await BufferedSocket.open(host, port, 'memcached'));
  }

  send(text: string | Buffer): void {
    this.connection.send(text);
  }

  /** Reads one reply line without its CRLF. */
  async readLine(): Promise<string> {
    const line = await this.connection.take((buffered) => {
      const end = buffered.indexOf('\r\n');
      return end < 0 ? undefined : end + 2;
    }, 'complete reply line');
    return line.toString('utf8', 0, line.length - 2);
  }

  /** Reads the value lines of a get or gets reply up to END, as key to value and cas unique. */
  async readValues(): Promise<Map<string, { value: string; cas?: string }>> {
    const values = new Map<string, { value: string; cas?: string }>();
    for (;;) {
      const header = await this.readLine();
      if (header === 'END') {
        return values;
      }
      const match = /^VALUE (\S+) \d+ (\d+)(?: (\d+))?$/.exec(header);
      if (!match) {
        throw new Error(`expected a VALUE line or END, got ${JSON.stringify(header)}`);
      }
      const [, key, length, cas] = match;
      const size = Number(length) + 2;
      const data = await this.connection.take((buffered) => (buffered.length >= size ? size : undefined), `value of ${size} bytes`);
      values.set(key ?? '', { value: data.toString('utf8', 0, data.length - 2), cas });
    }
  }

  close(): void {
    this.connection.close();
  }
}

function setCommand(key: string, value: string, exptimeSeconds = 0): string {
  return `set ${key} 0 ${exptimeSeconds} ${Buffer.byteLength(value)}\r\n${value}\r\n`;
}

test('pipelined sets then multi-get', async ({ app }) => {
  const memcached = await MemcachedConnection.open(app.host, app.port(MEMCACHED_PORT));
  try {
    const items = Array.from({ length: 100 }, (_, i) => ({ key: `item:${i}`, value: `value ${i} ${'•'.repeat(i % 7)}` }));

    memcached.send(items.map(({ key, value }) => setCommand(key, value)).join(''));
    for (const { key } of items) {
      expect(await memcached.readLine(), `reply to set ${key}`).toBe('STORED');
    }

    memcached.send(`get ${items.map(({ key }) => key).join(' ')} item:missing\r\n`);
    const values = await memcached.readValues();

    expect(values.size).toBe(items.length);
    for (const { key, value } of items) {
      expect(values.get(key)?.value, key).toBe(value);
    }
  } finally {
    memcached.close();
  }
});

test('cas rejects a stale update', async ({ app }) => {
  const memcached = await MemcachedConnection.open(app.host, app.port(MEMCACHED_PORT));
  try {
    memcached.send(setCommand('config', 'v1'));
    expect(await memcached.readLine()).toBe('STORED');

    memcached.send('gets config\r\n');
    const cas = (await memcached.readValues()).get('config')?.cas;
    expect(cas).toMatch(/^\d+$/);

    // Another client changes the item, so the unique value read above is stale.
    memcached.send(setCommand('config', 'v2'));
    expect(await memcached.readLine()).toBe('STORED');

    memcached.send(`cas config 0 0 2 ${cas}\r\nv3\r\n`);
    expect(await memcached.readLine()).toBe('EXISTS');

    memcached.send('gets config\r\n');
    const current = (await memcached.readValues()).get('config');
    expect(current?.value).toBe('v2');

    memcached.send(`cas config 0 0 2 ${current?.cas}\r\nv3\r\n`);
    expect(await memcached.readLine()).toBe('STORED');
  } finally {
    memcached.close();
  }
});

test('item expires after its TTL', async ({ app }) => {
  const memcached = await MemcachedConnection.open(app.host, app.port(MEMCACHED_PORT));
  try {
    memcached.send(setCommand('session', 'abc', 1));
    expect(await memcached.readLine()).toBe('STORED');

    memcached.send('get session\r\n');
    expect((await memcached.readValues()).get('session')?.value).toBe('abc');

    // memcached's clock ticks once a second, so a 1 s TTL ends within about 2 s.
    await expect
      .poll(
        async () => {
          memcached.send('get session\r\n');
          return (await memcached.readValues()).has('session');
        },
        { timeout: 5_000, intervals: [250] },
      )
      .toBe(false);
  } finally {
    memcached.close();
  }
});

test('oversized item is rejected', async ({ app }) => {
  const memcached = await MemcachedConnection.open(app.host, app.port(MEMCACHED_PORT));
  try {
    // The default maximum item size is 1 MiB, key and header included.
    memcached.send(setCommand('big', 'x'.repeat(1024 * 1024 + 10)));
    expect(await memcached.readLine()).toBe('SERVER_ERROR object too large for cache');

    // memcached discards the rejected data, so the connection stays usable.
    memcached.send('version\r\n');
    expect(await memcached.readLine()).toMatch(/^VERSION 1\.6\.\d+$/);
  } finally {
    memcached.close();
  }
});
