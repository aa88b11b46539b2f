import { EnvironmentError } from '../../engine/runtimes.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One finding of `gvmatrix doctor`: what was checked, what was seen, and the fix. */
export interface DoctorCheck {
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

/** Returns the problem part of an error: EnvironmentError keeps its fix apart. */
export function errorText(error: unknown): string {
  if (error instanceof EnvironmentError) {
    return error.problem;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Returns a failed check for an error, with the error's own fix when it has one. */
export function failedCheck(name: string, error: unknown, fallbackFix: string): DoctorCheck {
  const fix = error instanceof EnvironmentError && error.fix !== undefined ? error.fix : fallbackFix;
  return { name, status: 'fail', detail: errorText(error), fix };
}
