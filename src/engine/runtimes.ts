import { access, constants } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import type { RuntimeVariant } from '../matrix/types.js';
import type { RuntimeInfo } from '../report/types.js';
import { runCommand } from './command.js';

/** The environment cannot run the matrix (missing runtime, engine down): exit status 3. */
export class EnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentError';
  }
}

/** Finds an executable: an absolute path as is, a bare name on PATH. */
export async function resolveExecutable(name: string, pathVariable = process.env.PATH ?? ''): Promise<string | undefined> {
  const candidates = isAbsolute(name) ? [name] : pathVariable.split(delimiter).filter(Boolean).map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here or not executable: try the next folder.
    }
  }
  return undefined;
}

/** Returns the flag as runsc and runc spell it on the command line (`--network=host`). */
export function normalizeFlag(flag: string): string {
  return flag.startsWith('-') ? flag : `--${flag}`;
}

/** Returns the form `podman --runtime-flag` expects: the flag without its leading dashes. */
export function podmanRuntimeFlag(flag: string): string {
  return flag.replace(/^-+/, '');
}

/** Locates a runtime's binary and reads its version; throws EnvironmentError with the fix. */
export async function probeRuntime(variant: RuntimeVariant): Promise<RuntimeInfo> {
  const path = await resolveExecutable(variant.oci);
  if (!path) {
    const fix =
      variant.kind === 'runsc'
        ? 'install it (`apt-get install runsc`) or set `oci:` to the absolute path of a runsc binary'
        : 'install it (`apt-get install runc`) or set `oci:` to the absolute path of a runc binary';
    throw new EnvironmentError(`runtime "${variant.name}": ${variant.oci} was not found${isAbsolute(variant.oci) ? '' : ' on PATH'}; ${fix}`);
  }

  const { stdout } = await runCommand(path, ['--version'], {
    timeoutMs: 15_000,
    hint: `runtime "${variant.name}" at ${path} does not run; check that it is a working ${variant.kind} binary for this machine`,
  });
  const version = stdout.split('\n')[0]?.trim() ?? '';

  return {
    name: variant.name,
    kind: variant.kind,
    baseline: variant.baseline,
    path,
    version,
    flags: variant.flags.map(normalizeFlag),
  };
}
