import path from 'node:path';
import type { Node } from 'yaml';
import { checkName } from './names.js';
import { readRunscOptions, RUNSC_OPTION_KEYS } from './runsc-options.js';
import { suggestion } from './suggest.js';
import { readUserns } from './userns.js';
import type { RuntimeKind, RuntimeVariant, SourceLocation } from './types.js';
import type { Field, YamlReader } from './yaml-reader.js';

const RUNTIME_KEYS = ['oci', 'kind', 'baseline', 'flags', 'userns', ...RUNSC_OPTION_KEYS] as const;

const RUNTIME_KINDS: readonly RuntimeKind[] = ['runc', 'runsc'];

/** The runtimes of a matrix, with the one baseline when exactly one valid baseline exists. */
export interface RuntimeSet {
  runtimes: RuntimeVariant[];
  baseline?: RuntimeVariant;
}

/** A runtime as read, before the baseline rules are checked across all runtimes. */
interface RuntimeEntry {
  runtime: RuntimeVariant;
  /** Position of the `baseline:` value, where baseline errors point. */
  baselineNode: Node | null;
  /** False when neither `kind:` nor the name of `oci:` gave a valid kind. */
  kindKnown: boolean;
}

/**
 * Reads `runtimes:` and checks that there are at least two runtimes and exactly one
 * baseline, of kind runc.
 */
export function readRuntimes(reader: YamlReader, field: Field | undefined, rootLocation: SourceLocation): RuntimeSet {
  if (field === undefined) {
    reader.report(
      rootLocation,
      'missing runtimes:; add a runc baseline and a runsc sandbox, such as ' +
        'runtimes: { runc: { oci: runc, baseline: true }, runsc: { oci: runsc } }',
    );
    return { runtimes: [] };
  }

  const fields = reader.mapping(field.value, 'runtimes');
  if (fields === undefined) return { runtimes: [] };

  const entries = fields.list().map((runtimeField) => readRuntime(reader, runtimeField));
  const runtimes = entries.map((entry) => entry.runtime);

  if (runtimes.length < 2) {
    reader.reportAt(
      field.key,
      `runtimes must list at least 2 runtimes, a runc baseline and a runsc sandbox; found ${runtimes.length}`,
    );
  }

  return { runtimes, baseline: chooseBaseline(reader, field, entries) };
}

function readRuntime(reader: YamlReader, field: Field): RuntimeEntry {
  const name = field.name;
  checkName(reader, field.key, name, 'runtime');

  const runtime: RuntimeVariant = {
    name,
    oci: '',
    kind: 'runsc',
    baseline: false,
    flags: [],
    location: reader.locate(field.key),
  };
  const entry: RuntimeEntry = { runtime, baselineNode: null, kindKnown: false };

  const fields = reader.mapping(field.value, `runtime "${name}"`, RUNTIME_KEYS);
  if (fields === undefined) return entry;

  const oci = fields.get('oci');
  if (oci === undefined) {
    reader.reportAt(
      field.key,
      `runtime "${name}" has no oci:; set it to the runtime binary, a name on PATH such as runsc or an absolute path`,
    );
  } else {
    runtime.oci = readOci(reader, oci.value, name) ?? '';
  }

  const kind = fields.get('kind');
  const resolvedKind = kind === undefined ? kindFromOci(reader, oci?.value ?? null, runtime.oci, name) : readKind(reader, kind.value);
  if (resolvedKind !== undefined) {
    runtime.kind = resolvedKind;
    entry.kindKnown = true;
  }

  const baseline = fields.get('baseline');
  if (baseline !== undefined) {
    runtime.baseline = reader.boolean(baseline.value, 'baseline') ?? false;
    entry.baselineNode = baseline.value ?? baseline.key;
  }

  const flags = fields.get('flags');
  if (flags !== undefined) runtime.flags = readFlags(reader, flags.value) ?? [];

  readRunscOptions(reader, fields, runtime, entry.kindKnown);

  const userns = fields.get('userns');
  if (userns !== undefined) runtime.userns = readUserns(reader, userns.value);

  return entry;
}

function readOci(reader: YamlReader, node: Node | null, name: string): string | undefined {
  const oci = reader.string(node, 'oci');
  if (oci === undefined) return undefined;

  if (oci.includes('/') && !path.isAbsolute(oci)) {
    reader.reportAt(
      node,
      `oci of runtime "${name}" is the relative path "${oci}"; use an absolute path or a binary name on PATH`,
    );
    return undefined;
  }
  return oci;
}

function readKind(reader: YamlReader, node: Node | null): RuntimeKind | undefined {
  const kind = reader.string(node, 'kind');
  if (kind === undefined) return undefined;

  const known = RUNTIME_KINDS.find((candidate) => candidate === kind);
  if (known === undefined) {
    reader.reportAt(node, `unknown runtime kind "${kind}"; ${suggestion(kind, RUNTIME_KINDS, 'kinds')}`);
  }
  return known;
}

/** Derives the kind from the binary's name: `runsc-20240729` is runsc, `/usr/sbin/runc` is runc. */
function kindFromOci(reader: YamlReader, node: Node | null, oci: string, name: string): RuntimeKind | undefined {
  if (oci === '') return undefined;

  const binary = path.basename(oci);
  if (binary.startsWith('runsc')) return 'runsc';
  if (binary.startsWith('runc')) return 'runc';

  reader.reportAt(
    node,
    `cannot tell the kind of runtime "${name}" from its binary "${binary}"; add kind: runc or kind: runsc`,
  );
  return undefined;
}

function readFlags(reader: YamlReader, node: Node | null): string[] | undefined {
  const items = reader.list(node, 'flags', '["--network=host"]');
  if (items === undefined) return undefined;

  const flags: string[] = [];
  for (const item of items) {
    const flag = reader.string(item, 'each flag');
    if (flag === undefined) continue;

    if (!flag.startsWith('--')) {
      const dashed = `--${flag.replace(/^-+/, '')}`;
      reader.reportAt(item, `flag "${flag}" must start with "--"; write "${dashed}"`);
      continue;
    }
    flags.push(flag);
  }
  return flags;
}

/** Returns the single baseline runtime, reporting none, several, or one that is not runc. */
function chooseBaseline(reader: YamlReader, runtimesField: Field, entries: RuntimeEntry[]): RuntimeVariant | undefined {
  const baselines = entries.filter((entry) => entry.runtime.baseline);

  if (baselines.length === 0) {
    const runcNames = entries.filter((entry) => entry.kindKnown && entry.runtime.kind === 'runc').map((entry) => entry.runtime.name);
    const candidate = runcNames.length > 0 ? `runtime "${runcNames[0]}"` : 'a runc runtime';
    reader.reportAt(runtimesField.key, `no runtime has baseline: true; add baseline: true to ${candidate}`);
    return undefined;
  }

  if (baselines.length > 1) {
    const names = joinNames(baselines.map((entry) => entry.runtime.name));
    reader.reportAt(
      baselines[1]!.baselineNode,
      `runtimes ${names} have baseline: true; keep baseline: true on one runc runtime only`,
    );
    return undefined;
  }

  const baseline = baselines[0]!;
  if (baseline.kindKnown && baseline.runtime.kind !== 'runc') {
    reader.reportAt(
      baseline.baselineNode,
      `baseline runtime "${baseline.runtime.name}" is of kind ${baseline.runtime.kind}; ` +
        'the baseline must be a runc runtime, so move baseline: true to one',
    );
    return undefined;
  }
  return baseline.runtime;
}

/** Joins quoted names as English prose: `"a" and "b"`, `"a", "b" and "c"`. */
function joinNames(names: string[]): string {
  const quoted = names.map((name) => `"${name}"`);
  if (quoted.length < 2) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}`;
}
