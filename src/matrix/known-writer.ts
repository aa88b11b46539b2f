import { Document, isMap, isScalar, isSeq, parseDocument, type Node, type YAMLSeq } from 'yaml';

/** A `known:` entry to write into a matrix file. */
export interface NewKnownEntry {
  image: string;
  test: string;
  /** A runtime name; `gvmatrix baseline` writes one entry per runtime. */
  runtime: string;
  reason: string;
  /** YYYY-MM-DD. */
  expires?: string;
}

/** The matrix file has a form that entries cannot be added to by editing its text. */
export class KnownInsertError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KnownInsertError';
  }
}

/** Indentation of a new `known:` list, as in the shipped matrix files. */
const NEW_LIST_INDENT = 2;

/** Formats entries as a YAML document with a `known:` list, to print or paste. */
export function formatKnownList(entries: readonly NewKnownEntry[], comment?: string): string {
  return `known:\n${blockItems(entries, NEW_LIST_INDENT, comment)}`;
}

/**
 * Adds entries to the `known:` list of a matrix file's text and returns the new text. The
 * text is edited in place rather than printed again from the parsed document, so comments,
 * quoting and line breaks elsewhere in the file stay as they were. New entries go after
 * the last entry of a block list, with `comment` on a line before them. A flow list
 * (`known: [...]`) gets them as flow mappings, and a file without a `known:` key gets a
 * new block list at its end. Throws KnownInsertError for a file whose top level is not a
 * block mapping, or whose `known:` is neither a list nor absent.
 */
export function insertKnownEntries(text: string, entries: readonly NewKnownEntry[], comment?: string): string {
  if (entries.length === 0) {
    return text;
  }

  const document = parseDocument(text);
  const root = document.contents;
  if (!isMap(root) || root.flow) {
    throw new KnownInsertError('the top level of the matrix file is not a block mapping (key: value lines)');
  }

  const pair = root.items.find((item) => isScalar(item.key) && item.key.value === 'known');
  if (pair === undefined) {
    const separator = text === '' || text.endsWith('\n') ? '' : '\n';
    return `${text}${separator}${formatKnownList(entries, comment)}`;
  }

  const list = pair.value;
  if (isSeq(list) && list.items.length > 0) {
    return list.flow ? appendToFlowList(text, list, entries) : appendToBlockList(text, list, entries, comment);
  }
  if (isSeq(list) && list.flow) {
    return replaceEmptyFlowList(text, list, entries, comment);
  }
  throw new KnownInsertError('known: is not a list of entries');
}

/** Inserts block items after the line where the last item ends, at the list's indentation. */
function appendToBlockList(text: string, list: YAMLSeq, entries: readonly NewKnownEntry[], comment: string | undefined): string {
  const start = rangeOf(list)[0];
  const indent = start - lineStart(text, start);
  const last = list.items[list.items.length - 1] as Node | null;
  const position = afterLine(text, last ? rangeOf(last)[1] : rangeOf(list)[1]);
  const separator = position > 0 && text[position - 1] !== '\n' ? '\n' : '';
  return `${text.slice(0, position)}${separator}${blockItems(entries, indent, comment)}${text.slice(position)}`;
}

/** Inserts `, { ... }` for each entry after the last item of a flow list. */
function appendToFlowList(text: string, list: YAMLSeq, entries: readonly NewKnownEntry[]): string {
  const last = list.items[list.items.length - 1] as Node;
  const position = rangeOf(last)[1];
  const items = entries.map((entry) => `, ${flowItem(entry)}`).join('');
  return `${text.slice(0, position)}${items}${text.slice(position)}`;
}

/** Replaces `known: []` with a block list under the key; a comment after `[]` stays on the key's line. */
function replaceEmptyFlowList(text: string, list: YAMLSeq, entries: readonly NewKnownEntry[], comment: string | undefined): string {
  const [start, end] = rangeOf(list);
  const keyLineStart = lineStart(text, start);
  let removeFrom = start;
  while (removeFrom > keyLineStart && (text[removeFrom - 1] === ' ' || text[removeFrom - 1] === '\t')) {
    removeFrom -= 1;
  }
  const keyIndent = text.slice(keyLineStart).search(/\S/);
  const position = afterLine(text, end);
  const separator = position > 0 && text[position - 1] !== '\n' ? '\n' : '';
  const items = blockItems(entries, keyIndent + NEW_LIST_INDENT, comment);
  const rest = text.slice(end, position);
  return `${text.slice(0, removeFrom)}${rest}${separator}${items}${text.slice(position)}`;
}

/** Renders entries as block sequence items, `- image: ...`, indented by `indent` spaces. */
function blockItems(entries: readonly NewKnownEntry[], indent: number, comment: string | undefined): string {
  // lineWidth 0 keeps each value on one line, as a reader of the matrix expects of a reason.
  const rendered = new Document(entries.map(plainEntry)).toString({ lineWidth: 0 });
  const padding = ' '.repeat(indent);
  const lines = rendered.trimEnd().split('\n').map((line) => `${padding}${line}`);
  const commentLine = comment === undefined ? [] : [`${padding}# ${comment}`];
  return `${[...commentLine, ...lines].join('\n')}\n`;
}

function flowItem(entry: NewKnownEntry): string {
  const document = new Document(plainEntry(entry));
  if (isMap(document.contents)) {
    document.contents.flow = true;
  }
  return document.toString({ lineWidth: 0 }).trimEnd();
}

/** Converts the entry to a plain object with its keys in the order the matrix loader lists them. */
function plainEntry(entry: NewKnownEntry): Record<string, string> {
  const plain: Record<string, string> = { image: entry.image, test: entry.test, runtime: entry.runtime, reason: entry.reason };
  if (entry.expires !== undefined) {
    plain.expires = entry.expires;
  }
  return plain;
}

function rangeOf(node: Node): [number, number, number] {
  if (!node.range) {
    throw new KnownInsertError('the parsed matrix file has a node without a source position');
  }
  return node.range;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Returns the offset after the newline that ends the line containing `offset`, or the text's end. */
function afterLine(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === '\n') {
    return offset;
  }
  const newline = text.indexOf('\n', offset);
  return newline === -1 ? text.length : newline + 1;
}
