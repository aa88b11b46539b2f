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

/** Returns a short excerpt of a value for a one-line failure message. */
export function excerpt(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > max ? `${flat.slice(0, max)}...` : flat);
}
