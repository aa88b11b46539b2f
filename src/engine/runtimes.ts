import { access, constants } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import type { RuntimeVariant } from '../matrix/types.js';
import type { RuntimeInfo } from '../report/types.js';
import { CommandError, runCommand } from './command.js';

/**
 * The environment cannot run the matrix (missing runtime, engine down): exit status 3.
 * The message is the problem followed by the fix; `gvmatrix doctor` shows them apart.
 */
export class EnvironmentError extends Error {
  constructor(
    readonly problem: string,
    readonly fix?: string,
  ) {
    super(fix === undefined ? problem : `${problem}\n${fix}`);
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

/**
 * Locates a runtime's binary, reads its version and checks that it accepts the matrix's
 * flags. Throws EnvironmentError with the fix.
 */
export async function probeRuntime(variant: RuntimeVariant): Promise<RuntimeInfo> {
  const path = await resolveExecutable(variant.oci);
  if (!path) {
    const fix =
      variant.kind === 'runsc'
        ? 'Install it (`apt-get install runsc`) or set `oci:` to the absolute path of a runsc binary.'
        : 'Install it (`apt-get install runc`) or set `oci:` to the absolute path of a runc binary.';
    throw new EnvironmentError(`runtime "${variant.name}": ${variant.oci} was not found${isAbsolute(variant.oci) ? '' : ' on PATH'}`, fix);
  }

  const flags = variant.flags.map(normalizeFlag);
  const version = await readVersion(variant, path);
  if (flags.length > 0) {
    await checkFlagsAccepted(variant, path, flags);
  }

  const info: RuntimeInfo = { name: variant.name, kind: variant.kind, baseline: variant.baseline, path, version, flags };
  if (variant.netstack !== undefined) {
    info.netstack = variant.netstack;
  }
  return info;
}

async function readVersion(variant: RuntimeVariant, path: string): Promise<string> {
  try {
    const { stdout } = await runCommand(path, ['--version'], { timeoutMs: 15_000 });
    return stdout.split('\n')[0]?.trim() ?? '';
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    throw new EnvironmentError(
      `runtime "${variant.name}" at ${path} does not run: ${error.message}`,
      `Check that ${path} is a working ${variant.kind} binary for this machine, or point oci: at one.`,
    );
  }
}

/**
 * Runs `BINARY FLAGS... --version`. runc and runsc parse their global flags before they act,
 * so an unknown flag or an invalid value fails here, where it would otherwise pass the API
 * service start and fail every container.
 */
async function checkFlagsAccepted(variant: RuntimeVariant, path: string, flags: string[]): Promise<void> {
  try {
    await runCommand(path, [...flags, '--version'], { timeoutMs: 15_000 });
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    const listing = variant.kind === 'runsc' ? `\`${path} flags\`` : `\`${path} --help\``;
    throw new EnvironmentError(
      `runtime "${variant.name}": ${path} rejects the flags ${flags.join(' ')}: ${flagErrorLine(error.stderr, error.stdout)}`,
      `Fix flags:, platform: or network: of runtime "${variant.name}" in the matrix; ${listing} lists the valid flags.`,
    );
  }
}

/** Returns the line of a runtime's output that names the rejected flag. */
export function flagErrorLine(stderr: string, stdout: string): string {
  const lines = `${stderr}\n${stdout}`.split('\n').map((line) => line.trim()).filter(Boolean);
  const named = lines.find((line) => /flag provided but not defined|invalid value|invalid argument/i.test(line));
  return (named ?? lines[0] ?? 'no output').replace(/^time="[^"]*" level=\w+ msg="(.*)"$/, '$1');
}
