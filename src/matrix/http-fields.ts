import type { Node } from 'yaml';
import type { YamlReader } from './yaml-reader.js';

/** An HTTP method token such as GET or PROPFIND. */
const METHOD = /^[A-Za-z]+$/;

/** Reads a request path, which must start with "/". */
export function readUrlPath(reader: YamlReader, node: Node | null, label: string): string | undefined {
  const path = reader.string(node, label);
  if (path === undefined) return undefined;

  if (!path.startsWith('/')) {
    reader.reportAt(node, `${label} must start with "/"; write "/${path}"`);
    return undefined;
  }
  return path;
}

/** Reads an HTTP status code. */
export function readStatus(reader: YamlReader, node: Node | null, label: string): number | undefined {
  return reader.integer(node, label, 100, 599, 'an HTTP status code from 100 to 599');
}

/** Reads an HTTP method and returns it in upper case. */
export function readMethod(reader: YamlReader, node: Node | null, label: string): string | undefined {
  const method = reader.string(node, label);
  if (method === undefined) return undefined;

  if (!METHOD.test(method)) {
    reader.reportAt(node, `${label} must be an HTTP method such as GET or POST; got "${method}"`);
    return undefined;
  }
  return method.toUpperCase();
}
