/**
 * The API for suites/ spec files: `import { test, expect } from 'gvmatrix/suite'`.
 * Each test gets `app` (the container of the image that lists the suite, started and
 * ready) and `runtime`, besides Playwright's own fixtures such as `request`.
 */
export { test, expect } from './fixtures.js';
export type { AppContainer, ExecOutput } from './app-container.js';
export type { RuntimeEndpoint } from './context.js';
