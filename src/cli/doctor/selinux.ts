import { readFile } from 'node:fs/promises';
import { execa } from 'execa';
import type { DoctorCheck } from './check.js';
import type { HostPaths } from './host-paths.js';

/** SELinux's state on the host: `absent` when the kernel exposes no selinuxfs and no getenforce exists. */
export type SelinuxMode = 'absent' | 'disabled' | 'permissive' | 'enforcing';

export interface SelinuxState {
  mode: SelinuxMode;
  /** The source of the mode: the enforce file's path or `getenforce`. */
  source: string;
}

/** The two places doctor reads SELinux's mode from; tests pass their own. */
export interface SelinuxReader {
  /** Path of selinuxfs's enforce file, for messages. */
  enforceFile: string;
  /** Returns the enforce file's content, or undefined when it does not exist. */
  readEnforceFile(): Promise<string | undefined>;
  /** Returns what `getenforce` prints, or undefined when the command is not installed. */
  runGetenforce(): Promise<string | undefined>;
}

/** Returns a reader of this host's enforce file (GVMATRIX_SELINUX_ENFORCE overrides its path) and getenforce. */
export function hostSelinuxReader(paths: HostPaths): SelinuxReader {
  return {
    enforceFile: paths.selinuxEnforce,
    readEnforceFile: () => readFile(paths.selinuxEnforce, 'utf8').catch(() => undefined),
    runGetenforce: async () => {
      const result = await execa('getenforce', [], { reject: false, timeout: 10_000 });
      return result.code === 'ENOENT' ? undefined : result.stdout;
    },
  };
}

/**
 * Reads the SELinux mode: from the enforce file (1 enforcing, 0 permissive) when selinuxfs
 * is mounted, else from getenforce, else `absent`.
 */
export async function readSelinuxState(reader: SelinuxReader): Promise<SelinuxState> {
  const enforce = (await reader.readEnforceFile())?.trim();
  if (enforce === '1') return { mode: 'enforcing', source: reader.enforceFile };
  if (enforce === '0') return { mode: 'permissive', source: reader.enforceFile };

  const output = (await reader.runGetenforce())?.trim().toLowerCase();
  if (output === 'enforcing' || output === 'permissive' || output === 'disabled') {
    return { mode: output, source: 'getenforce' };
  }
  return { mode: 'absent', source: `no ${reader.enforceFile} and no getenforce command` };
}

/**
 * Returns the SELinux check. Podman gives every container an SELinux process label
 * whenever SELinux is enabled, in permissive mode too, and runsc rejects a spec that
 * carries one: its spec validation returns "SELinux is not supported: LABEL" (present in
 * runsc 20221219 and 20240729). `runscRuntimes` lists the matrix's runsc runtimes, or is
 * undefined without a matrix.
 * NOTE: the rejection is read from gVisor's source and the message's presence in both
 * binaries; the build machines have no SELinux, so it was never reproduced there.
 */
export function selinuxCheck(state: SelinuxState, runscRuntimes: string[] | undefined): DoctorCheck {
  const name = 'SELinux';
  if (state.mode === 'absent') {
    return { name, status: 'ok', detail: `absent (${state.source}): Podman sets no labels, and :z or :Z on a mount relabels nothing` };
  }
  if (state.mode === 'disabled') {
    return { name, status: 'ok', detail: `disabled (getenforce): Podman sets no labels, and :z or :Z on a mount relabels nothing` };
  }

  let affected: string | undefined = 'runsc';
  if (runscRuntimes !== undefined) {
    affected = runscRuntimes.length > 0 ? `runsc (runtimes ${runscRuntimes.join(', ')})` : undefined;
  }
  const seen = `${state.mode} (${state.source})`;
  if (affected === undefined) {
    return { name, status: 'ok', detail: `${seen}; the matrix has no runsc runtime, and runc applies Podman's labels` };
  }
  return {
    name,
    status: 'warn',
    detail:
      `${seen}: Podman gives each container an SELinux label (container_t with its own MCS categories), and ${affected} does not apply it: ` +
      'runsc rejects such a container at create with "SELinux is not supported: LABEL".\n' +
      'With labels turned off, runsc starts, but its sandbox and gofer keep the SELinux context of the process that started runsc (conmon\'s), ' +
      'and Podman relabels nothing for :z or :Z, because it relabels a mount only with a container label. ' +
      'Host files in bind mounts are then reachable as far as that context allows, and :Z no longer keeps one container from another\'s files; ' +
      'gVisor\'s sandbox is the isolation left.',
    fix:
      'turn labels off for the gvmatrix runs: `label = false` under [containers] in /etc/containers/containers.conf.d/50-gvmatrix.conf ' +
      '(or `--security-opt label=disable` per container), which applies to runc too, so the baseline stays comparable; ' +
      'drop :z and :Z from mounts meant for runsc and give the mounted host folders only the permissions the application needs',
  };
}

/** Reads the SELinux state of this host and returns its check. */
export async function checkSelinux(reader: SelinuxReader, runscRuntimes: string[] | undefined): Promise<DoctorCheck> {
  return selinuxCheck(await readSelinuxState(reader), runscRuntimes);
}
