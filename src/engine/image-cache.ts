import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CommandError } from './command.js';
import { runPodman, type Podman } from './podman.js';

/** Label with the hash of the build folder an image was built from (src/engine/folder-hash.ts). */
export const CONTENT_HASH_LABEL = 'gvmatrix.content-hash';
/** Label with the image ids of the FROM images an image was built on, comma-separated. */
export const BASE_ID_LABEL = 'gvmatrix.base-id';

/** An image in podman's store, as `podman image inspect` shows it. */
export interface StoredImage {
  id: string;
  labels: Record<string, string>;
}

/** Inputs of one folder's build: the folder's contents and the images it starts FROM. */
export interface BuildInputs {
  contentHash: string;
  /** External FROM images of the Containerfile, in order; stage names and `scratch` excluded. */
  baseRefs: string[];
  /**
   * Image ids of baseRefs, comma-separated. Undefined when one is missing from the store or
   * the FROM line uses a build argument, because then the cache cannot tell what it builds on.
   */
  baseId?: string;
}

/** The folder files podman build reads its instructions from, in the order it looks for them. */
const CONTAINERFILE_NAMES = ['Containerfile', 'Dockerfile'];

/**
 * Returns the images a Containerfile starts FROM that are not its own stages, in order of
 * appearance. A reference with a variable (`FROM $BASE`) is returned as written.
 */
export function baseImageRefs(containerfile: string): string[] {
  const stages = new Set<string>();
  const refs: string[] = [];
  // Line continuations join a FROM split over lines.
  const text = containerfile.replace(/\\\r?\n/g, ' ');

  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*FROM\s+(.*)$/i.exec(line);
    if (!match) {
      continue;
    }

    const words = (match[1] ?? '').trim().split(/\s+/).filter((word) => !word.startsWith('--'));
    const ref = words[0];
    if (!ref) {
      continue;
    }
    if (words[1]?.toLowerCase() === 'as' && words[2]) {
      stages.add(words[2].toLowerCase());
    }
    if (ref.toLowerCase() !== 'scratch' && !stages.has(ref.toLowerCase()) && !refs.includes(ref)) {
      refs.push(ref);
    }
  }
  return refs;
}

/** Reads the FROM images of the Containerfile (or Dockerfile) in a build folder; none when it has neither. */
export async function readBaseImageRefs(buildDir: string): Promise<string[]> {
  for (const name of CONTAINERFILE_NAMES) {
    try {
      return baseImageRefs(await readFile(join(buildDir, name), 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw error;
      }
    }
  }
  return [];
}

/**
 * Inspects several images with one `podman image inspect` and returns those in the store,
 * keyed by each requested reference. Podman prints the images it found and exits 125 for
 * the others, so a missing image is simply absent from the result.
 */
export async function inspectImages(refs: string[], podman: Podman): Promise<Map<string, StoredImage>> {
  const found = new Map<string, StoredImage>();
  if (refs.length === 0) {
    return found;
  }

  let stdout: string;
  try {
    ({ stdout } = await runPodman(podman, ['image', 'inspect', ...new Set(refs)], { timeoutMs: 60_000 }));
  } catch (error) {
    if (!(error instanceof CommandError) || error.exitCode !== 125) {
      throw error;
    }
    stdout = error.stdout;
  }

  const entries = stdout.trim() ? (JSON.parse(stdout) as InspectEntry[]) : [];
  for (const ref of refs) {
    const entry = entries.find((candidate) => referenceNames(ref).some((name) => candidate.RepoTags?.includes(name) || candidate.Id.startsWith(ref)));
    if (entry) {
      found.set(ref, { id: entry.Id, labels: entry.Labels ?? entry.Config?.Labels ?? {} });
    }
  }
  return found;
}

interface InspectEntry {
  Id: string;
  RepoTags?: string[];
  Labels?: Record<string, string> | null;
  Config?: { Labels?: Record<string, string> | null };
}

/**
 * Returns the names podman may list a reference under: as written, with the default tag,
 * and for a short name (`debian:12`, `library/debian`) as pulled from docker.io.
 */
export function referenceNames(ref: string): string[] {
  const lastPart = ref.slice(ref.lastIndexOf('/') + 1);
  const tagged = lastPart.includes(':') || lastPart.includes('@') ? ref : `${ref}:latest`;
  const firstPart = ref.split('/')[0] ?? '';
  const hasRegistry = ref.includes('/') && (firstPart.includes('.') || firstPart.includes(':') || firstPart === 'localhost');
  if (hasRegistry) {
    return [...new Set([ref, tagged])];
  }
  const qualified = `docker.io/${ref.includes('/') ? '' : 'library/'}${tagged}`;
  return [...new Set([ref, tagged, qualified])];
}

/** Returns the comma-separated ids of the base images, or undefined when one is not in the store. */
export function baseIdOf(baseRefs: string[], stored: Map<string, StoredImage>): string | undefined {
  const ids = baseRefs.map((ref) => stored.get(ref)?.id);
  if (ids.some((id) => id === undefined)) {
    return undefined;
  }
  return ids.join(',');
}

/** Returns the `--label` arguments that record a build's inputs on the image. */
export function cacheLabelArgs(inputs: BuildInputs): string[] {
  const args = ['--label', `${CONTENT_HASH_LABEL}=${inputs.contentHash}`];
  if (inputs.baseId !== undefined) {
    args.push('--label', `${BASE_ID_LABEL}=${inputs.baseId}`);
  }
  return args;
}

/**
 * Returns why an image must be built again, or undefined when the image in the store was
 * built from the same folder contents on the same base images.
 */
export function rebuildReason(inputs: BuildInputs, image: StoredImage | undefined): string | undefined {
  if (!image) {
    return 'missing';
  }

  const builtHash = image.labels[CONTENT_HASH_LABEL];
  const builtBase = image.labels[BASE_ID_LABEL];
  if (builtHash === undefined) {
    return `no ${CONTENT_HASH_LABEL} label`;
  }
  if (builtHash !== inputs.contentHash) {
    return 'folder changed';
  }
  if (inputs.baseId === undefined) {
    return `base ${inputs.baseRefs.join(', ')} not in the store or not a fixed name`;
  }
  if (builtBase !== inputs.baseId) {
    return `base changed (${inputs.baseRefs.join(', ')} is now ${shortIds(inputs.baseId)}${builtBase ? `, was ${shortIds(builtBase)}` : ''})`;
  }
  return undefined;
}

function shortIds(ids: string): string {
  return ids
    .split(',')
    .map((id) => id.replace(/^sha256:/, '').slice(0, 12))
    .join(',');
}
