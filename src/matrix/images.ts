import path from 'node:path';
import { isSeq, type Node } from 'yaml';
import { mergeResources, readRunSettings, RUN_SETTING_KEYS } from './defaults.js';
import type { LoadContext } from './load-context.js';
import { readTests } from './matrix-tests.js';
import { readMounts } from './mounts.js';
import { checkBuiltImageName, checkName } from './names.js';
import { readPorts } from './ports.js';
import type { ImageSpec, MatrixDefaults, SourceLocation } from './types.js';
import { readUserns } from './userns.js';
import { readWait } from './wait.js';
import type { Field, Fields, YamlReader } from './yaml-reader.js';

const IMAGE_KEYS = ['build', 'image', 'ports', 'env', 'command', 'mounts', 'userns', 'wait', ...RUN_SETTING_KEYS, 'tests', 'suites'] as const;

/** Returns the reference under which gvmatrix builds and runs a locally built image. */
export function builtImageRef(imageName: string): string {
  return `localhost/gvmatrix/${imageName}:latest`;
}

/** An image as read, with the names of all its tests for checking `known:` entries. */
export interface ImageEntry {
  spec: ImageSpec;
  /** Every test name written, including tests with errors. */
  testNames: Set<string>;
  /** Position of each suite file's entry, for errors about suites shared between images. */
  suiteLocations: Map<string, SourceLocation>;
}

/** Reads `images:`; each suite file may belong to one image only. */
export function readImages(
  context: LoadContext,
  field: Field | undefined,
  defaults: MatrixDefaults,
  rootLocation: SourceLocation,
): ImageEntry[] {
  const { reader } = context;
  if (field === undefined) {
    reader.report(rootLocation, 'missing images:; add at least one image, such as images: { nginx: { build: images/nginx, ports: [80] } }');
    return [];
  }

  const fields = reader.mapping(field.value, 'images');
  if (fields === undefined) return [];

  const entries = fields.list().map((imageField) => readImage(context, imageField, defaults));
  if (entries.length === 0) {
    reader.reportAt(field.key, 'images must list at least one image; add one, such as nginx: { build: images/nginx, ports: [80] }');
  }

  checkSuitesHaveOneImage(reader, entries);
  return entries;
}

function readImage(context: LoadContext, field: Field, defaults: MatrixDefaults): ImageEntry {
  const { reader } = context;
  const name = field.name;
  checkName(reader, field.key, name, 'image');

  const spec: ImageSpec = {
    name,
    ref: '',
    ports: [],
    env: {},
    mounts: [],
    wait: { kind: 'none' },
    tests: [],
    suites: [],
    startupTimeoutMs: defaults.startupTimeoutMs,
    timeoutMs: defaults.timeoutMs,
    retries: defaults.retries,
    resources: { ...defaults.resources },
    builtinNormalizers: defaults.builtinNormalizers,
    normalize: [...defaults.normalize],
    slowRatio: defaults.slowRatio,
    location: reader.locate(field.key),
  };
  const entry: ImageEntry = { spec, testNames: new Set(), suiteLocations: new Map() };

  const fields = reader.mapping(field.value, `image "${name}"`, IMAGE_KEYS);
  if (fields === undefined) return entry;

  readSource(context, field, fields, spec);

  const ports = fields.get('ports');
  const env = fields.get('env');
  const command = fields.get('command');
  if (ports !== undefined) spec.ports = readPorts(reader, ports.value);
  if (env !== undefined) spec.env = readEnv(reader, env.value);
  if (command !== undefined) spec.command = reader.textList(command.value, 'command', '[nginx, -g, "daemon off;"]');

  const mounts = fields.get('mounts');
  const userns = fields.get('userns');
  if (mounts !== undefined) spec.mounts = readMounts(context, mounts.value, name);
  if (userns !== undefined) spec.userns = readUserns(reader, userns.value);

  spec.wait = readWait(reader, fields.get('wait'), { imageName: name, ports: spec.ports });

  const settings = readRunSettings(reader, fields);
  spec.timeoutMs = settings.timeoutMs ?? defaults.timeoutMs;
  spec.startupTimeoutMs = settings.startupTimeoutMs ?? defaults.startupTimeoutMs;
  spec.retries = settings.retries ?? defaults.retries;
  spec.resources = mergeResources(defaults.resources, settings.resources);
  spec.builtinNormalizers = settings.builtinNormalizers ?? defaults.builtinNormalizers;
  spec.normalize = [...defaults.normalize, ...(settings.normalize ?? [])];
  spec.slowRatio = settings.slowRatio ?? defaults.slowRatio;

  const suites = fields.get('suites');
  if (suites !== undefined) {
    entry.suiteLocations = readSuites(context, suites.value);
    spec.suites = [...entry.suiteLocations.keys()];
  }

  const tests = fields.get('tests');
  if (tests !== undefined) {
    const list = readTests(reader, tests.value, {
      imageName: name,
      ports: spec.ports,
      mounts: spec.mounts,
      timeoutMs: spec.timeoutMs,
      retries: spec.retries,
      slowRatio: spec.slowRatio,
      builtinNormalizers: spec.builtinNormalizers,
      normalize: spec.normalize,
    });
    spec.tests = list.tests;
    entry.testNames = list.names;
  }

  if (isAbsentOrEmptyList(tests) && isAbsentOrEmptyList(suites)) {
    reader.reportAt(
      tests?.key ?? field.key,
      `image "${name}" has no tests; add tests: with http:, exec: or steps: checks, or suites: with Playwright spec files`,
    );
  }

  return entry;
}

/** Returns whether a list field is missing or `[]`; a value of another type is reported where it is read. */
function isAbsentOrEmptyList(field: Field | undefined): boolean {
  return field === undefined || (isSeq(field.value) && field.value.items.length === 0);
}

/** Reads `build:` or `image:`, exactly one of which an image must have, and sets `build` and `ref`. */
function readSource(context: LoadContext, imageField: Field, fields: Fields, spec: ImageSpec): void {
  const { reader } = context;
  const build = fields.get('build');
  const image = fields.get('image');

  if (build === undefined && image === undefined) {
    reader.reportAt(
      imageField.key,
      `image "${spec.name}" has neither build: nor image:; add build: with a folder that contains a Containerfile, ` +
        'or image: with a registry reference',
    );
    return;
  }

  if (build !== undefined && image !== undefined) {
    const second = reader.locate(build.key).line > reader.locate(image.key).line ? build : image;
    reader.reportAt(
      second.key,
      `image "${spec.name}" has both build: and image:; keep build: to build it from a Containerfile, or image: to run a registry image`,
    );
    return;
  }

  if (build !== undefined) {
    checkBuiltImageName(reader, imageField.key, spec.name);
    const folder = reader.string(build.value, 'build');
    if (folder === undefined) return;

    spec.build = path.resolve(context.dir, folder);
    spec.ref = builtImageRef(spec.name);
    context.fileReferences.push({ kind: 'build', path: spec.build, location: reader.locateValue(build) });
    return;
  }

  const ref = reader.string(image!.value, 'image');
  if (ref === undefined) return;

  if (/\s/.test(ref)) {
    reader.reportAt(image!.value, `image "${ref}" is not an image reference; write one without spaces, such as docker.io/library/nginx:1.27`);
    return;
  }
  spec.ref = ref;
}

function readEnv(reader: YamlReader, node: Node | null): Record<string, string> {
  const fields = reader.mapping(node, 'env');
  if (fields === undefined) return {};

  const env: Record<string, string> = {};
  for (const field of fields.list()) {
    if (field.name.includes('=')) {
      reader.reportAt(field.key, `environment variable name "${field.name}" contains "="; write it as NAME: value`);
      continue;
    }

    const value = reader.text(field.value, `env ${field.name}`);
    if (value !== undefined) env[field.name] = value;
  }
  return env;
}

/**
 * Reads `suites:` and resolves each file against the matrix file's folder. Returns the
 * absolute paths, in the order written, with the position of each.
 */
function readSuites(context: LoadContext, node: Node | null): Map<string, SourceLocation> {
  const { reader } = context;
  const suites = new Map<string, SourceLocation>();
  const items = reader.list(node, 'suites', '[suites/nginx.spec.ts]');
  if (items === undefined) return suites;

  for (const item of items) {
    const file = reader.string(item, 'each suite');
    if (file === undefined) continue;

    const absolute = path.resolve(context.dir, file);
    if (suites.has(absolute)) {
      reader.reportAt(item, `suite file ${file} is listed twice; remove one`);
      continue;
    }

    const location = reader.locate(item);
    suites.set(absolute, location);
    context.fileReferences.push({ kind: 'suite', path: absolute, location });
  }
  return suites;
}

/**
 * Reports a suite file listed by more than one image, because the driver runs each suite
 * file against exactly one image.
 */
function checkSuitesHaveOneImage(reader: YamlReader, entries: ImageEntry[]): void {
  const ownerBySuite = new Map<string, string>();

  for (const { spec, suiteLocations } of entries) {
    for (const [suite, location] of suiteLocations) {
      const owner = ownerBySuite.get(suite);
      if (owner === undefined) {
        ownerBySuite.set(suite, spec.name);
        continue;
      }

      reader.report(
        location,
        `suite file ${suite} is listed by images "${owner}" and "${spec.name}"; ` +
          'a suite file runs against one image, so list it under one of them only',
      );
    }
  }
}
