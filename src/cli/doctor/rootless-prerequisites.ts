import { readFile, stat } from 'node:fs/promises';
import { parsePasswdLine } from '../../engine/podman.js';
import type { CheckStatus, DoctorCheck } from './check.js';
import type { HostPaths } from './host-paths.js';

/**
 * Subordinate ids that rootless Podman needs for one user. Image files are owned by ids
 * up to 65535, and each must map to a subordinate id of the user.
 */
export const MIN_SUBORDINATE_IDS = 65536;

/** One line of /etc/subuid or /etc/subgid: `owner:start:count`, the owner a name or a uid. */
export interface SubordinateRange {
  owner: string;
  start: number;
  count: number;
}

export interface UserAccount {
  name: string;
  uid: number;
  gid: number;
}

export function parseSubordinateRanges(text: string): SubordinateRange[] {
  const ranges: SubordinateRange[] = [];
  for (const line of text.split('\n')) {
    const match = /^([^:#\s][^:]*):(\d+):(\d+)\s*$/.exec(line.trim());
    if (match) ranges.push({ owner: match[1]!, start: Number(match[2]), count: Number(match[3]) });
  }
  return ranges;
}

/** Returns how many subordinate ids the ranges give the user, whether listed by name or by uid. */
export function subordinateIdCount(ranges: SubordinateRange[], user: UserAccount): number {
  return ranges
    .filter((range) => range.owner === user.name || range.owner === String(user.uid))
    .reduce((total, range) => total + range.count, 0);
}

/** Returns the first id above every listed range, rounded up to a multiple of 65536: a free start for a new range. */
export function nextFreeSubordinateStart(ranges: SubordinateRange[]): number {
  const end = ranges.reduce((highest, range) => Math.max(highest, range.start + range.count), 100_000);
  return Math.ceil(end / MIN_SUBORDINATE_IDS) * MIN_SUBORDINATE_IDS;
}

/** Returns the ids of the groups that list the user as a member in /etc/group text, plus its primary group. */
export function groupIdsOf(groupText: string, user: UserAccount): number[] {
  const ids = new Set([user.gid]);
  for (const line of groupText.split('\n')) {
    const [, , gid, members] = line.trim().split(':');
    if (gid !== undefined && /^\d+$/.test(gid) && (members ?? '').split(',').includes(user.name)) {
      ids.add(Number(gid));
    }
  }
  return [...ids];
}

/**
 * Returns whether file permissions let a non-root user read and write, as the kernel
 * decides: the owner bits for the owner, else the group bits for a member, else the others bits.
 */
export function grantsReadWrite(mode: number, fileUid: number, fileGid: number, uid: number, groupIds: number[]): boolean {
  let bits: number;
  if (fileUid === uid) {
    bits = (mode >> 6) & 0o7;
  } else if (groupIds.includes(fileGid)) {
    bits = (mode >> 3) & 0o7;
  } else {
    bits = mode & 0o7;
  }
  return (bits & 0o6) === 0o6;
}

/** Looks the user up in a passwd file. */
export function findAccount(passwdText: string, name: string): UserAccount | undefined {
  for (const line of passwdText.split('\n')) {
    const entry = parsePasswdLine(line);
    if (entry?.name === name) return { name: entry.name, uid: entry.uid, gid: entry.gid };
  }
  return undefined;
}

async function readText(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

async function checkSubordinateIds(path: string, kind: 'subuid' | 'subgid', user: UserAccount, severity: CheckStatus): Promise<DoctorCheck> {
  const name = `rootless ${kind} of ${user.name}`;
  const text = await readText(path);
  const ranges = parseSubordinateRanges(text ?? '');
  const count = subordinateIdCount(ranges, user);
  if (count >= MIN_SUBORDINATE_IDS) {
    return { name, status: 'ok', detail: `${count} subordinate ids in ${path}` };
  }

  const start = nextFreeSubordinateStart(ranges);
  const option = kind === 'subuid' ? '--add-subuids' : '--add-subgids';
  const seen = text === undefined ? `${path} cannot be read` : `${path} gives ${user.name} ${count} subordinate ids`;
  return {
    name,
    status: severity,
    detail: `${seen}; rootless Podman needs at least ${MIN_SUBORDINATE_IDS}`,
    fix: `usermod ${option} ${start}-${start + MIN_SUBORDINATE_IDS - 1} ${user.name} (a range no other line of ${path} uses), or run scripts/setup.sh as root`,
  };
}

async function checkTunDevice(path: string, user: UserAccount, groupIds: number[], severity: CheckStatus): Promise<DoctorCheck> {
  const name = `rootless ${path} for ${user.name}`;
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    return { name, status: severity, detail: `${path} is missing: ${(error as Error).message}`, fix: 'load the tun module (`modprobe tun`); rootless Podman\'s slirp4netns network needs it' };
  }

  const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
  if (grantsReadWrite(info.mode, info.uid, info.gid, user.uid, groupIds)) {
    return { name, status: 'ok', detail: `mode ${mode}, owner ${info.uid}:${info.gid}: ${user.name} can read and write it` };
  }
  return {
    name,
    status: severity,
    detail: `mode ${mode}, owner ${info.uid}:${info.gid}: ${user.name} cannot read and write it, so slirp4netns cannot give rootless containers a network`,
    fix: `chmod 0666 ${path} (scripts/setup.sh does it; a udev rule KERNEL=="tun", MODE="0666" keeps it across reboots)`,
  };
}

async function checkRuntimeDir(root: string, user: UserAccount, severity: CheckStatus): Promise<DoctorCheck> {
  const dir = `${root}/${user.uid}`;
  const name = `rootless XDG_RUNTIME_DIR of ${user.name}`;
  let info;
  try {
    info = await stat(dir);
  } catch {
    return {
      name,
      status: 'warn',
      detail: `${dir} does not exist; rootless Podman keeps its sockets and state there`,
      fix: `\`gvmatrix run --rootless\` creates it when started as root; otherwise \`loginctl enable-linger ${user.name}\` or \`install -d -m 0700 -o ${user.name} -g ${user.gid} ${dir}\``,
    };
  }
  if (!info.isDirectory() || info.uid !== user.uid) {
    return {
      name,
      status: severity,
      detail: `${dir} is ${info.isDirectory() ? `a folder owned by uid ${info.uid}` : 'not a folder'}, not a folder owned by ${user.name} (uid ${user.uid})`,
      fix: `chown ${user.name}: ${dir} && chmod 0700 ${dir}`,
    };
  }
  return { name, status: 'ok', detail: `${dir} exists and belongs to ${user.name}` };
}

/**
 * Checks what rootless Podman needs for one user: the account, subordinate uid and gid
 * ranges, a usable /dev/net/tun and its XDG_RUNTIME_DIR. A problem has `severity`: fail
 * when the user asked for rootless, warn when it is only informative.
 */
export async function checkRootlessPrerequisites(userName: string, paths: HostPaths, severity: CheckStatus): Promise<DoctorCheck[]> {
  const user = findAccount((await readText(paths.passwd)) ?? '', userName);
  if (!user) {
    return [
      {
        name: `rootless user ${userName}`,
        status: severity,
        detail: `${paths.passwd} has no user "${userName}"`,
        fix: `run scripts/setup.sh as root (it adds the user gvmatrix), or \`useradd --create-home ${userName}\`, or pass --user with an existing account`,
      },
    ];
  }
  if (user.uid === 0) {
    return [{ name: `rootless user ${userName}`, status: severity, detail: `"${userName}" is root (uid 0)`, fix: 'pass --user with an unprivileged account' }];
  }

  const groupIds = groupIdsOf((await readText(paths.group)) ?? '', user);
  return [
    { name: `rootless user ${userName}`, status: 'ok', detail: `uid ${user.uid}, gid ${user.gid}` },
    await checkSubordinateIds(paths.subuid, 'subuid', user, severity),
    await checkSubordinateIds(paths.subgid, 'subgid', user, severity),
    await checkTunDevice(paths.tunDevice, user, groupIds, severity),
    await checkRuntimeDir(paths.userRuntimeRoot, user, severity),
  ];
}
