import { stripControlCharacters } from './ansi.js';

/**
 * Markup that is already escaped. Only the `html` template and the few constants of the
 * report make one, so a string from a container (a test name, an error, a log line) can
 * reach the page only through escapeHtml.
 */
export class SafeHtml {
  constructor(readonly markup: string) {}

  toString(): string {
    return this.markup;
  }
}

/** A value the `html` template accepts: nothing (undefined, null, false) renders as empty text. */
export type HtmlValue = SafeHtml | string | number | undefined | null | false | readonly HtmlValue[];

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for HTML element content and quoted attribute values, after removing ANSI
 * escape sequences and control characters, which browsers show as boxes or drop and
 * which runsc logs and test output contain.
 */
export function escapeHtml(text: string): string {
  return stripControlCharacters(text)
    .replace(/[&<>"']/g, (character) => ENTITIES[character] ?? character);
}

/**
 * Template tag that escapes every interpolated value unless it is SafeHtml, and renders
 * arrays item by item. Attribute values in the template must be in double quotes.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let markup = strings[0] ?? '';
  values.forEach((value, index) => {
    markup += render(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(markup);
}

function render(value: HtmlValue): string {
  if (value === undefined || value === null || value === false) {
    return '';
  }
  if (value instanceof SafeHtml) {
    return value.markup;
  }
  if (Array.isArray(value)) {
    return value.map(render).join('');
  }
  return escapeHtml(String(value));
}
