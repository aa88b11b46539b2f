import type { Node } from 'yaml';
import { readNormalizeRules } from './normalize-rules.js';
import type { MatrixDefaults, NormalizeRule, ResourceLimits } from './types.js';
import type { Field, Fields, YamlReader } from './yaml-reader.js';

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_STARTUP_TIMEOUT_MS = 120_000;
export const DEFAULT_RETRIES = 0;
/**
 * A sandbox check that takes more than this many times as long as the same check under
 * the baseline is marked `slow`. An estimate, not a measured limit: set `slowRatio:` from
 * the ratios a run reports for your own images.
 */
export const DEFAULT_SLOW_RATIO = 3;

/** Settings that `defaults:` sets for every image and an image may override. */
export interface RunSettings {
  timeoutMs?: number;
  startupTimeoutMs?: number;
  retries?: number;
  resources: ResourceLimits;
  builtinNormalizers?: boolean;
  /** `normalize:` rules as written at this level; an image adds its own after those of `defaults:`. */
  normalize?: NormalizeRule[];
  slowRatio?: number;
}

export const RUN_SETTING_KEYS = ['timeout', 'startupTimeout', 'retries', 'resources', 'builtinNormalizers', 'normalize', 'slowRatio'] as const;

const RESOURCE_KEYS = ['memory', 'cpus'] as const;

/** Reads `defaults:` and fills in the built-in values for what it leaves out. */
export function readDefaults(reader: YamlReader, field: Field | undefined): MatrixDefaults {
  const builtIn: MatrixDefaults = {
    timeoutMs: DEFAULT_TIMEOUT_MS,
    startupTimeoutMs: DEFAULT_STARTUP_TIMEOUT_MS,
    retries: DEFAULT_RETRIES,
    resources: {},
    builtinNormalizers: true,
    normalize: [],
    slowRatio: DEFAULT_SLOW_RATIO,
  };
  if (field === undefined) return builtIn;

  const fields = reader.mapping(field.value, 'defaults', RUN_SETTING_KEYS);
  if (fields === undefined) return builtIn;

  const settings = readRunSettings(reader, fields);
  return {
    timeoutMs: settings.timeoutMs ?? builtIn.timeoutMs,
    startupTimeoutMs: settings.startupTimeoutMs ?? builtIn.startupTimeoutMs,
    retries: settings.retries ?? builtIn.retries,
    resources: settings.resources,
    builtinNormalizers: settings.builtinNormalizers ?? builtIn.builtinNormalizers,
    normalize: settings.normalize ?? builtIn.normalize,
    slowRatio: settings.slowRatio ?? builtIn.slowRatio,
  };
}

/**
 * Reads timeout, startupTimeout, retries, resources, builtinNormalizers, normalize and
 * slowRatio from a mapping; absent ones stay unset.
 */
export function readRunSettings(reader: YamlReader, fields: Fields): RunSettings {
  const timeout = fields.get('timeout');
  const startupTimeout = fields.get('startupTimeout');
  const retries = fields.get('retries');
  const resources = fields.get('resources');
  const builtinNormalizers = fields.get('builtinNormalizers');
  const normalize = fields.get('normalize');
  const slowRatio = fields.get('slowRatio');

  return {
    timeoutMs: timeout === undefined ? undefined : reader.duration(timeout.value, 'timeout'),
    startupTimeoutMs: startupTimeout === undefined ? undefined : reader.duration(startupTimeout.value, 'startupTimeout'),
    retries: retries === undefined ? undefined : readRetries(reader, retries.value),
    resources: resources === undefined ? {} : readResources(reader, resources.value),
    builtinNormalizers: builtinNormalizers === undefined ? undefined : reader.boolean(builtinNormalizers.value, 'builtinNormalizers'),
    normalize: normalize === undefined ? undefined : readNormalizeRules(reader, normalize.value),
    slowRatio: slowRatio === undefined ? undefined : readSlowRatio(reader, slowRatio.value),
  };
}

/** Reads `slowRatio:`, a number greater than 1: a ratio of 1 or less would mark a sandbox as slow for being as fast as the baseline. */
export function readSlowRatio(reader: YamlReader, node: Node | null): number | undefined {
  const ratio = reader.positiveNumber(node, 'slowRatio', 'a number greater than 1, such as 2 or 3.5 (sandbox duration / baseline duration)');
  if (ratio === undefined) return undefined;

  if (ratio <= 1) {
    reader.reportAt(node, `slowRatio must be a number greater than 1, such as 2 or 3.5 (sandbox duration / baseline duration); got ${ratio}`);
    return undefined;
  }
  return ratio;
}

export function readRetries(reader: YamlReader, node: Node | null): number | undefined {
  return reader.integer(node, 'retries', 0, Number.MAX_SAFE_INTEGER, 'a whole number of 0 or more');
}

function readResources(reader: YamlReader, node: Node | null): ResourceLimits {
  const fields = reader.mapping(node, 'resources', RESOURCE_KEYS);
  if (fields === undefined) return {};

  const limits: ResourceLimits = {};
  const memory = fields.get('memory');
  const cpus = fields.get('cpus');

  if (memory !== undefined) limits.memoryBytes = reader.byteSize(memory.value, 'memory');
  if (cpus !== undefined) {
    limits.cpus = reader.positiveNumber(cpus.value, 'cpus', 'a number of CPU cores greater than 0, such as 1 or 0.5');
  }

  return withoutUndefined(limits);
}

/** Merges an image's resource limits over the defaults, field by field. */
export function mergeResources(defaults: ResourceLimits, image: ResourceLimits): ResourceLimits {
  return withoutUndefined({
    memoryBytes: image.memoryBytes ?? defaults.memoryBytes,
    cpus: image.cpus ?? defaults.cpus,
  });
}

function withoutUndefined(limits: ResourceLimits): ResourceLimits {
  const result: ResourceLimits = {};
  if (limits.memoryBytes !== undefined) result.memoryBytes = limits.memoryBytes;
  if (limits.cpus !== undefined) result.cpus = limits.cpus;
  return result;
}
