import { isMap, isScalar, type Node } from 'yaml';
import { readStatus, readUrlPath } from './http-fields.js';
import { readListedPort } from './ports.js';
import type { WaitSpec } from './types.js';
import { describe, type Field, type YamlReader } from './yaml-reader.js';

const WAIT_KINDS = ['http', 'tcp', 'log', 'exec'] as const;

const WAIT_FORMS = '{ http: { port: 80 } }, { tcp: { port: 80 } }, { log: "/ready/" }, { exec: [pg_isready] } or none';

/** The image fields a readiness check depends on. */
export interface WaitTarget {
  imageName: string;
  ports: readonly number[];
}

/**
 * Reads an image's `wait:`. Without one, the driver waits for the first port to accept
 * TCP connections, or for nothing when the image has no ports.
 */
export function readWait(reader: YamlReader, field: Field | undefined, target: WaitTarget): WaitSpec {
  if (field === undefined) {
    const firstPort = target.ports[0];
    return firstPort === undefined ? { kind: 'none' } : { kind: 'tcp', port: firstPort };
  }

  const node = field.value;
  if (isScalar(node) && node.value === 'none') return { kind: 'none' };

  if (!isMap(node)) {
    reader.reportAt(node, `wait must be ${WAIT_FORMS}; got ${describe(node)}`);
    return { kind: 'none' };
  }

  const fields = reader.mapping(node, 'wait', WAIT_KINDS);
  if (fields === undefined) return { kind: 'none' };

  const kinds = fields.list();
  if (kinds.length !== 1) {
    const written = kinds.length === 0 ? 'none' : kinds.map((kind) => kind.name).join(' and ');
    reader.reportAt(node, `wait must name exactly one of http, tcp, log or exec; found ${written}`);
    return { kind: 'none' };
  }

  const kind = kinds[0]!;
  switch (kind.name) {
    case 'http':
      return readHttpWait(reader, kind, target);
    case 'tcp':
      return readTcpWait(reader, kind, target);
    case 'log':
      return readLogWait(reader, kind.value);
    default: {
      const command = reader.textList(kind.value, 'wait.exec', '[pg_isready, -U, postgres]');
      return command === undefined ? { kind: 'none' } : { kind: 'exec', command };
    }
  }
}

function readHttpWait(reader: YamlReader, field: Field, target: WaitTarget): WaitSpec {
  const fields = reader.mapping(field.value, 'wait.http', ['port', 'path', 'status']);
  if (fields === undefined) return { kind: 'none' };

  const port = fields.get('port');
  const path = fields.get('path');
  const status = fields.get('status');

  if (port === undefined) {
    reader.reportAt(field.key, `wait.http has no port:; add the container port to poll, such as port: ${target.ports[0] ?? 80}`);
  }

  const portNumber = port === undefined ? undefined : readListedPort(reader, port.value, 'wait.http.port', target.imageName, target.ports);
  return {
    kind: 'http',
    port: portNumber ?? 0,
    path: path === undefined ? '/' : readUrlPath(reader, path.value, 'wait.http.path') ?? '/',
    status: status === undefined ? 200 : readStatus(reader, status.value, 'wait.http.status') ?? 200,
  };
}

function readTcpWait(reader: YamlReader, field: Field, target: WaitTarget): WaitSpec {
  const fields = reader.mapping(field.value, 'wait.tcp', ['port']);
  if (fields === undefined) return { kind: 'none' };

  const port = fields.get('port');
  if (port === undefined) {
    reader.reportAt(field.key, `wait.tcp has no port:; add the container port to connect to, such as port: ${target.ports[0] ?? 80}`);
    return { kind: 'none' };
  }

  return { kind: 'tcp', port: readListedPort(reader, port.value, 'wait.tcp.port', target.imageName, target.ports) ?? 0 };
}

/** Reads `log: PATTERN` or `log: { pattern: PATTERN, times: N }`. */
function readLogWait(reader: YamlReader, node: Node | null): WaitSpec {
  if (isScalar(node)) {
    const pattern = reader.pattern(node, 'wait.log');
    return pattern === undefined ? { kind: 'none' } : { kind: 'log', pattern, times: 1 };
  }

  const fields = reader.mapping(node, 'wait.log', ['pattern', 'times']);
  if (fields === undefined) return { kind: 'none' };

  const patternField = fields.get('pattern');
  const timesField = fields.get('times');
  if (patternField === undefined) {
    reader.reportAt(node, 'wait.log has no pattern:; add the log line to wait for, such as pattern: "/ready to accept connections/"');
  }

  const pattern = patternField === undefined ? undefined : reader.pattern(patternField.value, 'wait.log.pattern');
  const times = timesField === undefined ? 1 : reader.integer(timesField.value, 'wait.log.times', 1, Number.MAX_SAFE_INTEGER, 'an integer of 1 or more');
  if (pattern === undefined || times === undefined) return { kind: 'none' };
  return { kind: 'log', pattern, times };
}
