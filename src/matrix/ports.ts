import type { Node } from 'yaml';
import type { YamlReader } from './yaml-reader.js';

const PORT_RANGE = 'an integer from 1 to 65535';

/** Reads an image's `ports:`, a list of distinct container ports. */
export function readPorts(reader: YamlReader, node: Node | null): number[] {
  const items = reader.list(node, 'ports', '[80, 443]');
  if (items === undefined) return [];

  const ports: number[] = [];
  for (const item of items) {
    const port = reader.integer(item, 'each port', 1, 65535, PORT_RANGE);
    if (port === undefined) continue;

    if (ports.includes(port)) {
      reader.reportAt(item, `port ${port} is listed twice in ports; remove one`);
      continue;
    }
    ports.push(port);
  }
  return ports;
}

/**
 * Reads the port of a readiness or HTTP check, which must be one of the image's ports,
 * because the driver reaches a container only through the host ports it maps for them.
 */
export function readListedPort(
  reader: YamlReader,
  node: Node | null,
  label: string,
  imageName: string,
  ports: readonly number[],
): number | undefined {
  const port = reader.integer(node, label, 1, 65535, PORT_RANGE);
  if (port === undefined) return undefined;

  if (!ports.includes(port)) {
    const listed = ports.length === 0 ? 'lists no ports' : `lists ports ${ports.join(', ')}`;
    reader.reportAt(node, `${label} ${port} is not exposed: image "${imageName}" ${listed}; add ${port} to its ports:`);
    return undefined;
  }
  return port;
}
