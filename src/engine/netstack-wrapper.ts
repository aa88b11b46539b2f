import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RuntimeInfo } from '../report/types.js';

/** Quotes a value for a POSIX shell. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Returns the script that runs `binary` with all its arguments in a private mount
 * namespace where /proc/sys/net is an empty read-only tmpfs.
 *
 * runsc builds before 2024-07-31 refuse netstack when /proc/sys/net/core/rmem_default
 * exists, which they take as the sign of the root network namespace; Linux 6.x has the
 * file in every namespace. With the file hidden, runsc starts netstack. The namespace's
 * slave propagation lets mounts made on the host later (container volumes) reach runsc,
 * and keeps the tmpfs out of the host's mount table.
 */
export function netstackWrapperScript(runtimeName: string, binary: string): string {
  const mountThenExec = 'mount -t tmpfs -o ro,nosuid,nodev,noexec,size=4k gvmatrix-hidden /proc/sys/net && exec "$0" "$@"';
  return [
    '#!/bin/sh',
    `# Written by gvmatrix for runtime "${runtimeName}" (netstack: hide-proc-sys-net).`,
    '# Runs runsc with /proc/sys/net hidden, so that builds before 2024-07-31 start netstack on Linux 6.x.',
    `exec unshare --mount --propagation slave -- /bin/sh -c ${shellQuote(mountThenExec)} ${shellQuote(binary)} "$@"`,
    '',
  ].join('\n');
}

/**
 * Returns the binary podman should run for this runtime. For `netstack: hide-proc-sys-net`
 * that is a wrapper script written to DIR/NAME/runsc; any other runtime runs its own binary.
 * The wrapper keeps the file name runsc because podman names the OCI runtime after the
 * file and looks that name up in containers.conf, for example in runtime_supports_json.
 * NOTE: `dir` must be on a file system mounted without noexec, or podman cannot run the wrapper.
 */
export async function runtimeBinaryForPodman(runtime: RuntimeInfo, dir: string): Promise<string> {
  if (runtime.netstack !== 'hide-proc-sys-net') {
    return runtime.path;
  }
  const folder = join(dir, runtime.name);
  await mkdir(folder, { recursive: true });
  const wrapper = join(folder, 'runsc');
  await writeFile(wrapper, netstackWrapperScript(runtime.name, runtime.path));
  await chmod(wrapper, 0o755);
  return wrapper;
}
