import { parsed, rejected, type Parsed } from './parsed.js';

const UNIT_BYTES: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

const BYTE_SIZE = /^(\d+(?:\.\d+)?)([bkmg]?)$/i;

/**
 * Parses a memory size into bytes. A number counts bytes; a string takes a binary unit as
 * podman's `--memory` does: `512k`, `256m`, `2g` (1k = 1024 bytes).
 */
export function parseByteSize(input: number | string): Parsed<number> {
  if (typeof input === 'number') return checkedBytes(input, String(input));

  const match = BYTE_SIZE.exec(input.trim());
  if (match === null) {
    return rejected(`must be a size in bytes or a string such as 512k, 256m or 2g; got "${input}"`);
  }

  const amount = Number(match[1]);
  const unitBytes = UNIT_BYTES[match[2]!.toLowerCase()]!;
  return checkedBytes(Math.round(amount * unitBytes), `"${input}"`);
}

function checkedBytes(bytes: number, written: string): Parsed<number> {
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    return rejected(`must be a whole number of bytes greater than 0, or a string such as 256m; got ${written}`);
  }
  return parsed(bytes);
}
