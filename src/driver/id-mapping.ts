import { request } from 'node:http';
import { readFile } from 'node:fs/promises';
import { parseIdMapping } from '../matrix/userns.js';
import type { IdMapping } from '../matrix/types.js';
import type { RuntimeEndpoint } from './context.js';

/** The uid and gid mappings of a container, from container ids to host ids. */
export interface ContainerIdMappings {
  uidmap: IdMapping[];
  gidmap: IdMapping[];
}

/** The libpod API version whose container inspect carries HostConfig.IDMappings (podman 4.x serves it). */
const LIBPOD_API = 'v4.0.0';

/**
 * Returns the id inside the container that a host id maps to, or -1 when the container
 * does not map it (it then shows as the overflow id, usually 65534). No mapping at all means
 * the container shares the host's ids.
 */
export function containerIdOf(hostId: number, mappings: readonly IdMapping[]): number {
  if (mappings.length === 0) return hostId;
  const entry = mappings.find((mapping) => hostId >= mapping.hostId && hostId < mapping.hostId + mapping.size);
  return entry === undefined ? -1 : entry.containerId + (hostId - entry.hostId);
}

/**
 * Chains two mappings: `inner` maps container ids to the ids of an intermediate
 * namespace, which `outer` maps to host ids. A rootless user's containers are mapped that
 * way, through the user's own namespace.
 */
export function composeMappings(inner: readonly IdMapping[], outer: readonly IdMapping[]): IdMapping[] {
  const composed: IdMapping[] = [];
  for (const entry of inner) {
    for (const range of outer) {
      const start = Math.max(entry.hostId, range.containerId);
      const end = Math.min(entry.hostId + entry.size, range.containerId + range.size);
      if (start >= end) continue;
      composed.push({ containerId: entry.containerId + (start - entry.hostId), hostId: range.hostId + (start - range.containerId), size: end - start });
    }
  }
  return composed;
}

/**
 * Reads a container's ID mappings as Podman reports them (libpod inspect,
 * HostConfig.IDMappings, over the endpoint's own socket), relative to the host. Under a
 * rootless user's Podman they are relative to that user's namespace, which maps root to
 * the user and 1 onward to the user's /etc/subuid and /etc/subgid ranges. This function
 * chains them with that namespace.
 */
export async function readContainerIdMappings(endpoint: Pick<RuntimeEndpoint, 'socket' | 'podmanUser' | 'rootless'>, containerId: string): Promise<ContainerIdMappings> {
  const inspect = (await getJson(endpoint.socket, `/${LIBPOD_API}/libpod/containers/${containerId}/json`)) as {
    HostConfig?: { IDMappings?: { UidMap?: string[] | null; GidMap?: string[] | null } };
  };
  const mappings = inspect.HostConfig?.IDMappings;
  const uidmap = parseMappings(mappings?.UidMap ?? []);
  const gidmap = parseMappings(mappings?.GidMap ?? []);
  if (!endpoint.rootless || endpoint.podmanUser === undefined) {
    // NOTE: a rootless run started by the user itself is not chained with its namespace, so host ids read as that namespace's.
    return { uidmap, gidmap };
  }

  const user = endpoint.podmanUser;
  const outerUid = await userNamespaceMappings('/etc/subuid', user.name, user.uid);
  const outerGid = await userNamespaceMappings('/etc/subgid', user.name, user.gid);
  return {
    uidmap: composeMappings(uidmap.length === 0 ? [{ containerId: 0, hostId: 0, size: 2 ** 32 - 1 }] : uidmap, outerUid),
    gidmap: composeMappings(gidmap.length === 0 ? [{ containerId: 0, hostId: 0, size: 2 ** 32 - 1 }] : gidmap, outerGid),
  };
}

function parseMappings(entries: readonly string[]): IdMapping[] {
  return entries.map((entry) => {
    const mapping = parseIdMapping(entry);
    if (mapping === undefined) throw new Error(`Podman reported the ID mapping "${entry}", which is not CONTAINER:HOST:SIZE`);
    return mapping;
  });
}

/** Returns the namespace rootless Podman sets up for a user: root to the user, then its first subordinate range. */
async function userNamespaceMappings(file: string, userName: string, ownId: number): Promise<IdMapping[]> {
  const line = (await readFile(file, 'utf8')).split('\n').find((candidate) => candidate.startsWith(`${userName}:`));
  const [, start, count] = line?.split(':') ?? [];
  const mappings: IdMapping[] = [{ containerId: 0, hostId: ownId, size: 1 }];
  if (start !== undefined && count !== undefined) mappings.push({ containerId: 1, hostId: Number(start), size: Number(count) });
  return mappings;
}

function getJson(socketPath: string, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET', timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) {
          reject(new Error(`GET ${path} on ${socketPath} returned ${res.statusCode}: ${body.slice(0, 200)}`));
          return;
        }
        try {
          resolve(JSON.parse(body));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`GET ${path} on ${socketPath} timed out after 10 s`)));
    req.end();
  });
}
