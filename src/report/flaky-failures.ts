import type { TestCase as JUnitTestCase } from 'junit-report-builder';
import type { XMLElement } from 'xmlbuilder';
import { firstLine } from './first-line.js';
import type { FailedTry } from './types.js';
import { toCdataText, toXmlText } from './xml-text.js';

/** Testcase children that Surefire's schema (surefire-test-report-3.0.xsd) places after the flaky elements. */
const AFTER_FLAKY_ELEMENTS = new Set(['skipped', 'error', 'rerunError', 'flakyError', 'system-out', 'system-err']);

/**
 * Makes a passing testcase carry one Surefire `<flakyFailure message type>` element per
 * failed try, each with the try's error in `<stackTrace>`. Jenkins, GitLab and Maven's
 * own report tools read these to mark a test that passed on retry as flaky.
 *
 * junit-report-builder 5.1 has no such element, so this wraps the testcase's public
 * build(parent) step: after the builder writes its element, the flaky elements go in
 * before system-out and system-err, where the schema puts them. The builder's counts do
 * not change, so the testcase still counts as passed.
 */
export function addFlakyFailures(testCase: JUnitTestCase, tries: readonly FailedTry[]): void {
  if (tries.length === 0) {
    return;
  }

  const buildTestCase = testCase.build.bind(testCase);
  testCase.build = (parent: XMLElement): XMLElement => {
    const element = buildTestCase(parent);
    const following = element.children.find(
      (child): child is XMLElement => 'name' in child && AFTER_FLAKY_ELEMENTS.has((child as XMLElement).name),
    );

    for (const failedTry of tries) {
      const attributes = { message: toXmlText(flakyMessage(failedTry)), type: failedTry.outcome };
      const flaky = following ? following.insertBefore('flakyFailure', attributes) : element.ele('flakyFailure', attributes);
      const stackTrace = flaky.ele('stackTrace');
      const text = toCdataText(failedTry.error ?? '');
      if (text !== '') {
        stackTrace.cdata(text);
      }
    }
    return element;
  };
}

function flakyMessage(failedTry: FailedTry): string {
  const reason = failedTry.error ? firstLine(failedTry.error) : `${failedTry.outcome} with no error message`;
  return `try ${failedTry.attempt}: ${reason}`;
}
