/**
 * ANSI escape sequences: CSI (colours, cursor moves), OSC (titles, hyperlinks, ended by
 * BEL or ST) and the two-character escapes. Playwright colours expectation diffs with them.
 */
const ANSI_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/** Removes ANSI escape sequences, so a terminal-coloured message reads as plain text in files. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI_SEQUENCE, '');
}
