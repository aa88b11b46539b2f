import type { Node } from 'yaml';
import { suggestion } from './suggest.js';
import type { NetstackWorkaround, RunscNetwork, RunscPlatform, RuntimeVariant } from './types.js';
import type { Field, Fields, YamlReader } from './yaml-reader.js';

/** Keys of a runtime that only runsc understands. */
export const RUNSC_OPTION_KEYS = ['platform', 'network', 'netstack'] as const;

const PLATFORMS: readonly RunscPlatform[] = ['ptrace', 'systrap', 'kvm'];

const NETWORKS: readonly RunscNetwork[] = ['sandbox', 'host', 'none'];

const NETSTACK_WORKAROUNDS: readonly NetstackWorkaround[] = ['hide-proc-sys-net'];

/**
 * Reads `platform:`, `network:` and `netstack:` of one runtime. `platform:` and `network:`
 * become `--platform=P` and `--network=N` at the end of the runtime's flags. Each key is
 * an error on a runc runtime, and on a runtime whose `flags:` sets the same runsc flag.
 */
export function readRunscOptions(reader: YamlReader, fields: Fields, runtime: RuntimeVariant, kindKnown: boolean): void {
  const present = RUNSC_OPTION_KEYS.map((key) => fields.get(key)).filter((field): field is Field => field !== undefined);
  if (present.length === 0) return;

  if (kindKnown && runtime.kind === 'runc') {
    for (const field of present) {
      reader.reportAt(
        field.key,
        `${field.name}: applies to runsc only, but runtime "${runtime.name}" is of kind runc; ` +
          'remove it, or set oci: to a runsc binary',
      );
    }
    return;
  }

  const platform = fields.get('platform');
  if (platform !== undefined) {
    runtime.platform = readChoice(reader, platform.value, 'platform', PLATFORMS);
    addFlag(reader, runtime, platform, '--platform', runtime.platform);
  }

  const network = fields.get('network');
  if (network !== undefined) {
    runtime.network = readChoice(reader, network.value, 'network', NETWORKS);
    addFlag(reader, runtime, network, '--network', runtime.network);
  }

  const netstack = fields.get('netstack');
  if (netstack !== undefined) {
    runtime.netstack = readChoice(reader, netstack.value, 'netstack', NETSTACK_WORKAROUNDS);
    checkNetstackNeeded(reader, runtime, netstack);
  }
}

/** Returns the name part of a flag: `--network` for `--network=host`. */
export function flagName(flag: string): string {
  const equals = flag.indexOf('=');
  return equals === -1 ? flag : flag.slice(0, equals);
}

/** Returns the value of the last flag with this name in `flags`, if any. */
export function flagValue(flags: readonly string[], name: string): string | undefined {
  const flag = [...flags].reverse().find((candidate) => flagName(candidate) === name);
  if (flag === undefined) return undefined;
  const equals = flag.indexOf('=');
  return equals === -1 ? '' : flag.slice(equals + 1);
}

function readChoice<T extends string>(reader: YamlReader, node: Node | null, label: string, choices: readonly T[]): T | undefined {
  const value = reader.string(node, label);
  if (value === undefined) return undefined;

  const known = choices.find((choice) => choice === value);
  if (known === undefined) {
    reader.reportAt(node, `unknown ${label} "${value}"; ${suggestion(value, choices, 'values')}`);
  }
  return known;
}

/** Appends `--NAME=VALUE` unless `flags:` already sets that runsc flag, which is reported. */
function addFlag(reader: YamlReader, runtime: RuntimeVariant, field: Field, name: string, value: string | undefined): void {
  const conflicting = runtime.flags.find((flag) => flagName(flag) === name);
  if (conflicting !== undefined) {
    reader.reportAt(
      field.key,
      `${field.name}: and flags: both set ${name} for runtime "${runtime.name}" ` +
        `(${field.name}: ${value ?? '?'} and "${conflicting}"); keep one of them`,
    );
    return;
  }
  if (value !== undefined) runtime.flags.push(`${name}=${value}`);
}

/** Reports `netstack:` on a runtime whose network mode does not start netstack at all. */
function checkNetstackNeeded(reader: YamlReader, runtime: RuntimeVariant, field: Field): void {
  const network = flagValue(runtime.flags, '--network');
  if (network === 'host' || network === 'none') {
    reader.reportAt(
      field.key,
      `netstack: has no effect on runtime "${runtime.name}", because --network=${network} does not start gVisor's netstack; ` +
        'remove netstack:, or use network: sandbox',
    );
  }
}
