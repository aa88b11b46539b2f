/** Raised by RunInterrupts.race when SIGINT or SIGTERM arrives before the awaited work ends. */
export class InterruptedError extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
    this.name = 'InterruptedError';
  }
}

/**
 * SIGINT and SIGTERM handling for the whole of `gvmatrix run`. While it listens, a signal
 * no longer ends the process at once: the run notes it, stops what it awaits, and removes
 * its lock, record, containers and API services on the way out with exit status 130.
 */
export class RunInterrupts {
  /** The first signal received, once one has arrived. */
  signal: NodeJS.Signals | undefined;
  private readonly listeners = new Set<(signal: NodeJS.Signals) => void>();
  private readonly handler = (signal: NodeJS.Signals) => {
    this.signal ??= signal;
    for (const listener of this.listeners) {
      listener(signal);
    }
  };

  get interrupted(): boolean {
    return this.signal !== undefined;
  }

  listen(): this {
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
    return this;
  }

  stop(): void {
    process.off('SIGINT', this.handler);
    process.off('SIGTERM', this.handler);
    this.listeners.clear();
  }

  /** Calls `listener` for every signal from now on, including repeated ones. */
  onSignal(listener: (signal: NodeJS.Signals) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Returns the work's result, or rejects with InterruptedError as soon as a signal arrives,
   * or at once if one has arrived already. The work itself goes on; a child process it
   * started is ended by execa's cleanup when gvmatrix exits.
   */
  race<T>(work: Promise<T>): Promise<T> {
    if (this.signal) {
      work.catch(() => undefined);
      return Promise.reject(new InterruptedError(this.signal));
    }
    return new Promise<T>((resolve, reject) => {
      const remove = this.onSignal((signal) => {
        work.catch(() => undefined);
        reject(new InterruptedError(signal));
      });
      work.then(resolve, reject).finally(remove);
    });
  }
}
