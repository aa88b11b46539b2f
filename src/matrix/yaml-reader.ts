import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Scalar } from 'yaml';
import { parseByteSize } from './byte-size.js';
import { parseDuration } from './duration.js';
import type { MatrixIssue } from './errors.js';
import type { Parsed } from './parsed.js';
import { parsePattern } from './pattern.js';
import { suggestion } from './suggest.js';
import type { Pattern, SourceLocation } from './types.js';

/** One `key: value` entry of a YAML mapping. */
export interface Field {
  /** The key as written. */
  name: string;
  key: Scalar;
  /** The value, with aliases resolved; null for an explicit key with no value (`? key`). */
  value: Node | null;
}

/** The entries of one YAML mapping, by key. */
export class Fields {
  constructor(
    readonly node: Node,
    private readonly byName: Map<string, Field>,
  ) {}

  get(name: string): Field | undefined {
    return this.byName.get(name);
  }

  list(): Field[] {
    return [...this.byName.values()];
  }
}

/**
 * Reads typed values out of a parsed YAML document and collects an issue, with file, line
 * and column, for every value of the wrong type or form. A reader method returns undefined
 * after it records an issue, so the caller can go on and find the next problem.
 */
export class YamlReader {
  readonly issues: MatrixIssue[] = [];

  constructor(
    readonly file: string,
    private readonly document: Document,
    private readonly lineCounter: LineCounter,
  ) {}

  /** Returns the 1-based position where `node` starts, or the file's start for a node with no source. */
  locate(node: Node | null | undefined): SourceLocation {
    const offset = node?.range?.[0] ?? 0;
    const { line, col } = this.lineCounter.linePos(offset);
    return { file: this.file, line: Math.max(line, 1), column: col };
  }

  /** Returns the position of a field's value, or of its key when the value has no source. */
  locateValue(field: Field): SourceLocation {
    return field.value?.range ? this.locate(field.value) : this.locate(field.key);
  }

  report(location: SourceLocation, message: string): void {
    this.issues.push({ location, message });
  }

  reportAt(node: Node | null | undefined, message: string): void {
    this.report(this.locate(node), message);
  }

  /** Follows an alias (`*name`) to the node it refers to. */
  resolve(node: unknown): Node | null {
    if (isAlias(node)) return (node.resolve(this.document) as Node | undefined) ?? null;
    if (isScalar(node) || isMap(node) || isSeq(node)) return node;
    return null;
  }

  /**
   * Reads a mapping. With `allowedKeys`, every other key is reported as unknown, with the
   * nearest valid key as a hint. Without it, any key is accepted, as in maps keyed by image,
   * runtime or environment variable names.
   */
  mapping(node: Node | null, label: string, allowedKeys?: readonly string[]): Fields | undefined {
    if (!isMap(node)) {
      this.reportAt(node, `${label} must be a mapping of key: value pairs; got ${describe(node)}`);
      return undefined;
    }

    const byName = new Map<string, Field>();
    for (const pair of node.items) {
      const key = this.resolve(pair.key);
      if (!isScalar(key) || !(typeof key.value === 'string' || typeof key.value === 'number')) {
        this.reportAt(key, `keys in ${label} must be plain names; got ${describe(key)}`);
        continue;
      }

      const name = String(key.value);
      if (allowedKeys !== undefined && !allowedKeys.includes(name)) {
        this.reportAt(key, `unknown key "${name}"; ${suggestion(name, allowedKeys, 'keys')}`);
        continue;
      }

      byName.set(name, { name, key, value: this.resolve(pair.value) });
    }

    return new Fields(node, byName);
  }

  /** Reads a sequence and returns its items with aliases resolved. */
  list(node: Node | null, label: string, example: string): (Node | null)[] | undefined {
    if (!isSeq(node)) {
      this.reportAt(node, `${label} must be a list, such as ${example}; got ${describe(node)}`);
      return undefined;
    }
    return node.items.map((item) => this.resolve(item));
  }

  /** Reads a string scalar; an empty string is invalid unless `allowEmpty` is set. */
  string(node: Node | null, label: string, options: { allowEmpty?: boolean } = {}): string | undefined {
    if (!isScalar(node) || typeof node.value !== 'string') {
      this.reportAt(node, `${label} must be a string; got ${describe(node)}`);
      return undefined;
    }
    if (node.value.trim() === '' && options.allowEmpty !== true) {
      this.reportAt(node, `${label} must not be empty`);
      return undefined;
    }
    return node.value;
  }

  /**
   * Reads a scalar as text, converting numbers and booleans as written (`1.0` stays "1.0"),
   * for values that end up as strings anyway: environment values, command arguments,
   * expected output.
   */
  text(node: Node | null, label: string): string | undefined {
    if (isScalar(node)) {
      if (typeof node.value === 'string') return node.value;
      if (typeof node.value === 'number' || typeof node.value === 'boolean') {
        return node.source ?? String(node.value);
      }
    }
    this.reportAt(node, `${label} must be a string; got ${describe(node)}`);
    return undefined;
  }

  /** Reads a non-empty list of strings, such as a command and its arguments. */
  textList(node: Node | null, label: string, example: string): string[] | undefined {
    if (isScalar(node) && typeof node.value === 'string') {
      this.reportAt(node, `${label} must be a list of strings, such as ${example}; got the string "${node.value}"`);
      return undefined;
    }

    const items = this.list(node, label, example);
    if (items === undefined) return undefined;
    if (items.length === 0) {
      this.reportAt(node, `${label} must not be an empty list; write it as ${example}`);
      return undefined;
    }

    const texts = items.map((item) => this.text(item, `each item of ${label}`));
    return texts.every((text): text is string => text !== undefined) ? texts : undefined;
  }

  /** Reads an integer from `min` to `max`; `expected` describes the range in the message. */
  integer(node: Node | null, label: string, min: number, max: number, expected: string): number | undefined {
    if (!isScalar(node) || typeof node.value !== 'number' || !Number.isInteger(node.value)) {
      this.reportAt(node, `${label} must be ${expected}; got ${describe(node)}`);
      return undefined;
    }
    if (node.value < min || node.value > max) {
      this.reportAt(node, `${label} must be ${expected}; got ${node.value}`);
      return undefined;
    }
    return node.value;
  }

  /** Reads a number greater than 0, whole or not. */
  positiveNumber(node: Node | null, label: string, expected: string): number | undefined {
    if (!isScalar(node) || typeof node.value !== 'number' || !Number.isFinite(node.value) || node.value <= 0) {
      this.reportAt(node, `${label} must be ${expected}; got ${describe(node)}`);
      return undefined;
    }
    return node.value;
  }

  boolean(node: Node | null, label: string): boolean | undefined {
    if (!isScalar(node) || typeof node.value !== 'boolean') {
      this.reportAt(node, `${label} must be true or false; got ${describe(node)}`);
      return undefined;
    }
    return node.value;
  }

  /** Reads a duration in milliseconds: a number of seconds or a string such as `30s`. */
  duration(node: Node | null, label: string): number | undefined {
    return this.numberOrString(node, label, parseDuration, 'a duration such as 30s, 500ms or 2m');
  }

  /** Reads a memory size in bytes: a number of bytes or a string such as `256m`. */
  byteSize(node: Node | null, label: string): number | undefined {
    return this.numberOrString(node, label, parseByteSize, 'a size such as 256m or 2g');
  }

  /** Reads one text expectation: a literal string or a `/regex/flags`. */
  pattern(node: Node | null, label: string): Pattern | undefined {
    const text = this.text(node, label);
    if (text === undefined) return undefined;
    return this.accept(node, label, parsePattern(text));
  }

  /** Reads one pattern or a list of them. */
  patterns(node: Node | null, label: string): Pattern[] | undefined {
    if (!isSeq(node)) {
      const pattern = this.pattern(node, label);
      return pattern === undefined ? undefined : [pattern];
    }

    const items = node.items.map((item) => this.pattern(this.resolve(item), `each item of ${label}`));
    return items.every((item): item is Pattern => item !== undefined) ? items : undefined;
  }

  private numberOrString(
    node: Node | null,
    label: string,
    parse: (input: number | string) => Parsed<number>,
    expected: string,
  ): number | undefined {
    if (!isScalar(node) || !(typeof node.value === 'number' || typeof node.value === 'string')) {
      this.reportAt(node, `${label} must be ${expected}; got ${describe(node)}`);
      return undefined;
    }
    return this.accept(node, label, parse(node.value));
  }

  private accept<T>(node: Node | null, label: string, result: Parsed<T>): T | undefined {
    if (result.ok) return result.value;
    this.reportAt(node, `${label} ${result.reason}`);
    return undefined;
  }
}

/** Describes a node's type and value for a message, in YAML terms. */
export function describe(node: Node | null | undefined): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (!isScalar(node) || node.value === null || node.value === undefined) return 'an empty value';
  if (typeof node.value === 'string') return `the string "${node.value}"`;
  if (typeof node.value === 'number') return `the number ${node.source ?? node.value}`;
  if (typeof node.value === 'boolean') return `${node.value}`;
  return `a ${typeof node.value}`;
}
