/** Prints progress lines on stderr, prefixed so they stand apart from Playwright's output. */
export function progress(line: string): void {
  process.stderr.write(`gvmatrix: ${line}\n`);
}

/**
 * Keeps gvmatrix running when the reader of its stdout or stderr goes away, as when a
 * `| tee` or a CI log collector is killed. Without a listener, the EPIPE of the next
 * write is an uncaught error that ends the process before it removes its containers,
 * lock and run record. Output to a closed pipe is lost; other stream errors still throw.
 */
export function ignoreClosedOutput(streams: NodeJS.WritableStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') {
        throw error;
      }
    });
  }
}
