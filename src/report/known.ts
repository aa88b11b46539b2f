import type { KnownIncompatibility, Pattern } from '../matrix/types.js';

/**
 * Finds the first `known:` entry for this image, test and runtime. Image and test names
 * must be equal. A literal runtime must equal the name, so `runsc` does not cover
 * `runsc-kvm`, while a regular expression may match anywhere in it, as `RegExp.test` does.
 */
export function findKnownEntry(
  image: string,
  test: string,
  runtime: string,
  known: readonly KnownIncompatibility[],
): KnownIncompatibility | undefined {
  return known.find((entry) => entry.image === image && entry.test === test && matchesRuntime(entry.runtime, runtime));
}

/** Tells whether a `known:` entry's runtime name or pattern covers a runtime name, as findKnownEntry matches it. */
export function matchesRuntime(pattern: Pattern, runtime: string): boolean {
  if (pattern.kind === 'literal') {
    return pattern.text === runtime;
  }

  // A fresh RegExp per call, because the `g` and `y` flags make `test` stateful.
  return new RegExp(pattern.source, pattern.flags).test(runtime);
}

/** Names an entry by its place in the matrix file, for messages that ask to edit it. */
export function describeKnownEntry(entry: KnownIncompatibility): string {
  return `${entry.location.file}:${entry.location.line}`;
}

/** Writes an entry's runtime as the matrix file does: the name, or `/source/flags`. */
export function formatRuntimePattern(pattern: Pattern): string {
  return pattern.kind === 'literal' ? pattern.text : `/${pattern.source}/${pattern.flags}`;
}
