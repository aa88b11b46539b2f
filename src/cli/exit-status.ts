import { MatrixError } from '../matrix/loader.js';
import { CommandError } from '../engine/command.js';
import { EnvironmentError } from '../engine/runtimes.js';

/** Exit statuses of `gvmatrix run`, as DESIGN.md defines them. */
export const EXIT = {
  ok: 0,
  gateFailed: 1,
  invalidInput: 2,
  environment: 3,
  interrupted: 130,
} as const;

/** Invalid command-line arguments: exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Maps an error to the exit status its kind calls for. */
export function exitStatusFor(error: unknown): number {
  if (error instanceof MatrixError || error instanceof UsageError) {
    return EXIT.invalidInput;
  }
  if (error instanceof EnvironmentError || error instanceof CommandError) {
    return EXIT.environment;
  }
  return EXIT.environment;
}
