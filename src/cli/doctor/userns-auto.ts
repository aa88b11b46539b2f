import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { ImageSpec, RuntimeVariant, UsernsSpec } from '../../matrix/types.js';
import type { CheckStatus, DoctorCheck } from './check.js';
import type { HostPaths } from './host-paths.js';
import { findAccount, nextFreeSubordinateStart, parseSubordinateRanges, subordinateIdCount, type SubordinateRange } from './rootless-prerequisites.js';

/**
 * Bounds of the ID range that Podman gives a --userns=auto container without `size=`:
 * containers/storage's defaults for auto-userns-min-size and auto-userns-max-size
 * (storage.conf, containers/storage 1.43, which Podman 4.3 uses). Between the bounds the
 * size is the highest uid or gid that the image's files and /etc/passwd and /etc/group
 * use, plus one.
 */
export const AUTO_USERNS_MIN_SIZE = 1024;
export const AUTO_USERNS_MAX_SIZE = 65536;

/** The account whose /etc/subuid and /etc/subgid ranges rootful Podman splits for --userns=auto, unless storage.conf sets root-auto-userns-user. */
export const ROOT_AUTO_USERNS_USER = 'containers';

/** The range scripts/setup.sh gives `containers`: the example of Podman's --userns documentation, above useradd's default SUB_UID_MAX (600100000). */
export const SETUP_AUTO_USERNS_RANGE = { start: 2_147_483_647, count: 2_147_483_648 };

/** Storage configuration that Podman reads when /etc/containers/storage.conf does not exist. */
const VENDOR_STORAGE_CONF = '/usr/share/containers/storage.conf';

/** One image that starts its containers with --userns=auto under one runtime. */
export interface UsernsAutoUse {
  image: string;
  runtime: string;
}

/** How Podman runs the matrix: the account whose ranges --userns=auto splits depends on it. */
export interface UsernsAutoPlan {
  rootless: boolean;
  /** The rootless account (engine.user or --user); unused when rootful. */
  user: string;
  /** Playwright workers of a run, each running one test and so one container at a time. */
  workers: number;
}

/** Returns the workers of a run: the requested count, else one per runtime and at most one per core, as `gvmatrix run` starts them. */
export function runWorkers(requested: number | undefined, runtimeCount: number): number {
  return requested ?? Math.max(1, Math.min(runtimeCount, availableParallelism()));
}

/** Returns the user namespace of an image's containers under a runtime: the image's `userns:` wins over the runtime's. */
export function effectiveUserns(image: ImageSpec, runtime: RuntimeVariant): UsernsSpec | undefined {
  return image.userns ?? runtime.userns;
}

/** Lists every image and runtime pair whose containers start with `userns: auto`. */
export function usernsAutoUses(images: ImageSpec[], runtimes: RuntimeVariant[]): UsernsAutoUse[] {
  const uses: UsernsAutoUse[] = [];
  for (const image of images) {
    for (const runtime of runtimes) {
      if (effectiveUserns(image, runtime)?.kind === 'auto') {
        uses.push({ image: image.name, runtime: runtime.name });
      }
    }
  }
  return uses;
}

/** Returns the owner named by `root-auto-userns-user` in storage.conf text, if any. */
export function parseRootAutoUsernsUser(storageConf: string): string | undefined {
  return /^\s*root-auto-userns-user\s*=\s*"([^"]+)"/m.exec(storageConf)?.[1];
}

/** Returns whether a range overlaps any listed range. */
export function overlapsAny(start: number, count: number, ranges: SubordinateRange[]): boolean {
  return ranges.some((range) => start < range.start + range.count && range.start < start + count);
}

/** Inputs of one subordinate-id file's check, already read. */
export interface UsernsAutoFile {
  kind: 'subuid' | 'subgid';
  path: string;
  /** The file's text, undefined when it cannot be read. */
  text: string | undefined;
}

/**
 * Checks that one of /etc/subuid or /etc/subgid gives the owner of the --userns=auto
 * ranges enough ids for the containers that run at once: fail below the minimum range of
 * each, warn below the maximum, since the size Podman picks depends on the image.
 */
export function usernsAutoFileCheck(file: UsernsAutoFile, owner: { name: string; uid?: number }, rootless: boolean, concurrent: number, uses: UsernsAutoUse[]): DoctorCheck {
  const name = `userns auto ${file.kind} of ${owner.name}`;
  const ranges = parseSubordinateRanges(file.text ?? '');
  const count = subordinateIdCount(ranges, { name: owner.name, uid: owner.uid ?? -1, gid: -1 });
  const minimum = concurrent * AUTO_USERNS_MIN_SIZE;
  const safe = concurrent * AUTO_USERNS_MAX_SIZE;
  const podmanMode = rootless ? `rootless Podman as ${owner.name}` : `rootful Podman (owner "${owner.name}")`;
  const demand = `${uses.length} image and runtime pair${uses.length === 1 ? '' : 's'} use userns: auto (${describeUses(uses)}); up to ${concurrent} such container${concurrent === 1 ? '' : 's'} run at once`;
  const seen = file.text === undefined ? `${file.path} cannot be read` : `${file.path} gives ${owner.name} ${count} ids`;

  let status: CheckStatus = 'ok';
  if (count < minimum) {
    status = 'fail';
  } else if (count < safe) {
    status = 'warn';
  }
  if (status === 'ok') {
    return { name, status, detail: `${seen}, enough for ${concurrent} × ${AUTO_USERNS_MAX_SIZE} ids for ${podmanMode}; ${demand}` };
  }

  const need =
    status === 'fail'
      ? `${podmanMode} needs at least ${minimum} (${concurrent} × ${AUTO_USERNS_MIN_SIZE}, Podman's smallest automatic range), or container creation fails with "could not find enough available IDs"`
      : `${podmanMode} needs ${safe} (${concurrent} × ${AUTO_USERNS_MAX_SIZE}) for images whose files use ids up to 65535; with ${count} a container whose image needs more than ${Math.floor(count / concurrent)} ids can fail to start`;
  return { name, status, detail: `${seen}; ${need}.\n${demand}`, fix: usernsAutoFix(file, owner.name, rootless, ranges, count, safe) };
}

function describeUses(uses: UsernsAutoUse[]): string {
  const listed = uses.slice(0, 4).map((use) => `${use.image} under ${use.runtime}`);
  return uses.length > listed.length ? `${listed.join(', ')} and ${uses.length - listed.length} more` : listed.join(', ');
}

function usernsAutoFix(file: UsernsAutoFile, owner: string, rootless: boolean, ranges: SubordinateRange[], count: number, safe: number): string {
  const others = ranges.filter((range) => range.owner !== owner);
  const missing = safe - count;
  let start = SETUP_AUTO_USERNS_RANGE.start;
  let size = SETUP_AUTO_USERNS_RANGE.count;
  if (rootless || count > 0 || overlapsAny(start, size, others)) {
    start = nextFreeSubordinateStart(ranges);
    size = missing;
  }
  const line = `${owner}:${start}:${size}`;

  if (rootless) {
    const option = file.kind === 'subuid' ? '--add-subuids' : '--add-subgids';
    return `add the line ${line} to ${file.path}: \`usermod ${option} ${start}-${start + size - 1} ${owner}\` (a range no other line uses), then \`podman system migrate\` as ${owner}`;
  }
  const isSetupLine = owner === ROOT_AUTO_USERNS_USER && start === SETUP_AUTO_USERNS_RANGE.start;
  const setupNote = isSetupLine ? '; scripts/setup.sh adds this line when no containers line exists' : '';
  return `add the line ${line} to ${file.path} (the account need not exist): \`echo ${line} >> ${file.path}\`${setupNote}`;
}

async function readText(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

/** Returns the account whose ranges rootful Podman uses for --userns=auto: storage.conf's root-auto-userns-user, else `containers`. */
async function rootAutoUsernsUser(paths: HostPaths): Promise<string> {
  const text = (await readText(paths.storageConf)) ?? (await readText(VENDOR_STORAGE_CONF)) ?? '';
  return parseRootAutoUsernsUser(text) ?? ROOT_AUTO_USERNS_USER;
}

/**
 * Checks the subordinate id ranges that --userns=auto splits, when the matrix uses it:
 * rootful Podman takes them from the `containers` lines of /etc/subuid and /etc/subgid,
 * rootless Podman from the rootless user's own lines. Returns no check when no image and
 * runtime pair uses `userns: auto`.
 */
export async function checkUsernsAuto(uses: UsernsAutoUse[], plan: UsernsAutoPlan, paths: HostPaths): Promise<DoctorCheck[]> {
  if (uses.length === 0) return [];

  const concurrent = Math.max(1, Math.min(plan.workers, uses.length));
  let owner: { name: string; uid?: number };
  if (plan.rootless) {
    const account = findAccount((await readText(paths.passwd)) ?? '', plan.user);
    owner = { name: plan.user, uid: account?.uid };
  } else {
    owner = { name: await rootAutoUsernsUser(paths) };
  }

  const files: UsernsAutoFile[] = [
    { kind: 'subuid', path: paths.subuid, text: await readText(paths.subuid) },
    { kind: 'subgid', path: paths.subgid, text: await readText(paths.subgid) },
  ];
  return files.map((file) => usernsAutoFileCheck(file, owner, plan.rootless, concurrent, uses));
}
