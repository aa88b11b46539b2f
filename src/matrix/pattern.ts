import type { Pattern } from './types.js';
import { parsed, rejected, type Parsed } from './parsed.js';

/** A string between slashes, optionally followed by flag letters: `/Welcome/i`. */
const REGEX_LITERAL = /^\/(.+)\/([A-Za-z]*)$/s;

/**
 * Parses a text expectation. A string between slashes is a regular expression, checked
 * by compiling it with the engine that will run it; any other string matches literally.
 */
export function parsePattern(text: string): Parsed<Pattern> {
  const match = REGEX_LITERAL.exec(text);
  if (match === null) return parsed({ kind: 'literal', text });

  const source = match[1]!;
  const flags = match[2]!;
  try {
    new RegExp(source, flags);
  } catch (error) {
    const engineMessage = error instanceof Error ? error.message : String(error);
    return rejected(
      `is an invalid regular expression ${text}: ${engineMessage}; fix the expression, ` +
        `or write /${escapeRegex(text)}/ to match the text literally`,
    );
  }

  return parsed({ kind: 'regex', source, flags });
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
