/**
 * ANSI escape sequences: CSI (colours, cursor moves), OSC (titles, hyperlinks, ended by
 * BEL or ST) and the two-character escapes. Playwright colours expectation diffs with them.
 */
const ANSI_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/**
 * C0 controls other than tab, LF and CR, DEL, C1 controls (U+009B is a terminal's CSI),
 * lone surrogates, and the noncharacters U+FFFE and U+FFFF. With the `u` flag a surrogate
 * range matches only unpaired halves.
 */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ud800-\udfff\ufffe\uffff]/gu;

/** Removes ANSI escape sequences, so a terminal-coloured message reads as plain text in files. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI_SEQUENCE, '');
}

/**
 * Removes ANSI escape sequences and then the control characters left, for text that a
 * terminal or a browser shows: container output may hold any of them.
 */
export function stripControlCharacters(text: string): string {
  return stripAnsi(text).replace(CONTROL_CHARACTERS, '');
}
