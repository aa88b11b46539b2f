import path from 'node:path';
import type { Node } from 'yaml';
import type { LoadContext } from './load-context.js';
import { NAME_PATTERN } from './names.js';
import type { MountSpec } from './types.js';

const MOUNT_KEYS = ['name', 'source', 'target', 'mode'] as const;

const MOUNT_EXAMPLE = '{ name: conf, source: images/app/conf, target: /etc/app, mode: ro }';

/**
 * Reads an image's `mounts:`. Names and targets must be unique within the image. A
 * relative source must stay inside the matrix file's folder, because the driver copies
 * it for each test from there.
 */
export function readMounts(context: LoadContext, node: Node | null, imageName: string): MountSpec[] {
  const { reader } = context;
  const items = reader.list(node, 'mounts', `[${MOUNT_EXAMPLE}]`);
  if (items === undefined) return [];

  const mounts: MountSpec[] = [];
  const lineByName = new Map<string, number>();
  const lineByTarget = new Map<string, number>();
  items.forEach((item, index) => {
    const mount = readMount(context, item, `mount ${index + 1} of image "${imageName}"`);
    if (mount === undefined) return;

    const nameLine = lineByName.get(mount.name);
    if (nameLine !== undefined) {
      reader.reportAt(item, `duplicate mount name "${mount.name}" in image "${imageName}", first used on line ${nameLine}; give each mount its own name`);
      return;
    }
    const targetLine = lineByTarget.get(mount.target);
    if (targetLine !== undefined) {
      reader.reportAt(item, `mount "${mount.name}" has the target ${mount.target} of the mount on line ${targetLine}; mount each container path once`);
      return;
    }

    lineByName.set(mount.name, mount.location.line);
    lineByTarget.set(mount.target, mount.location.line);
    mounts.push(mount);
  });
  return mounts;
}

function readMount(context: LoadContext, node: Node | null, label: string): MountSpec | undefined {
  const { reader } = context;
  const fields = reader.mapping(node, label, MOUNT_KEYS);
  if (fields === undefined) return undefined;

  const nameField = fields.get('name');
  const sourceField = fields.get('source');
  const targetField = fields.get('target');
  const modeField = fields.get('mode');
  if (nameField === undefined || targetField === undefined) {
    const missing = nameField === undefined ? 'name' : 'target';
    reader.reportAt(node, `${label} has no ${missing}:; write it as ${MOUNT_EXAMPLE}`);
    return undefined;
  }

  const name = readMountName(context, nameField.value);
  const target = readTarget(context, targetField.value);
  const mode = modeField === undefined ? 'rw' : readMode(context, modeField.value);
  const source = sourceField === undefined ? { kind: 'empty' as const } : readSource(context, sourceField.value, name ?? '');
  if (name === undefined || target === undefined || mode === undefined || source === undefined) return undefined;

  return { name, source, target, mode, location: reader.locate(node) };
}

function readMountName(context: LoadContext, node: Node | null): string | undefined {
  const name = context.reader.string(node, 'mount name');
  if (name === undefined) return undefined;

  if (!NAME_PATTERN.test(name)) {
    context.reader.reportAt(node, `invalid mount name "${name}": use lower-case letters, digits, "_", "." and "-", starting with a letter or digit`);
    return undefined;
  }
  return name;
}

function readTarget(context: LoadContext, node: Node | null): string | undefined {
  const target = context.reader.string(node, 'mount target');
  if (target === undefined) return undefined;

  if (!target.startsWith('/')) {
    context.reader.reportAt(node, `mount target "${target}" is not an absolute path; write the path inside the container, such as /${target.replace(/^\.?\/*/, '')}`);
    return undefined;
  }
  // Podman mounts over `/` would hide the image; a trailing slash would make "/data" and "/data/" two targets.
  const normalized = path.posix.normalize(target).replace(/(.)\/$/, '$1');
  if (normalized === '/') {
    context.reader.reportAt(node, 'mount target must not be /, which would hide the whole image; mount a folder such as /data');
    return undefined;
  }
  return normalized;
}

function readMode(context: LoadContext, node: Node | null): 'ro' | 'rw' | undefined {
  const mode = context.reader.string(node, 'mount mode');
  if (mode === undefined) return undefined;

  if (mode !== 'ro' && mode !== 'rw') {
    context.reader.reportAt(node, `mount mode "${mode}" is invalid; write ro (read-only) or rw (read-write)`);
    return undefined;
  }
  return mode;
}

/** Reads `source:`: an absolute host path, or a folder relative to the matrix file that must stay inside its folder. */
function readSource(context: LoadContext, node: Node | null, mountName: string): MountSpec['source'] | undefined {
  const { reader } = context;
  const source = reader.string(node, 'mount source');
  if (source === undefined) return undefined;

  const location = reader.locate(node);
  if (path.isAbsolute(source)) {
    const absolute = path.normalize(source);
    context.fileReferences.push({ kind: 'mount-host', path: absolute, location });
    return { kind: 'host', path: absolute };
  }

  const absolute = path.resolve(context.dir, source);
  const inside = path.relative(context.dir, absolute);
  if (inside === '') {
    reader.reportAt(node, `mount "${mountName}" source "${source}" is the matrix file's folder itself, which would be copied for every test; name a subfolder, such as images/app/conf`);
    return undefined;
  }
  if (inside.startsWith('..') || path.isAbsolute(inside)) {
    reader.reportAt(
      node,
      `mount "${mountName}" source "${source}" resolves to ${absolute}, outside the matrix file's folder ${context.dir}; ` +
        'name a folder inside it, or write an absolute path to mount a host path as it is',
    );
    return undefined;
  }

  context.fileReferences.push({ kind: 'mount-folder', path: absolute, location });
  return { kind: 'repository', path: absolute };
}
