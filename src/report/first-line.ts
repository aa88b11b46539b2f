/** Returns the first non-blank line of a text, trimmed: the line of an error that names what failed. */
export function firstLine(text: string): string {
  const line = text.split('\n').find((candidate) => candidate.trim() !== '');
  return (line ?? '').trim();
}
