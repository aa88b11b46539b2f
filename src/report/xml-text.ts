import { stripAnsi } from './ansi.js';

/**
 * Characters XML 1.0 forbids anywhere in a document: C0 controls other than tab, LF and
 * CR, lone surrogates, and U+FFFE and U+FFFF. With the `u` flag a surrogate range
 * matches only unpaired halves, because a valid pair reads as one code point.
 */
const FORBIDDEN_IN_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/gu;

/**
 * Makes text safe to hand to the JUnit builder: removes ANSI escape sequences first,
 * so no `[31m` remains after the ESC itself is dropped, then every character XML 1.0
 * forbids. Test errors and runsc logs carry both, and one of them makes the whole
 * report unreadable to a strict parser.
 */
export function toXmlText(text: string): string {
  return stripAnsi(text).replace(FORBIDDEN_IN_XML, '');
}

/**
 * Prepares text for a CDATA section (failure bodies, system-out). junit-report-builder
 * 5.1 splits only the first `]]>` of a CDATA text, so a second one would end the section
 * early. Writing each as `]]&gt;`, as Playwright's own JUnit reporter does, keeps the
 * document well-formed at the cost of one changed character.
 */
export function toCdataText(text: string): string {
  return toXmlText(text).replace(/]]>/g, ']]&gt;');
}
