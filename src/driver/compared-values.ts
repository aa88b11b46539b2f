import { createHash } from 'node:crypto';
import type { Comparison } from '../matrix/types.js';
import { normalizeText, type NormalizeContext } from './normalize.js';
import { truncateOutput } from './output-text.js';

/** Name of the attachment that contains a try's compared values, as a JSON array of ComparedValue. */
export const COMPARE_ATTACHMENT = 'gvmatrix-compare';

/** One `compare:` observable as a try under one runtime saw it. */
export interface ComparedValue {
  /** The observable as `compare:` names it: `stdout`, `header: date`, `file: /etc/hostname`. */
  observable: string;
  /** The value as read, cut to MAX_STORED_OUTPUT characters with a note of how many were dropped. */
  value: string;
  /** The value after the normalizers, cut the same way. */
  normalized: string;
  /** SHA-256 (hex) of the whole normalized value, so values longer than the cut still compare exactly. */
  normalizedSha256: string;
  /** Reason the value could not be read, such as a file that `cat` cannot read. Value and normalized are empty then. */
  error?: string;
}

/** A value read for comparison: its text, or why it could not be read. */
export type ObservedText = { text: string } | { error: string };

/** Normalizes an observed value and builds the record that the compare attachment stores. */
export function recordComparedValue(
  observable: string,
  observed: ObservedText,
  comparison: Pick<Comparison, 'builtinNormalizers' | 'normalize'>,
  context: NormalizeContext,
): ComparedValue {
  if ('error' in observed) {
    return { observable, value: '', normalized: '', normalizedSha256: sha256(''), error: observed.error };
  }

  const normalized = normalizeText(observed.text, comparison, context);
  return {
    observable,
    value: truncateOutput(observed.text),
    normalized: truncateOutput(normalized),
    normalizedSha256: sha256(normalized),
  };
}

/** Formats response headers one per line as `name: value`, names in lower case and sorted, so the order servers send them in does not count. */
export function formatHeaders(headers: ReadonlyArray<{ name: string; value: string }>): string {
  return headers
    .map(({ name, value }) => ({ name: name.toLowerCase(), value }))
    .sort((a, b) => compareNames(a.name, b.name))
    .map(({ name, value }) => `${name}: ${value}`)
    .join('\n');
}

/** Orders by UTF-16 code units, so the order does not depend on the locale. */
function compareNames(a: string, b: string): number {
  if (a === b) {
    return 0;
  }
  return a < b ? -1 : 1;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
