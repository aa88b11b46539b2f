import { InvalidArgumentError } from 'commander';

/** Parses a commander option value that must be a whole number of 1 or more. */
export function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new InvalidArgumentError(`expected a whole number of 1 or more, got "${value}"`);
  }
  return parsed;
}

/** Collects a repeatable commander option into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
