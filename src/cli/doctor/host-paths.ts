/**
 * The host files that doctor reads. Each has an environment-variable override, so a test
 * can point a check at a prepared copy instead of changing the real file.
 */
export interface HostPaths {
  /** This process's status, whose CapEff line contains the effective capabilities. */
  procStatus: string;
  /** This process's resource limits (soft and hard), as /proc/self/limits lists them. */
  procLimits: string;
  passwd: string;
  group: string;
  subuid: string;
  subgid: string;
  /** The TUN device that rootless Podman's network (slirp4netns) opens. */
  tunDevice: string;
  /** Parent of each user's XDG_RUNTIME_DIR (/run/user/UID). */
  userRuntimeRoot: string;
  /** selinuxfs's enforce file: 1 when SELinux enforces, 0 when permissive, absent without SELinux. */
  selinuxEnforce: string;
  /** Podman's storage configuration, which may name the owner of the --userns=auto ranges for root. */
  storageConf: string;
}

const DEFAULTS: HostPaths = {
  procStatus: '/proc/self/status',
  procLimits: '/proc/self/limits',
  passwd: '/etc/passwd',
  group: '/etc/group',
  subuid: '/etc/subuid',
  subgid: '/etc/subgid',
  tunDevice: '/dev/net/tun',
  userRuntimeRoot: '/run/user',
  selinuxEnforce: '/sys/fs/selinux/enforce',
  storageConf: '/etc/containers/storage.conf',
};

/** Environment variable that overrides each path. */
export const HOST_PATH_ENV: Record<keyof HostPaths, string> = {
  procStatus: 'GVMATRIX_PROC_STATUS',
  procLimits: 'GVMATRIX_PROC_LIMITS',
  passwd: 'GVMATRIX_PASSWD_FILE',
  group: 'GVMATRIX_GROUP_FILE',
  subuid: 'GVMATRIX_SUBUID_FILE',
  subgid: 'GVMATRIX_SUBGID_FILE',
  tunDevice: 'GVMATRIX_TUN_DEVICE',
  userRuntimeRoot: 'GVMATRIX_USER_RUNTIME_ROOT',
  selinuxEnforce: 'GVMATRIX_SELINUX_ENFORCE',
  storageConf: 'GVMATRIX_STORAGE_CONF',
};

/** Returns the host paths, each from its environment variable when set. */
export function hostPaths(env: NodeJS.ProcessEnv = process.env): HostPaths {
  const paths = { ...DEFAULTS };
  for (const key of Object.keys(HOST_PATH_ENV) as (keyof HostPaths)[]) {
    const override = env[HOST_PATH_ENV[key]];
    if (override) {
      paths[key] = override;
    }
  }
  return paths;
}
