/** Prints progress lines on stderr, prefixed so they stand apart from Playwright's output. */
export function progress(line: string): void {
  process.stderr.write(`gvmatrix: ${line}\n`);
}
