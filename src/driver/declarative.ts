/**
 * Declares one Playwright test per `tests:` entry of matrix.yaml. The generated spec file
 * in the run folder imports this module; the project (runtime) decides where it runs.
 */
import { loadMatrix } from '../matrix/loader.js';
import { readRunContext } from './context.js';
import { test } from './fixtures.js';
import { runCheck } from './checks.js';
import { runStepsCheck } from './steps.js';
import { ANNOTATION } from './annotations.js';
import { selectImages, testTimeoutMs } from './selection.js';

const context = readRunContext();
const matrix = await loadMatrix(context.matrixFile);

for (const image of selectImages(matrix, context.images)) {
  test.describe(image.name, () => {
    for (const matrixTest of image.tests) {
      // An untitled group per test carries that test's own timeout and retries.
      test.describe(() => {
        test.describe.configure({ retries: matrixTest.retries, timeout: testTimeoutMs(image, matrixTest.timeoutMs) });

        const annotation = [
          { type: ANNOTATION.image, description: image.name },
          { type: ANNOTATION.test, description: matrixTest.name },
          { type: ANNOTATION.source, description: 'matrix' },
        ];
        test(matrixTest.name, { annotation }, async ({ app, runtime }, testInfo) => {
          const check = matrixTest.check;
          if (check.kind === 'steps') {
            await runStepsCheck(check, app, { endpoint: runtime, mountPaths: app.mountPaths }, matrixTest.timeoutMs, testInfo);
          } else {
            await runCheck(check, app, matrixTest.timeoutMs, testInfo);
          }
        });
      });
    }
  });
}
