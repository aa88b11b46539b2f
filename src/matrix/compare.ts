import { isMap, isScalar, type Node, type YAMLMap } from 'yaml';
import { readNormalizeRules } from './normalize-rules.js';
import { namedStep, readStepReference, type StepScope } from './steps.js';
import { suggestion } from './suggest.js';
import type { Comparison, NormalizeRule, Observable, Step, StepValue } from './types.js';
import { describe, type Fields, type YamlReader } from './yaml-reader.js';

type CheckKind = 'exec' | 'http' | 'steps';

/** Observables named by a plain word, per check kind. In a steps test they are the last foreground exec step's. */
const NAMED_OBSERVABLES: Record<CheckKind, readonly string[]> = {
  exec: ['exitCode', 'stdout', 'stderr'],
  http: ['status', 'body', 'headers'],
  steps: ['exitCode', 'stdout', 'stderr'],
};

const OBSERVABLE_FORMS: Record<CheckKind, string> = {
  exec: 'exitCode, stdout, stderr or { file: /absolute/path }',
  http: 'status, body, headers, { header: NAME } or { file: /absolute/path }',
  steps: 'exitCode, stdout, stderr (of the last foreground exec step), { step: NAME, value: stdout } or { file: /absolute/path }',
};

const STEP_VALUES: readonly StepValue[] = ['exitCode', 'stdout', 'stderr'];

/** An HTTP header name: an RFC 9110 token. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The image settings that a test's comparison inherits. */
export interface ComparisonDefaults {
  builtinNormalizers: boolean;
  /** `normalize:` rules of the defaults and the image, in that order. */
  normalize: readonly NormalizeRule[];
}

/** Returns the name of an observable as `compare:` and the reports write it: `stdout`, `header: date`, `file: /etc/hostname`. */
export function observableName(observable: Observable): string {
  switch (observable.kind) {
    case 'header':
      return `header: ${observable.name}`;
    case 'file':
      return `file: ${observable.path}`;
    case 'step':
      return `step ${observable.step}: ${observable.value}`;
    default:
      return observable.kind;
  }
}

/**
 * Reads a test's `compare:`, `normalize:` and `builtinNormalizers:`. Returns null when the
 * test compares nothing, and undefined after reporting an issue. `kind` is the test's
 * check, or undefined when the test has none, in which case any observable name is accepted.
 * `steps` are a steps test's steps, which step observables must name; without them (the
 * steps are invalid and already reported) step names are not checked.
 */
export function readComparison(
  reader: YamlReader,
  fields: Fields,
  kind: CheckKind | undefined,
  defaults: ComparisonDefaults,
  steps?: readonly Step[],
): Comparison | null | undefined {
  const compareField = fields.get('compare');
  const normalizeField = fields.get('normalize');
  const builtinField = fields.get('builtinNormalizers');

  if (compareField === undefined) {
    const stray = normalizeField ?? builtinField;
    if (stray !== undefined) {
      reader.reportAt(
        stray.key,
        `${stray.name} has no effect in a test without compare:; add compare: with the values to compare, such as compare: [stdout], or remove ${stray.name}`,
      );
      return undefined;
    }
    return null;
  }

  const observables = readObservables(reader, compareField.value, kind, steps);
  const rules = normalizeField === undefined ? [] : readNormalizeRules(reader, normalizeField.value);
  const builtin = builtinField === undefined ? defaults.builtinNormalizers : reader.boolean(builtinField.value, 'builtinNormalizers');
  if (observables === undefined || rules === undefined || builtin === undefined) return undefined;

  return { observables, builtinNormalizers: builtin, normalize: [...defaults.normalize, ...rules] };
}

/** Reads the `compare:` list; each observable may appear once. */
function readObservables(reader: YamlReader, node: Node | null, kind: CheckKind | undefined, steps: readonly Step[] | undefined): Observable[] | undefined {
  const example = kind === 'http' ? '[status, body]' : '[exitCode, stdout]';
  const items = reader.list(node, 'compare', example);
  if (items === undefined) return undefined;

  if (items.length === 0) {
    reader.reportAt(node, `compare must list at least one value to compare, such as ${example}; remove compare: to compare nothing`);
    return undefined;
  }

  const observables: Observable[] = [];
  let valid = true;
  for (const item of items) {
    const observable = readObservable(reader, item, kind, steps);
    if (observable === undefined) {
      valid = false;
      continue;
    }

    const name = observableName(observable);
    if (observables.some((seen) => observableName(seen) === name)) {
      reader.reportAt(item, `compare lists "${name}" twice; remove one`);
      valid = false;
      continue;
    }
    observables.push(observable);
  }
  return valid ? observables : undefined;
}

function readObservable(reader: YamlReader, node: Node | null, kind: CheckKind | undefined, steps: readonly Step[] | undefined): Observable | undefined {
  if (isScalar(node) && typeof node.value === 'string') {
    const observable = readNamedObservable(reader, node, node.value, kind);
    if (observable !== undefined && kind === 'steps' && steps !== undefined && !steps.some((step) => step.kind === 'exec' && !step.background)) {
      reader.reportAt(node, `${node.value} in a steps test names the last foreground exec step's value, and this test has none; write { step: NAME, value: ${node.value} }`);
      return undefined;
    }
    return observable;
  }
  if (isMap(node) && node.items.some((pair) => isScalar(pair.key) && pair.key.value === 'step')) {
    return readStepObservable(reader, node, kind, steps);
  }
  if (isMap(node)) {
    return readObservableForm(reader, node, kind);
  }

  const forms = kind === undefined ? `${OBSERVABLE_FORMS.exec}, or for http tests ${OBSERVABLE_FORMS.http}` : OBSERVABLE_FORMS[kind];
  reader.reportAt(node, `each compare entry must be one of ${forms}; got ${describe(node)}`);
  return undefined;
}

function readNamedObservable(reader: YamlReader, node: Node, name: string, kind: CheckKind | undefined): Observable | undefined {
  const allowed = kind === undefined ? [...NAMED_OBSERVABLES.exec, ...NAMED_OBSERVABLES.http] : NAMED_OBSERVABLES[kind];
  if (allowed.includes(name)) {
    return { kind: name as 'exitCode' | 'stdout' | 'stderr' | 'status' | 'body' | 'headers' };
  }

  if (name === 'file' || name === 'header') {
    const example = name === 'file' ? '{ file: /etc/os-release }' : '{ header: Content-Type }';
    reader.reportAt(node, `compare entry ${name} needs its argument; write it as ${example}`);
    return undefined;
  }

  const other: CheckKind = kind === 'http' ? 'exec' : 'http';
  if (kind !== undefined && NAMED_OBSERVABLES[other].includes(name)) {
    reader.reportAt(node, `${name} belongs to ${other} tests; an ${kind} test can compare ${OBSERVABLE_FORMS[kind]}`);
    return undefined;
  }

  // Only http tests can compare a single header, so other tests are not offered one.
  const forms = kind === 'exec' || kind === 'steps' ? [...allowed, 'file'] : [...allowed, 'file', 'header'];
  reader.reportAt(node, `unknown compare entry "${name}"; ${suggestion(name, forms, 'entries')}`);
  return undefined;
}

/** Reads `{ file: PATH }` or `{ header: NAME }`. */
function readObservableForm(reader: YamlReader, node: YAMLMap, kind: CheckKind | undefined): Observable | undefined {
  if (node.items.length !== 1) {
    reader.reportAt(node, 'each compare entry must have exactly one key, such as { file: /etc/os-release } or { header: Content-Type }');
    return undefined;
  }

  const fields = reader.mapping(node, 'each compare entry', ['file', 'header']);
  const entry = fields?.list()[0];
  if (entry === undefined) return undefined;

  if (entry.name === 'file') {
    const path = reader.string(entry.value, 'compare file');
    if (path === undefined) return undefined;

    if (!path.startsWith('/')) {
      reader.reportAt(entry.value, `compare file must be an absolute path inside the container, such as /etc/os-release; got "${path}"`);
      return undefined;
    }
    return { kind: 'file', path };
  }

  if (kind === 'exec' || kind === 'steps') {
    reader.reportAt(entry.key, `header belongs to http tests; an ${kind} test can compare ${OBSERVABLE_FORMS[kind]}`);
    return undefined;
  }

  const name = reader.string(entry.value, 'compare header');
  if (name === undefined) return undefined;

  if (!HEADER_NAME.test(name)) {
    reader.reportAt(entry.value, `compare header "${name}" is not an HTTP header name; write the name alone, such as Content-Type`);
    return undefined;
  }
  return { kind: 'header', name: name.toLowerCase() };
}

/** Reads `{ step: NAME, value: stdout }` of a steps test; the step must be an exec step or a host stat step. */
function readStepObservable(reader: YamlReader, node: YAMLMap, kind: CheckKind | undefined, steps: readonly Step[] | undefined): Observable | undefined {
  const fields = reader.mapping(node, 'each compare entry', ['step', 'value']);
  if (fields === undefined) return undefined;

  if (kind !== undefined && kind !== 'steps') {
    reader.reportAt(fields.get('step')!.key, `compare entry { step: ... } belongs to steps tests; a${kind === 'exec' ? 'n' : ''} ${kind} test can compare ${OBSERVABLE_FORMS[kind]}`);
    return undefined;
  }

  const valueField = fields.get('value');
  if (valueField === undefined) {
    reader.reportAt(node, 'compare entry { step: ... } has no value:; name the value to compare, such as { step: first, value: stdout }');
    return undefined;
  }
  const value = reader.string(valueField.value, 'compare value');
  if (value === undefined) return undefined;
  const known = STEP_VALUES.find((candidate) => candidate === value);
  if (known === undefined) {
    reader.reportAt(valueField.value, `unknown compare value "${value}"; ${suggestion(value, STEP_VALUES, 'values')}`);
    return undefined;
  }

  const stepNode = fields.get('step')!.value;
  if (steps === undefined) {
    const name = reader.text(stepNode, 'compare step');
    return name === undefined ? undefined : { kind: 'step', step: name, value: known };
  }

  const named = new Map(steps.filter((step) => step.name !== undefined).map((step) => [step.name!, namedStep(step)]));
  const scope: StepScope = { named, written: new Set(named.keys()) };
  const name = readStepReference(reader, stepNode, 'compare step', scope);
  if (name === undefined) return undefined;

  const target = named.get(name)!;
  const valid = target.kind === 'exec' || (target.action === 'stat' && value === 'stdout');
  if (!valid) {
    const what = target.kind === 'host' ? `host ${target.action}` : target.kind;
    reader.reportAt(valueField.value, `step "${name}" is a ${what} step without a ${value}; compare exitCode, stdout or stderr of an exec step, or stdout of a host stat step`);
    return undefined;
  }
  return { kind: 'step', step: name, value: known };
}
