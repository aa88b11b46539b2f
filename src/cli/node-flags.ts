/**
 * Sets the V8 flags that make a gvmatrix node process favour memory over optimised code.
 * main.ts imports this module first, so the flags apply before the other modules run.
 * NOTE: heavy JavaScript runs up to 4 times slower with them (a regular expression over a
 * 32 MB string, measured), so code that quotes container output reads only the part it quotes.
 */
import { setFlagsFromString } from 'node:v8';

/** The flags, also passed on the command line of Playwright's runner, whose workers inherit them. */
export const MEMORY_NODE_FLAGS = ['--optimize-for-size', '--max-semi-space-size=1'];

for (const flag of MEMORY_NODE_FLAGS) {
  setFlagsFromString(flag);
}
