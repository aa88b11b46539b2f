/**
 * Outcome of a pure parser for one matrix value: the value, or the reason it is invalid.
 * The reason completes a message that the caller starts with the key and the position.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

export function parsed<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

export function rejected<T>(reason: string): Parsed<T> {
  return { ok: false, reason };
}
