import type { Node } from 'yaml';
import type { ImageEntry } from './images.js';
import { isIsoDate } from './iso-date.js';
import { suggestion } from './suggest.js';
import type { KnownIncompatibility, Pattern, RuntimeVariant } from './types.js';
import type { Field, Fields, YamlReader } from './yaml-reader.js';

const KNOWN_KEYS = ['image', 'test', 'runtime', 'reason', 'link', 'expires'] as const;

const KNOWN_EXAMPLE = '{ image: nginx, test: serves the default page, runtime: runsc, reason: "why it fails" }';

/** Reads `known:`, the expected incompatibilities, and checks that each names a real image, test and runtime. */
export function readKnown(
  reader: YamlReader,
  field: Field | undefined,
  images: readonly ImageEntry[],
  runtimes: readonly RuntimeVariant[],
): KnownIncompatibility[] {
  if (field === undefined) return [];

  const items = reader.list(field.value, 'known', `[${KNOWN_EXAMPLE}]`);
  if (items === undefined) return [];

  const entries: KnownIncompatibility[] = [];
  for (const item of items) {
    const entry = readEntry(reader, item, images, runtimes);
    if (entry !== undefined) entries.push(entry);
  }
  return entries;
}

function readEntry(
  reader: YamlReader,
  node: Node | null,
  images: readonly ImageEntry[],
  runtimes: readonly RuntimeVariant[],
): KnownIncompatibility | undefined {
  const fields = reader.mapping(node, 'known entry', KNOWN_KEYS);
  if (fields === undefined) return undefined;

  const imageField = required(reader, fields, 'image', 'the image name');
  const testField = required(reader, fields, 'test', 'the name of the failing test');
  const runtimeField = required(reader, fields, 'runtime', 'the runtime name or a /regex/ over runtime names');
  const reasonField = required(reader, fields, 'reason', 'why the test fails under that runtime');
  const linkField = fields.get('link');
  const expiresField = fields.get('expires');

  const image = imageField && readImageName(reader, imageField.value, images);
  const test = testField && image && readTestName(reader, testField.value, image);
  const runtime = runtimeField && readRuntimePattern(reader, runtimeField.value, runtimes);
  const reason = reasonField && reader.string(reasonField.value, 'reason');
  const link = linkField && readLink(reader, linkField.value);
  const expires = expiresField && readDate(reader, expiresField.value);

  if (image === undefined || test === undefined || runtime === undefined || reason === undefined) return undefined;
  if ((linkField !== undefined && link === undefined) || (expiresField !== undefined && expires === undefined)) return undefined;

  const entry: KnownIncompatibility = { image: image.spec.name, test, runtime, reason, location: reader.locate(fields.node) };
  if (link !== undefined) entry.link = link;
  if (expires !== undefined) entry.expires = expires;
  return entry;
}

function required(reader: YamlReader, fields: Fields, key: string, meaning: string): Field | undefined {
  const field = fields.get(key);
  if (field === undefined) reader.reportAt(fields.node, `known entry has no ${key}:; add ${meaning}`);
  return field;
}

function readImageName(reader: YamlReader, node: Node | null, images: readonly ImageEntry[]): ImageEntry | undefined {
  const name = reader.string(node, 'image');
  if (name === undefined) return undefined;

  const image = images.find((entry) => entry.spec.name === name);
  if (image === undefined) {
    const names = images.map((entry) => entry.spec.name);
    reader.reportAt(node, `known entry names image "${name}", which is not in images:; ${suggestion(name, names, 'images')}`);
  }
  return image;
}

/**
 * Reads the test name. An image with suites accepts any name, because the tests of a
 * Playwright suite are known only when it runs.
 */
function readTestName(reader: YamlReader, node: Node | null, image: ImageEntry): string | undefined {
  const name = reader.text(node, 'test');
  if (name === undefined) return undefined;

  if (image.spec.suites.length > 0 || image.testNames.has(name)) return name;

  reader.reportAt(
    node,
    `image "${image.spec.name}" has no test "${name}"; ${suggestion(name, [...image.testNames], 'test names')}`,
  );
  return undefined;
}

/**
 * Reads the runtime: a runtime name, or a /regex/ over runtime names. Either must reach a
 * sandbox runtime, because a known entry describes a failure under a sandbox and the
 * baseline is what it is compared with.
 */
function readRuntimePattern(reader: YamlReader, node: Node | null, runtimes: readonly RuntimeVariant[]): Pattern | undefined {
  const pattern = reader.pattern(node, 'runtime');
  if (pattern === undefined) return undefined;

  const sandboxes = runtimes.filter((runtime) => !runtime.baseline).map((runtime) => runtime.name);
  const baseline = runtimes.find((runtime) => runtime.baseline);
  if (sandboxes.length === 0) return pattern;

  if (pattern.kind === 'regex') {
    const regex = new RegExp(pattern.source, pattern.flags);
    if (!sandboxes.some((name) => regex.test(name))) {
      reader.reportAt(node, `runtime pattern /${pattern.source}/${pattern.flags} matches no sandbox runtime; the sandbox runtimes are ${sandboxes.join(', ')}`);
      return undefined;
    }
    return pattern;
  }

  if (baseline !== undefined && pattern.text === baseline.name) {
    reader.reportAt(node, `runtime "${pattern.text}" is the baseline; a known entry names the sandbox runtime where the test fails`);
    return undefined;
  }
  if (!runtimes.some((runtime) => runtime.name === pattern.text)) {
    reader.reportAt(node, `known entry names runtime "${pattern.text}", which is not in runtimes:; ${suggestion(pattern.text, sandboxes, 'runtimes')}`);
    return undefined;
  }
  return pattern;
}

function readLink(reader: YamlReader, node: Node | null): string | undefined {
  const link = reader.string(node, 'link');
  if (link === undefined) return undefined;

  if (!URL.canParse(link)) {
    reader.reportAt(node, `link "${link}" is not a URL; write the full address, such as https://gvisor.dev/docs/`);
    return undefined;
  }
  return link;
}

/** Reads a calendar date written as YYYY-MM-DD. */
function readDate(reader: YamlReader, node: Node | null): string | undefined {
  const date = reader.string(node, 'expires');
  if (date === undefined) return undefined;

  if (!isIsoDate(date)) {
    reader.reportAt(node, `expires must be a date written as YYYY-MM-DD, such as 2027-01-31; got "${date}"`);
    return undefined;
  }
  return date;
}
