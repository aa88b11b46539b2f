import { isMap, type Node } from 'yaml';
import type { NormalizeRule, Pattern } from './types.js';
import type { YamlReader } from './yaml-reader.js';

const RULE_KEYS = ['pattern', 'replace'] as const;

const RULE_EXAMPLE = '[{ pattern: "/request-id: \\\\w+/", replace: "request-id: <id>" }]';

/**
 * Reads a `normalize:` list of `{ pattern, replace }` rules, as written under `defaults:`,
 * an image or a test. Returns undefined after reporting an issue.
 */
export function readNormalizeRules(reader: YamlReader, node: Node | null): NormalizeRule[] | undefined {
  if (isMap(node)) {
    reader.reportAt(
      node,
      `normalize must be a list of { pattern, replace } rules, such as ${RULE_EXAMPLE}; got a mapping. ` +
        'To turn the built-in normalizers off, write builtinNormalizers: false beside it',
    );
    return undefined;
  }

  const items = reader.list(node, 'normalize', RULE_EXAMPLE);
  if (items === undefined) return undefined;

  const rules = items.map((item) => readRule(reader, item));
  return rules.every((rule): rule is NormalizeRule => rule !== undefined) ? rules : undefined;
}

function readRule(reader: YamlReader, node: Node | null): NormalizeRule | undefined {
  const fields = reader.mapping(node, 'each normalize rule', RULE_KEYS);
  if (fields === undefined) return undefined;

  const patternField = fields.get('pattern');
  const replaceField = fields.get('replace');
  if (patternField === undefined) {
    reader.reportAt(node, 'normalize rule has no pattern:; add the text or /regex/ to replace, such as pattern: "/id=\\\\d+/"');
  }
  if (replaceField === undefined) {
    reader.reportAt(node, 'normalize rule has no replace:; add the replacement text, or replace: "" to delete each match');
  }

  const pattern = patternField === undefined ? undefined : reader.pattern(patternField.value, 'normalize pattern');
  const replace = replaceField === undefined ? undefined : reader.text(replaceField.value, 'normalize replace');
  if (pattern === undefined || replace === undefined) return undefined;

  if (matchesEmptyText(pattern)) {
    reader.reportAt(
      patternField!.value,
      'normalize pattern matches the empty string, so the replacement would go between every character; ' +
        'make it match at least one character, for example with + instead of *',
    );
    return undefined;
  }
  return { pattern, replace };
}

function matchesEmptyText(pattern: Pattern): boolean {
  if (pattern.kind === 'literal') return pattern.text === '';
  return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')).test('');
}
