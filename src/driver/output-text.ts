/** Stored output is cut to this many characters so a noisy container cannot bloat reports. */
export const MAX_STORED_OUTPUT = 64 * 1024;

/** Cuts text to `max` characters and appends a note of how many were dropped. */
export function truncateOutput(text: string, max = MAX_STORED_OUTPUT): string {
  if (text.length <= max) {
    return text;
  }
  return `${text.slice(0, max)}\n[gvmatrix: ${text.length - max} more characters dropped]`;
}

/** Keeps the last `max` characters of text, after a note of how many earlier ones were dropped. */
export function truncateOutputStart(text: string, max = MAX_STORED_OUTPUT): string {
  if (text.length <= max) {
    return text;
  }
  return `[gvmatrix: ${text.length - max} earlier characters dropped]\n${text.slice(text.length - max)}`;
}

/** C0 controls other than tab and LF, DEL and C1 controls: what a terminal acts on instead of printing. */
const TERMINAL_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Writes each control character of quoted output as a `\uXXXX` escape, so that a
 * terminal that shows a failure message prints the character instead of acting on it.
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(TERMINAL_CONTROLS, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Returns a short excerpt of a value for a one-line failure message, as a JSON string with
 * control characters escaped. Only the start of the value is read, so a 32 MB body costs
 * no more than a short one.
 */
export function excerpt(text: string, max = 200): string {
  const head = text.length > max * 8 ? text.slice(0, max * 8) : text;
  const flat = head.replace(/\s+/g, ' ').trim();
  const cut = flat.length > max || head.length < text.length;
  return escapeControlCharacters(JSON.stringify(cut ? `${flat.slice(0, max)}...` : flat));
}
