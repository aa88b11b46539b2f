import type { Pattern } from '../matrix/types.js';

/** Returns a RegExp that matches what the pattern accepts; literals match as substrings. */
export function patternToRegExp(pattern: Pattern): RegExp {
  if (pattern.kind === 'regex') {
    return new RegExp(pattern.source, pattern.flags);
  }
  return new RegExp(pattern.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

/** Returns the pattern as a matrix file would spell it, for messages. */
export function formatPattern(pattern: Pattern): string {
  return pattern.kind === 'regex' ? `/${pattern.source}/${pattern.flags}` : JSON.stringify(pattern.text);
}
