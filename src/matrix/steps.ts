import path from 'node:path';
import { isMap, isScalar, type Node } from 'yaml';
import { EXEC_EXPECT_KEYS, readExecExpectation, readExecExpectationFields } from './exec-expectation.js';
import { readListedPort } from './ports.js';
import { suggestion } from './suggest.js';
import type { HostAction, MountSpec, Step, StepExpectation, StepWaitTarget } from './types.js';
import { describe, type Field, type Fields, type YamlReader } from './yaml-reader.js';

const STEP_KEYS = ['exec', 'wait', 'host', 'expect', 'name', 'background'] as const;
const STEP_KINDS = ['exec', 'wait', 'host', 'expect'] as const;
const WAIT_KEYS = ['step', 'output', 'file', 'log', 'port', 'timeout'] as const;
const WAIT_TARGETS = ['step', 'file', 'log', 'port'] as const;
const HOST_KEYS = ['mount', 'write', 'append', 'remove', 'chmod', 'stat', 'content', 'mode', 'name'] as const;
const HOST_ACTIONS = ['write', 'append', 'remove', 'chmod', 'stat'] as const;
const STEP_EXPECT_KEYS = ['step', ...EXEC_EXPECT_KEYS, 'containerUid', 'containerGid'] as const;

const STEP_FORMS = 'exec: [...], wait: { ... }, host: { mount: ..., ... } or expect: { step: ..., ... }';

/** Permission bits written as octal text: `"0644"`, `"600"`. */
const OCTAL_MODE = /^0?[0-7]{3}$|^0[0-7]{4}$/;

/** The image fields and test settings that a test's steps depend on. */
export interface StepTarget {
  imageName: string;
  ports: readonly number[];
  mounts: readonly MountSpec[];
  /** The test's timeout: the bound of a wait without its own. */
  timeoutMs: number;
}

/** The facts about a named step that later steps and `compare:` check their references against. */
export interface NamedStep {
  kind: Step['kind'];
  /** Set for exec steps. */
  background?: boolean;
  /** Set for host steps. */
  action?: HostAction['kind'];
  line: number;
}

/** The named steps before the step being read, and every step name the test writes. */
export interface StepScope {
  named: ReadonlyMap<string, NamedStep>;
  /** Names of all steps of the test, so that a reference to a later step gets its own message. */
  written: ReadonlySet<string>;
}

/** The steps of a test, and its named steps for `compare:`. */
export interface StepList {
  steps: Step[];
  named: Map<string, NamedStep>;
}

/**
 * Reads a test's `steps:`. Every step that a later step, `expect:` or `compare:` refers to
 * needs a unique name and must come earlier in the list. Returns undefined after reporting
 * an issue.
 */
export function readSteps(reader: YamlReader, node: Node | null, testLabel: string, target: StepTarget): StepList | undefined {
  const items = reader.list(node, 'steps', '[{ exec: [cat, /etc/app.conf], name: first }]');
  if (items === undefined) return undefined;
  if (items.length === 0) {
    reader.reportAt(node, `steps of ${testLabel} must list at least one step, such as ${STEP_FORMS}`);
    return undefined;
  }

  const list: StepList = { steps: [], named: new Map() };
  const scope: StepScope = { named: list.named, written: writtenStepNames(items) };
  let valid = true;
  items.forEach((item, index) => {
    const step = readStep(reader, item, `step ${index + 1} of ${testLabel}`, target, scope);
    if (step === undefined) {
      valid = false;
      return;
    }

    list.steps.push(step);
    if (step.name === undefined) return;

    const earlier = list.named.get(step.name);
    if (earlier !== undefined) {
      reader.report(step.location, `duplicate step name "${step.name}" in ${testLabel}, first used on line ${earlier.line}; give each step its own name`);
      valid = false;
      return;
    }
    list.named.set(step.name, namedStep(step));
  });
  return valid ? list : undefined;
}

/** Returns what references to a step need to know about it. */
export function namedStep(step: Step): NamedStep {
  return {
    kind: step.kind,
    background: step.kind === 'exec' ? step.background : undefined,
    action: step.kind === 'host' ? step.action.kind : undefined,
    line: step.location.line,
  };
}

/** Returns the names written in a steps list, read without reporting, for messages about later steps. */
function writtenStepNames(items: (Node | null)[]): Set<string> {
  const names = new Set<string>();
  const nameIn = (map: unknown): void => {
    if (!isMap(map)) return;
    const pair = map.items.find((candidate) => isScalar(candidate.key) && candidate.key.value === 'name');
    if (pair !== undefined && isScalar(pair.value)) names.add(String(pair.value.value));
  };
  for (const item of items) {
    if (!isMap(item)) continue;
    nameIn(item);
    // A host step may carry its name inside host:, as in host: { mount: data, stat: f, name: owner }.
    nameIn(item.items.find((candidate) => isScalar(candidate.key) && candidate.key.value === 'host')?.value);
  }
  return names;
}

function readStep(reader: YamlReader, node: Node | null, label: string, target: StepTarget, scope: StepScope): Step | undefined {
  const fields = reader.mapping(node, label, STEP_KEYS);
  if (fields === undefined) return undefined;

  const kinds = STEP_KINDS.filter((kind) => fields.get(kind) !== undefined);
  // An exec step may carry its own expect:, so exec with expect is one step, not two.
  const kind = kinds.includes('exec') ? 'exec' : kinds[0];
  const extra = kinds.filter((other) => other !== kind && !(kind === 'exec' && other === 'expect'));
  if (kind === undefined) {
    reader.reportAt(node, `${label} has no action; write one of ${STEP_FORMS}`);
    return undefined;
  }
  if (extra.length > 0) {
    reader.reportAt(fields.get(extra[0]!)!.key, `${label} has both ${kind}: and ${extra[0]}:; write one action a step, and put the other into a step of its own`);
    return undefined;
  }

  const location = reader.locate(node);
  const name = readStepName(reader, fields);
  if (name === null) return undefined;

  const background = fields.get('background');
  if (background !== undefined && kind !== 'exec') {
    reader.reportAt(background.key, `background applies to exec steps only; remove it from this ${kind} step`);
    return undefined;
  }

  switch (kind) {
    case 'exec':
      return readExecStep(reader, fields, label, name, location);
    case 'wait':
      return readWaitStep(reader, fields.get('wait')!, target, scope, name, location);
    case 'host':
      return readHostStep(reader, fields.get('host')!, target, name, location);
    case 'expect':
      return readExpectStep(reader, fields.get('expect')!, scope, name, location);
  }
}

/** Returns the step's name, undefined when it has none, or null after reporting an invalid one. */
function readStepName(reader: YamlReader, fields: Fields): string | undefined | null {
  const field = fields.get('name');
  if (field === undefined) return undefined;

  const name = reader.text(field.value, 'step name');
  if (name === undefined) return null;
  if (name.trim() === '') {
    reader.reportAt(field.value, 'step name must not be empty; name the step after what it does, such as watcher');
    return null;
  }
  return name;
}

function readExecStep(reader: YamlReader, fields: Fields, label: string, name: string | undefined, location: Step['location']): Step | undefined {
  const command = reader.textList(fields.get('exec')!.value, 'exec', '[cat, /etc/app.conf]');
  const backgroundField = fields.get('background');
  const background = backgroundField === undefined ? false : reader.boolean(backgroundField.value, 'background');
  const expectField = fields.get('expect');
  const expect = expectField === undefined ? undefined : readExecExpectation(reader, expectField.value);
  if (command === undefined || background === undefined || (expectField !== undefined && expect === undefined)) return undefined;

  if (background && name === undefined) {
    reader.report(location, `${label} runs in the background but has no name; add one, such as name: watcher, so that wait: and expect: can refer to it`);
    return undefined;
  }
  if (background && expectField !== undefined) {
    reader.reportAt(expectField.key, `${label} runs in the background, so its result is not known when it starts; check it with a later step, expect: { step: ${name}, stdout: ... }`);
    return undefined;
  }

  // Like an exec test, a foreground step without expect: must exit with 0.
  const step: Step = { kind: 'exec', command, background, location };
  if (name !== undefined) step.name = name;
  if (!background) step.expect = expect ?? { exitCode: 0, stdout: [], stderr: [] };
  return step;
}

function readWaitStep(
  reader: YamlReader,
  field: Field,
  target: StepTarget,
  scope: StepScope,
  name: string | undefined,
  location: Step['location'],
): Step | undefined {
  const fields = reader.mapping(field.value, 'wait', WAIT_KEYS);
  if (fields === undefined) return undefined;

  const kinds = WAIT_TARGETS.filter((kind) => fields.get(kind) !== undefined);
  if (kinds.length !== 1) {
    const written = kinds.length === 0 ? 'none' : kinds.join(' and ');
    reader.reportAt(field.value, `wait must name exactly one of step (with output), file, log or port; found ${written}`);
    return undefined;
  }

  const output = fields.get('output');
  if (output !== undefined && kinds[0] !== 'step') {
    reader.reportAt(output.key, `output belongs to wait: { step: NAME, output: PATTERN }; remove it from this ${kinds[0]} wait`);
    return undefined;
  }

  const timeoutField = fields.get('timeout');
  const timeoutMs = timeoutField === undefined ? target.timeoutMs : reader.duration(timeoutField.value, 'wait.timeout');
  const waitTarget = readWaitTarget(reader, fields, kinds[0]!, target, scope);
  if (timeoutMs === undefined || waitTarget === undefined) return undefined;

  const step: Step = { kind: 'wait', target: waitTarget, timeoutMs, location };
  if (name !== undefined) step.name = name;
  return step;
}

function readWaitTarget(
  reader: YamlReader,
  fields: Fields,
  kind: (typeof WAIT_TARGETS)[number],
  target: StepTarget,
  scope: StepScope,
): StepWaitTarget | undefined {
  const field = fields.get(kind)!;
  switch (kind) {
    case 'step': {
      const step = readStepReference(reader, field.value, 'wait.step', scope);
      if (step === undefined) return undefined;
      const stepKind = scope.named.get(step)!.kind;
      if (stepKind !== 'exec') {
        reader.reportAt(field.value, `wait.step "${step}" is a ${stepKind} step; wait for the output of an exec step`);
        return undefined;
      }
      const output = fields.get('output');
      if (output === undefined) {
        reader.reportAt(field.key, `wait: { step: ${step} } has no output:; add the output to wait for, such as output: "/ready/"`);
        return undefined;
      }
      const pattern = reader.pattern(output.value, 'wait.output');
      return pattern === undefined ? undefined : { kind: 'step-output', step, pattern };
    }
    case 'file': {
      const file = reader.string(field.value, 'wait.file');
      if (file === undefined) return undefined;
      if (!file.startsWith('/')) {
        reader.reportAt(field.value, `wait.file "${file}" is not an absolute path; write the path inside the container, such as /data/out.txt`);
        return undefined;
      }
      return { kind: 'file', path: file };
    }
    case 'log': {
      const pattern = reader.pattern(field.value, 'wait.log');
      return pattern === undefined ? undefined : { kind: 'log', pattern };
    }
    case 'port': {
      const port = readListedPort(reader, field.value, 'wait.port', target.imageName, target.ports);
      return port === undefined ? undefined : { kind: 'port', port };
    }
  }
}

function readHostStep(reader: YamlReader, field: Field, target: StepTarget, name: string | undefined, location: Step['location']): Step | undefined {
  const fields = reader.mapping(field.value, 'host', HOST_KEYS);
  if (fields === undefined) return undefined;

  const mountField = fields.get('mount');
  if (mountField === undefined) {
    reader.reportAt(field.value, `host has no mount:; name the mount whose host directory the step changes, such as mount: ${target.mounts[0]?.name ?? 'conf'}`);
    return undefined;
  }
  const mount = readMountReference(reader, mountField.value, target);

  const actions = HOST_ACTIONS.filter((action) => fields.get(action) !== undefined);
  if (actions.length !== 1) {
    const written = actions.length === 0 ? 'none' : actions.join(' and ');
    reader.reportAt(field.value, `host must name exactly one of write, append, remove, chmod or stat; found ${written}`);
    return undefined;
  }

  const action = readHostAction(reader, fields, actions[0]!);
  const innerName = readStepName(reader, fields);
  if (mount === undefined || action === undefined || innerName === null) return undefined;

  if (innerName !== undefined && name !== undefined) {
    reader.reportAt(fields.get('name')!.key, `host step has a name: both inside host: and beside it; keep one`);
    return undefined;
  }

  const step: Step = { kind: 'host', mount, action, location };
  const stepName = innerName ?? name;
  if (stepName !== undefined) step.name = stepName;
  return step;
}

function readMountReference(reader: YamlReader, node: Node | null, target: StepTarget): string | undefined {
  const mount = reader.string(node, 'host.mount');
  if (mount === undefined) return undefined;

  const names = target.mounts.map((candidate) => candidate.name);
  if (!names.includes(mount)) {
    const listed = names.length === 0 ? `image "${target.imageName}" has no mounts; add one under mounts:` : suggestion(mount, names, 'mounts');
    reader.reportAt(node, `unknown mount "${mount}"; ${listed}`);
    return undefined;
  }
  return mount;
}

function readHostAction(reader: YamlReader, fields: Fields, kind: (typeof HOST_ACTIONS)[number]): HostAction | undefined {
  const file = readMountPath(reader, fields.get(kind)!.value, `host.${kind}`);
  const content = fields.get('content');
  const mode = fields.get('mode');

  const takesContent = kind === 'write' || kind === 'append';
  const stray = (takesContent ? undefined : content) ?? (kind === 'chmod' ? undefined : mode);
  if (stray !== undefined) {
    reader.reportAt(stray.key, `${stray.name} has no effect on host: { ${kind}: ... }; remove it`);
    return undefined;
  }
  if (file === undefined) return undefined;

  switch (kind) {
    case 'write':
    case 'append': {
      if (content === undefined) {
        reader.reportAt(fields.get(kind)!.key, `host: { ${kind}: ${file} } has no content:; add the text to ${kind}, such as content: "level=2\\n"`);
        return undefined;
      }
      const text = reader.text(content.value, 'host.content');
      return text === undefined ? undefined : { kind, path: file, content: text };
    }
    case 'chmod': {
      if (mode === undefined) {
        reader.reportAt(fields.get(kind)!.key, `host: { chmod: ${file} } has no mode:; add the permission bits as a quoted octal string, such as mode: "0600"`);
        return undefined;
      }
      const bits = readOctalMode(reader, mode.value);
      return bits === undefined ? undefined : { kind, path: file, mode: bits };
    }
    default:
      return { kind, path: file };
  }
}

/** Reads a path relative to a mount's host directory; it may not leave the directory. */
function readMountPath(reader: YamlReader, node: Node | null, label: string): string | undefined {
  const file = reader.string(node, label);
  if (file === undefined) return undefined;

  const normalized = path.posix.normalize(file);
  if (path.posix.isAbsolute(file) || normalized === '..' || normalized.startsWith('../') || normalized === '.') {
    reader.reportAt(node, `${label} "${file}" leaves the mount's directory or names it itself; write a path relative to the mount, such as app.conf or sub/app.conf`);
    return undefined;
  }
  return normalized;
}

function readOctalMode(reader: YamlReader, node: Node | null): number | undefined {
  if (isScalar(node) && typeof node.value === 'number') {
    // YAML 1.2 reads 0600 as the decimal number 600, so an unquoted mode would be wrong.
    reader.reportAt(node, `host.mode must be a quoted octal string, such as "0600"; got ${describe(node)}, which YAML reads as a decimal number`);
    return undefined;
  }
  const text = reader.string(node, 'host.mode');
  if (text === undefined) return undefined;

  if (!OCTAL_MODE.test(text)) {
    reader.reportAt(node, `host.mode "${text}" is not permission bits in octal; write three or four octal digits, such as "0644"`);
    return undefined;
  }
  return parseInt(text, 8);
}

function readExpectStep(
  reader: YamlReader,
  field: Field,
  scope: StepScope,
  name: string | undefined,
  location: Step['location'],
): Step | undefined {
  const fields = reader.mapping(field.value, 'expect', STEP_EXPECT_KEYS);
  if (fields === undefined) return undefined;

  const stepField = fields.get('step');
  if (stepField === undefined) {
    reader.reportAt(field.value, 'expect step has no step:; name the earlier step whose result it checks, such as step: first');
    return undefined;
  }
  const step = readStepReference(reader, stepField.value, 'expect.step', scope);
  if (step === undefined) return undefined;

  const expect = readStepExpectation(reader, fields, step, scope.named.get(step)!);
  if (expect === undefined) return undefined;

  const result: Step = { kind: 'expect', step, expect, location };
  if (name !== undefined) result.name = name;
  return result;
}

/** Reads the expectations of an `expect:` step, allowing only the values its step produces. */
function readStepExpectation(reader: YamlReader, fields: Fields, stepName: string, step: NamedStep): StepExpectation | undefined {
  let allowed: string[] = [];
  if (step.kind === 'exec') allowed = ['exitCode', 'stdout', 'stderr'];
  if (step.action === 'stat') allowed = ['stdout', 'containerUid', 'containerGid'];
  if (allowed.length === 0) {
    const what = step.kind === 'host' ? `host ${step.action}` : step.kind;
    reader.reportAt(fields.get('step')!.value, `expect.step "${stepName}" is a ${what} step, which has no result to check; refer to an exec step or a host stat step`);
    return undefined;
  }

  const stray = fields.list().find((field) => field.name !== 'step' && !allowed.includes(field.name));
  if (stray !== undefined) {
    reader.reportAt(stray.key, `${stray.name} is not a result of step "${stepName}"; its results are ${allowed.join(', ')}`);
    return undefined;
  }
  if (fields.list().length === 1) {
    reader.reportAt(fields.node, `expect step checks nothing; add one of ${allowed.join(', ')}`);
    return undefined;
  }

  const expectation: StepExpectation | undefined = readExecExpectationFields(reader, fields);
  const uid = readOwnerId(reader, fields, 'containerUid');
  const gid = readOwnerId(reader, fields, 'containerGid');
  if (expectation === undefined || uid === null || gid === null) return undefined;

  if (uid !== undefined) expectation.containerUid = uid;
  if (gid !== undefined) expectation.containerGid = gid;
  return expectation;
}

/** Returns the id, undefined when not written, or null after reporting an invalid one. */
function readOwnerId(reader: YamlReader, fields: Fields, key: 'containerUid' | 'containerGid'): number | undefined | null {
  const field = fields.get(key);
  if (field === undefined) return undefined;
  return reader.integer(field.value, key, -1, 2 ** 32 - 2, 'an id from 0 to 4294967294, or -1 for a host id that the container does not map') ?? null;
}

/** Reads the name of an earlier named step; later and unknown names are reported. */
export function readStepReference(reader: YamlReader, node: Node | null, label: string, scope: StepScope): string | undefined {
  const name = reader.text(node, label);
  if (name === undefined) return undefined;
  if (scope.named.has(name)) return name;

  if (scope.written.has(name)) {
    reader.reportAt(node, `${label} "${name}" refers to a later step; steps run in order, so move this after step "${name}"`);
    return undefined;
  }
  const earlier = [...scope.named.keys()];
  const hint = earlier.length === 0 ? 'no step before this one has a name:; add name: to the step it should refer to' : suggestion(name, earlier, 'earlier steps');
  reader.reportAt(node, `${label} "${name}" is not the name of an earlier step; ${hint}`);
  return undefined;
}
