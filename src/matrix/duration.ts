import { parsed, rejected, type Parsed } from './parsed.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/**
 * Parses a duration from the matrix file into whole milliseconds. A number counts seconds;
 * a string is a number with a unit: `500ms`, `30s`, `2m` or `1h`. Zero and negative
 * durations are invalid, because a timeout of zero would fail every test.
 */
export function parseDuration(input: number | string): Parsed<number> {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input <= 0) {
      return rejected(`must be a duration greater than 0, such as 30s or 500ms; got ${input}`);
    }
    return checkedMs(Math.round(input * 1000), String(input));
  }

  const match = DURATION.exec(input.trim());
  if (match === null) {
    return rejected(`must be a duration such as 30s, 500ms or 2m (units: ms, s, m, h); got "${input}"`);
  }

  const amount = Number(match[1]);
  const unitMs = UNIT_MS[match[2]!]!;
  return checkedMs(Math.round(amount * unitMs), `"${input}"`);
}

function checkedMs(ms: number, written: string): Parsed<number> {
  if (ms < 1) return rejected(`must be a duration of at least 1ms; got ${written}`);
  if (!Number.isSafeInteger(ms)) return rejected(`is too long a duration; got ${written}`);
  return parsed(ms);
}
