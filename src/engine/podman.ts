import { chown, mkdir } from 'node:fs/promises';
import { runCommand, type CommandResult, type RunCommandOptions } from './command.js';
import { EnvironmentError } from './runtimes.js';

/** An unprivileged account that runs rootless Podman for a run started by root. */
export interface RootlessUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  /** XDG_RUNTIME_DIR of the user: rootless Podman keeps its sockets and state there. */
  runtimeDir: string;
}

/**
 * How to invoke podman: directly, or as another user through runuser, so a root process
 * can drive rootless Podman. Every podman call of the engine goes through one of these.
 */
export interface Podman {
  file: string;
  prefix: string[];
  /** True when containers run in a user namespace without root on the host. */
  rootless: boolean;
  user?: RootlessUser;
}

/** Podman as the current user: rootful for root, rootless for anyone else. */
export function currentPodman(): Podman {
  return { file: 'podman', prefix: [], rootless: process.getuid?.() !== 0 };
}

/** Returns the file and arguments that run `podman ARGS` through this Podman. */
export function podmanCommandLine(podman: Podman, args: string[]): { file: string; args: string[] } {
  return { file: podman.file, args: [...podman.prefix, ...args] };
}

/** Runs `podman ARGS` to completion through this Podman. */
export function runPodman(podman: Podman, args: string[], options: RunCommandOptions = {}): Promise<CommandResult> {
  const line = podmanCommandLine(podman, args);
  return runCommand(line.file, line.args, options);
}

/** Parses one /etc/passwd line (as `getent passwd` prints it). */
export function parsePasswdLine(line: string): { name: string; uid: number; gid: number; home: string } | undefined {
  const fields = line.trim().split(':');
  if (fields.length < 7) {
    return undefined;
  }
  const [name, , uid, gid, , home] = fields;
  if (!name || !home || !/^\d+$/.test(uid ?? '') || !/^\d+$/.test(gid ?? '')) {
    return undefined;
  }
  return { name, uid: Number(uid), gid: Number(gid), home };
}

/**
 * Prepares rootless Podman for a run started by root: looks the user up, creates its
 * XDG_RUNTIME_DIR when no login session did, and returns a Podman that runs as that user.
 */
export async function rootlessPodman(userName: string): Promise<Podman> {
  if (process.getuid?.() !== 0) {
    throw new EnvironmentError(`--rootless ${userName} switches to that user, which needs root; run gvmatrix as root, or run it as ${userName} without --rootless`);
  }

  let entry;
  try {
    entry = parsePasswdLine((await runCommand('getent', ['passwd', userName], { timeoutMs: 10_000 })).stdout);
  } catch {
    entry = undefined;
  }
  if (!entry) {
    throw new EnvironmentError(`rootless user "${userName}" does not exist; create it with scripts/setup.sh (it adds the user "gvmatrix" with subuid and subgid ranges) or pass --rootless-user NAME`);
  }
  if (entry.uid === 0) {
    throw new EnvironmentError(`rootless user "${userName}" is root; pick an unprivileged user`);
  }

  const runtimeDir = `/run/user/${entry.uid}`;
  await mkdir(runtimeDir, { recursive: true, mode: 0o700 });
  await chown(runtimeDir, entry.uid, entry.gid);

  const user: RootlessUser = { ...entry, runtimeDir };
  return {
    file: 'runuser',
    prefix: ['-u', user.name, '--', 'env', `XDG_RUNTIME_DIR=${runtimeDir}`, `HOME=${user.home}`, 'podman'],
    rootless: true,
    user,
  };
}
