import type { TestCase as JUnitTestCase } from 'junit-report-builder';
import type { XMLElement } from 'xmlbuilder';
import { toXmlText } from './xml-text.js';

/**
 * Marks a testcase as skipped with a reason: `<skipped message="REASON">REASON</skipped>`.
 * Surefire writes the reason in the `message` attribute, and Jenkins' JUnit plugin reads
 * it from there. GitLab shows the element's text instead, so the reason goes into both.
 *
 * junit-report-builder 5.1 writes an empty `<skipped/>`, so this wraps the testcase's
 * public build(parent) step, as addFlakyFailures does, and fills in the element it wrote.
 */
export function markSkipped(testCase: JUnitTestCase, reason: string): void {
  testCase.skipped();

  const text = toXmlText(reason);
  const buildTestCase = testCase.build.bind(testCase);
  testCase.build = (parent: XMLElement): XMLElement => {
    const element = buildTestCase(parent);
    const skipped = element.children.find(
      (child): child is XMLElement => 'name' in child && (child as XMLElement).name === 'skipped',
    );
    if (skipped && text !== '') {
      skipped.att('message', text).txt(text);
    }
    return element;
  };
}
