import { VERDICT_ORDER } from './summary.js';

const STRING_FIELDS = ['runId', 'matrixFile', 'startedAt'] as const;
const LIST_FIELDS = ['runtimes', 'results', 'verdicts'] as const;
const RECORD_STRING_FIELDS = ['image', 'test', 'runtime', 'message'] as const;

/**
 * Checks that a parsed JSON value has the fields of a results.json that `diff` and
 * `baseline` read. These are the run's id, matrix file and start time, runtimes with name
 * and version, and verdict records with image, test, runtime, message and a known verdict.
 * Returns the first problem found, or undefined when the value can be read as a RunReport. The output of `gvmatrix run --json`
 * passes too, since it is a RunReport with a `gate` field added.
 */
export function findResultsProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'expected a JSON object';
  }

  const fields = value as Record<string, unknown>;
  for (const name of STRING_FIELDS) {
    if (typeof fields[name] !== 'string') {
      return `the field "${name}" is missing or not a string`;
    }
  }
  for (const name of LIST_FIELDS) {
    if (!Array.isArray(fields[name])) {
      return `the field "${name}" is missing or not an array`;
    }
  }

  const runtimes = fields.runtimes as unknown[];
  for (const [index, runtime] of runtimes.entries()) {
    if (!hasStringFields(runtime, ['name', 'version'])) {
      return `runtimes[${index}] is not an object with string fields "name" and "version"`;
    }
  }

  const verdicts = fields.verdicts as unknown[];
  for (const [index, record] of verdicts.entries()) {
    const problem = findRecordProblem(record);
    if (problem !== undefined) {
      return `verdicts[${index}] ${problem}`;
    }
  }
  return undefined;
}

function findRecordProblem(record: unknown): string | undefined {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    return 'is not a JSON object';
  }

  const fields = record as Record<string, unknown>;
  for (const name of RECORD_STRING_FIELDS) {
    if (typeof fields[name] !== 'string') {
      return `has no string field "${name}"`;
    }
  }
  if (!VERDICT_ORDER.some((verdict) => verdict === fields.verdict)) {
    return `has the verdict ${JSON.stringify(fields.verdict)}, which is none of ${VERDICT_ORDER.join(', ')}`;
  }
  return undefined;
}

function hasStringFields(value: unknown, names: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }
  const fields = value as Record<string, unknown>;
  return names.every((name) => typeof fields[name] === 'string');
}
