import type { ComparedValue } from './types.js';

const TEXT_FIELDS = ['observable', 'value', 'normalized', 'normalizedSha256'] as const;

/**
 * Parses a `gvmatrix-compare` attachment: a JSON array of compared values. Throws an
 * error naming the first entry and field of the wrong form.
 */
export function parseComparedValues(text: string): ComparedValue[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value)) {
    throw new Error(`expected a JSON array of compared values, got ${text.slice(0, 80)}`);
  }
  return value.map((entry, index) => parseEntry(entry, index));
}

function parseEntry(entry: unknown, index: number): ComparedValue {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new Error(`entry ${index + 1} must be an object with ${TEXT_FIELDS.join(', ')}, got ${JSON.stringify(entry)?.slice(0, 80)}`);
  }

  const fields = entry as Record<string, unknown>;
  for (const name of TEXT_FIELDS) {
    if (typeof fields[name] !== 'string') {
      throw new Error(`field ${name} of entry ${index + 1} must be a string, got ${JSON.stringify(fields[name])?.slice(0, 80)}`);
    }
  }
  if (fields.error !== undefined && typeof fields.error !== 'string') {
    throw new Error(`field error of entry ${index + 1} must be a string when present, got ${JSON.stringify(fields.error).slice(0, 80)}`);
  }

  const parsed: ComparedValue = {
    observable: fields.observable as string,
    value: fields.value as string,
    normalized: fields.normalized as string,
    normalizedSha256: fields.normalizedSha256 as string,
  };
  if (typeof fields.error === 'string') {
    parsed.error = fields.error;
  }
  return parsed;
}
