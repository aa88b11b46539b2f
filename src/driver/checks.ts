import { expect, type TestInfo } from '@playwright/test';
import type { Check, Pattern } from '../matrix/types.js';
import { OBSERVED_ATTACHMENT } from './annotations.js';
import type { AppContainer } from './app-container.js';
import { attachComparedValues } from './compare.js';
import { formatHeaders } from './compared-values.js';
import { escapeControlCharacters, excerpt, truncateOutput } from './output-text.js';
import { formatPattern, patternToRegExp } from './patterns.js';
import { StageTimeoutError } from '../engine/stage-timeout.js';
import { HttpTimeoutError, sendHttpCheck } from './http-client.js';

export { excerpt, MAX_STORED_OUTPUT, truncateOutput } from './output-text.js';

/** Characters of a container's output that a failed expectation quotes. */
const FAILURE_OUTPUT_LENGTH = 2_000;

/** Asserts that a value matches a pattern; the message names `subject` and shows the value received. */
export function expectMatches(actual: string, pattern: Pattern, subject: string): void {
  const matches = pattern.kind === 'regex' ? patternToRegExp(pattern).test(actual) : actual.includes(pattern.text);
  if (matches) {
    return;
  }

  // The message's first line becomes the verdict message, so it names the value received.
  // Playwright's error quotes the whole received string, so it gets the value cut short.
  const verb = pattern.kind === 'regex' ? 'match' : 'contain';
  const message = `${subject} does not ${verb} ${formatPattern(pattern)}: got ${excerpt(actual)}`;
  const quotedOutput = escapeControlCharacters(truncateOutput(actual, FAILURE_OUTPUT_LENGTH));
  if (pattern.kind === 'regex') {
    expect(quotedOutput, message).toMatch(patternToRegExp(pattern));
  } else {
    expect(quotedOutput, message).toContain(pattern.text);
  }
  // A pattern may match the cut value but not the whole one, an anchored one for example.
  throw new Error(message);
}

/** Runs an `exec:` check and asserts its expectations; the observed and compared values are attached first. */
async function runExecCheck(check: Extract<Check, { kind: 'exec' }>, app: AppContainer, timeoutMs: number, testInfo: TestInfo): Promise<void> {
  const result = await app.exec(check.command, { timeoutMs });
  const command = check.command.join(' ');
  await testInfo.attach(OBSERVED_ATTACHMENT, {
    body: JSON.stringify({ kind: 'exec', command: check.command, exitCode: result.exitCode, stdout: truncateOutput(result.stdout), stderr: truncateOutput(result.stderr) }),
    contentType: 'application/json',
  });
  if (check.compare) {
    const named = { exitCode: String(result.exitCode), stdout: result.stdout, stderr: result.stderr };
    await attachComparedValues(check.compare, { named }, app, timeoutMs, testInfo);
  }

  if (check.expect.exitCode !== undefined) {
    const output = `${result.stdout}\n${result.stderr}`.trim();
    const message = `\`${command}\` exited with ${result.exitCode}, expected ${check.expect.exitCode}; output: ${excerpt(output)}`;
    expect(result.exitCode, `${message}\n${escapeControlCharacters(truncateOutput(output, FAILURE_OUTPUT_LENGTH))}`).toBe(check.expect.exitCode);
  }
  for (const pattern of check.expect.stdout) {
    expectMatches(result.stdout, pattern, `stdout of \`${command}\``);
  }
  for (const pattern of check.expect.stderr) {
    expectMatches(result.stderr, pattern, `stderr of \`${command}\``);
  }
}

/** Sends an `http:` check's request from the host to the mapped port with Node's client and asserts the response after attaching it. */
async function runHttpCheck(
  check: Extract<Check, { kind: 'http' }>,
  app: AppContainer,
  timeoutMs: number,
  testInfo: TestInfo,
): Promise<void> {
  const url = app.url(check.port, check.path);
  const requestLine = `${check.method} ${check.path} on port ${check.port}`;
  const response = await sendHttpCheck({ url, method: check.method, headers: check.headers, body: check.body, timeoutMs }).catch((error: unknown) => {
    if (error instanceof HttpTimeoutError) {
      const subject = { image: app.image, runtime: app.runtime, container: app.containerId };
      throw new StageTimeoutError('HTTP check', `check ${requestLine}`, timeoutMs, subject);
    }
    throw new Error(`${requestLine} failed: ${error instanceof Error ? error.message : String(error)}`);
  });
  const { status, headers, body } = response;
  await testInfo.attach(OBSERVED_ATTACHMENT, {
    body: JSON.stringify({ kind: 'http', url, status, headers, body: truncateOutput(body) }),
    contentType: 'application/json',
  });
  if (check.compare) {
    const named = { status: String(status), body, headers: formatHeaders(response.headersArray) };
    await attachComparedValues(check.compare, { named, headers }, app, timeoutMs, testInfo);
  }

  if (check.expect.status !== undefined) {
    expect(status, `${requestLine} returned status ${status}, expected ${check.expect.status}; body: ${excerpt(body)}`).toBe(check.expect.status);
  }
  for (const pattern of check.expect.body) {
    expectMatches(body, pattern, `body of ${requestLine}`);
  }
  for (const [name, pattern] of Object.entries(check.expect.headers)) {
    const value = headers[name.toLowerCase()];
    expect(value, `${requestLine} has no ${name} header`).toBeDefined();
    expectMatches(value ?? '', pattern, `header ${name} of ${requestLine}`);
  }
}

/** Runs one exec or http check against the started application; steps tests run through runStepsCheck. */
export async function runCheck(check: Exclude<Check, { kind: 'steps' }>, app: AppContainer, timeoutMs: number, testInfo: TestInfo): Promise<void> {
  if (check.kind === 'exec') {
    await runExecCheck(check, app, timeoutMs, testInfo);
  } else {
    await runHttpCheck(check, app, timeoutMs, testInfo);
  }
}
