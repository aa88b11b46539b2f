import { isMap, isScalar, type Node } from 'yaml';
import { nearest } from './suggest.js';
import type { IdMapping, UsernsSpec } from './types.js';
import { describe, type YamlReader } from './yaml-reader.js';

const USERNS_MODES = ['auto', 'keep-id', 'host'] as const;

const USERNS_FORMS = 'auto, keep-id, host or { uidmap: ["0:100000:65536"], gidmap: ["0:100000:65536"] }';

/** A mapping entry: container id, host id and size, as podman's --uidmap writes them. */
const ID_MAPPING = /^(\d+):(\d+):(\d+)$/;

/** The highest id a Linux user namespace can map, plus one. */
const ID_LIMIT = 2 ** 32 - 1;

/** Reads `userns:` of a runtime or an image. */
export function readUserns(reader: YamlReader, node: Node | null): UsernsSpec | undefined {
  if (isScalar(node) && typeof node.value === 'string') {
    const mode = USERNS_MODES.find((candidate) => candidate === node.value);
    if (mode === undefined) {
      const closest = nearest(node.value, USERNS_MODES);
      const hint = closest === undefined ? '' : `did you mean "${closest}"? `;
      reader.reportAt(node, `unknown userns "${node.value}"; ${hint}valid values: ${USERNS_FORMS}`);
      return undefined;
    }
    return { kind: mode };
  }

  if (!isMap(node)) {
    reader.reportAt(node, `userns must be one of ${USERNS_FORMS}; got ${describe(node)}`);
    return undefined;
  }

  const fields = reader.mapping(node, 'userns', ['uidmap', 'gidmap']);
  if (fields === undefined) return undefined;

  const uidField = fields.get('uidmap');
  const gidField = fields.get('gidmap');
  if (uidField === undefined || gidField === undefined) {
    const missing = uidField === undefined ? 'uidmap' : 'gidmap';
    reader.reportAt(node, `userns mapping has no ${missing}:; give both uidmap: and gidmap:, such as ${missing}: ["0:100000:65536"]`);
    return undefined;
  }

  const uidmap = readIdMappings(reader, uidField.value, 'userns.uidmap');
  const gidmap = readIdMappings(reader, gidField.value, 'userns.gidmap');
  if (uidmap === undefined || gidmap === undefined) return undefined;
  return { kind: 'mapping', uidmap, gidmap };
}

function readIdMappings(reader: YamlReader, node: Node | null, label: string): IdMapping[] | undefined {
  const items = reader.list(node, label, '["0:100000:65536"]');
  if (items === undefined) return undefined;
  if (items.length === 0) {
    reader.reportAt(node, `${label} must list at least one mapping, such as ["0:100000:65536"]`);
    return undefined;
  }

  const mappings: IdMapping[] = [];
  let valid = true;
  for (const item of items) {
    const text = reader.string(item, `each item of ${label}`);
    const mapping = text === undefined ? undefined : parseIdMapping(text);
    if (text !== undefined && mapping === undefined) {
      reader.reportAt(item, `${label} entry "${text}" is not CONTAINER_ID:HOST_ID:SIZE; write three whole numbers, such as "0:100000:65536", with a size of 1 or more`);
    }
    if (mapping === undefined) valid = false;
    else mappings.push(mapping);
  }
  return valid ? mappings : undefined;
}

/** Parses `N:N:N` into a mapping, or returns undefined when the text is not one or maps past the last id. */
export function parseIdMapping(text: string): IdMapping | undefined {
  const match = ID_MAPPING.exec(text.trim());
  if (match === null) return undefined;

  const [containerId, hostId, size] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (size < 1 || containerId + size > ID_LIMIT || hostId + size > ID_LIMIT) return undefined;
  return { containerId, hostId, size };
}

/** Returns the mapping as `N:N:N` text, as written in the matrix file. */
export function formatIdMapping(mapping: IdMapping): string {
  return `${mapping.containerId}:${mapping.hostId}:${mapping.size}`;
}
