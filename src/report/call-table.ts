/**
 * Compares output that prints one JSON object a line, each naming a call, such as a
 * syscall probe's `{"call":"io_uring_setup","args":"...","ret":-1,"errno":"ENOSYS"}`.
 * A table of the calls whose lines differ reads better than a line diff of the JSON.
 */
import type { CallDifference } from './types.js';

/** Fields that can key a line, in order of preference. */
const KEY_FIELDS = ['call', 'name'] as const;

type KeyField = (typeof KEY_FIELDS)[number];

/** Output parsed as one JSON object per call. */
export interface CallLines {
  field: KeyField;
  /** Lines by call, in output order; a repeated call gets `#2`, `#3` appended. */
  rows: Map<string, Record<string, unknown>>;
}

const ABSENT = '(absent)';

/**
 * Parses text whose every non-blank line is a JSON object with a string `call` field (or,
 * failing that, with a string `name` field in every line). Returns undefined for any
 * other text, including text without lines.
 */
export function parseCallLines(text: string): CallLines | undefined {
  const objects: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      continue;
    }
    const parsed = parseObject(line);
    if (parsed === undefined) {
      return undefined;
    }
    objects.push(parsed);
  }
  if (objects.length === 0) {
    return undefined;
  }

  const field = KEY_FIELDS.find((candidate) => objects.every((object) => typeof object[candidate] === 'string'));
  if (field === undefined) {
    return undefined;
  }

  const rows = new Map<string, Record<string, unknown>>();
  for (const object of objects) {
    rows.set(uniqueKey(rows, object[field] as string), object);
  }
  return { field, rows };
}

/**
 * Returns one row per call whose line differs, in the baseline's order and then the calls
 * only the sandbox made. Each cell lists the fields that differ, so equal fields such as
 * identical arguments do not hide the change.
 */
export function diffCalls(baseline: CallLines, sandbox: CallLines): CallDifference[] {
  const calls = [...new Set([...baseline.rows.keys(), ...sandbox.rows.keys()])];
  const differences: CallDifference[] = [];

  for (const call of calls) {
    const before = baseline.rows.get(call);
    const after = sandbox.rows.get(call);
    if (before === undefined || after === undefined) {
      differences.push({ call, baseline: before ? describeFields(before, [], baseline.field) : ABSENT, sandbox: after ? describeFields(after, [], sandbox.field) : ABSENT });
      continue;
    }

    const changed = changedFields(before, after, baseline.field);
    if (changed.length > 0) {
      differences.push({ call, baseline: describeFields(before, changed, baseline.field), sandbox: describeFields(after, changed, baseline.field) });
    }
  }
  return differences;
}

/** Formats rows as a table with a header: `call | baseline (runc) | sandbox (runsc)`. */
export function formatCallTable(field: string, rows: readonly CallDifference[], baselineRuntime: string, sandboxRuntime: string): string {
  const table = [[field, `baseline (${baselineRuntime})`, `sandbox (${sandboxRuntime})`], ...rows.map((row) => [row.call, row.baseline, row.sandbox])];
  const widths = [0, 1].map((column) => Math.max(...table.map((cells) => cells[column]!.length)));
  return table.map((cells) => `${cells[0]!.padEnd(widths[0]!)} | ${cells[1]!.padEnd(widths[1]!)} | ${cells[2]}`.trimEnd()).join('\n');
}

function parseObject(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function uniqueKey(rows: ReadonlyMap<string, unknown>, call: string): string {
  if (!rows.has(call)) {
    return call;
  }
  let occurrence = 2;
  while (rows.has(`${call}#${occurrence}`)) {
    occurrence++;
  }
  return `${call}#${occurrence}`;
}

/** Names the fields other than the key whose values differ, in the order they first appear. */
function changedFields(before: Record<string, unknown>, after: Record<string, unknown>, keyField: string): string[] {
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((field) => field !== keyField);
  return fields.filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]));
}

/** Lists `field=value` for the given fields, or for every field but the key when none are given. */
function describeFields(object: Record<string, unknown>, fields: readonly string[], keyField: string): string {
  const listed = fields.length > 0 ? fields : Object.keys(object).filter((field) => field !== keyField);
  const parts = listed.map((field) => `${field}=${field in object ? formatValue(object[field]) : ABSENT}`);
  return parts.length > 0 ? parts.join(' ') : '(no other fields)';
}

function formatValue(value: unknown): string {
  if (typeof value === 'string' && /^[^\s"=]+$/.test(value)) {
    return value;
  }
  return JSON.stringify(value) ?? String(value);
}
