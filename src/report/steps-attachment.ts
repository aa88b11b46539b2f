import type { StepRecord } from '../driver/step-records.js';
import { truncateOutput } from '../driver/output-text.js';

/**
 * Characters of each step's stdout, stderr and error that results.json keeps. The
 * attachment already cuts output to MAX_STORED_OUTPUT, but every step of every runtime
 * lands in results.json, so the report keeps less: enough for the lines a reader compares.
 */
export const MAX_REPORTED_STEP_TEXT = 4000;

const STEP_KINDS: readonly StepRecord['kind'][] = ['exec', 'wait', 'host', 'expect'];
const TEXT_FIELDS = ['stdout', 'stderr', 'error'] as const;
const OPTIONAL_NUMBER_FIELDS = ['exitCode', 'containerUid', 'containerGid'] as const;

/**
 * Parses a `gvmatrix-observed` attachment and returns the records of a steps test, with
 * stdout, stderr and error cut to MAX_REPORTED_STEP_TEXT characters. Returns undefined
 * for the records of exec and http checks, which the report leaves out. Throws an error
 * naming the first step and field of the wrong form.
 */
export function parseObservedSteps(text: string): StepRecord[] | undefined {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`expected a JSON object with a kind field, got ${text.slice(0, 80)}`);
  }

  const fields = value as Record<string, unknown>;
  if (fields.kind !== 'steps') {
    return undefined;
  }
  if (!Array.isArray(fields.steps)) {
    throw new Error(`field steps must be an array of step records, got ${JSON.stringify(fields.steps)?.slice(0, 80)}`);
  }
  return fields.steps.map((entry, index) => capStepText(parseStepRecord(entry, index)));
}

/** Cuts a record's stdout, stderr and error to `max` characters, each with a note of what was dropped. */
export function capStepText(record: StepRecord, max = MAX_REPORTED_STEP_TEXT): StepRecord {
  const capped: StepRecord = { ...record };
  for (const name of TEXT_FIELDS) {
    const fieldText = record[name];
    if (fieldText !== undefined) {
      capped[name] = truncateOutput(fieldText, max);
    }
  }
  return capped;
}

function parseStepRecord(entry: unknown, index: number): StepRecord {
  const where = `step record ${index + 1}`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new Error(`${where} must be an object with index, kind, description and durationMs, got ${JSON.stringify(entry)?.slice(0, 80)}`);
  }

  const fields = entry as Record<string, unknown>;
  if (!Number.isInteger(fields.index)) {
    throw new Error(`field index of ${where} must be an integer, got ${JSON.stringify(fields.index)?.slice(0, 80)}`);
  }
  if (!STEP_KINDS.some((kind) => kind === fields.kind)) {
    throw new Error(`field kind of ${where} must be one of ${STEP_KINDS.join(', ')}, got ${JSON.stringify(fields.kind)?.slice(0, 80)}`);
  }
  if (typeof fields.description !== 'string') {
    throw new Error(`field description of ${where} must be a string, got ${JSON.stringify(fields.description)?.slice(0, 80)}`);
  }
  if (typeof fields.durationMs !== 'number') {
    throw new Error(`field durationMs of ${where} must be a number, got ${JSON.stringify(fields.durationMs)?.slice(0, 80)}`);
  }

  const record: StepRecord = {
    index: fields.index as number,
    kind: fields.kind as StepRecord['kind'],
    description: fields.description,
    durationMs: fields.durationMs,
  };
  if (fields.name !== undefined) {
    record.name = optionalField(fields, 'name', 'string', where) as string;
  }
  if (fields.background !== undefined) {
    record.background = optionalField(fields, 'background', 'boolean', where) as boolean;
  }
  for (const name of OPTIONAL_NUMBER_FIELDS) {
    if (fields[name] !== undefined) {
      record[name] = optionalField(fields, name, 'number', where) as number;
    }
  }
  for (const name of TEXT_FIELDS) {
    if (fields[name] !== undefined) {
      record[name] = optionalField(fields, name, 'string', where) as string;
    }
  }
  return record;
}

function optionalField(fields: Record<string, unknown>, name: string, type: 'string' | 'number' | 'boolean', where: string): unknown {
  const value = fields[name];
  if (typeof value !== type) {
    throw new Error(`field ${name} of ${where} must be a ${type} when present, got ${JSON.stringify(value)?.slice(0, 80)}`);
  }
  return value;
}
