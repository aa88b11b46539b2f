import type { TestInfo } from '@playwright/test';
import { containerRuntimeClient } from './testcontainers-module.js';
import { observableName } from '../matrix/compare.js';
import type { Comparison, Observable, StepValue } from '../matrix/types.js';
import type { AppContainer } from './app-container.js';
import { COMPARE_ATTACHMENT, recordComparedValue, type ComparedValue, type ObservedText } from './compared-values.js';
import type { NormalizeContext } from './normalize.js';

type NamedObservable = Exclude<Observable, { kind: 'header' | 'file' | 'step' }>['kind'];

/** The values a finished check observed, from which its compared observables are taken. */
export interface CheckObservation {
  /** exitCode, stdout and stderr of an exec check, or status, body and headers of an http check, as text. */
  named: Partial<Record<NamedObservable, string>>;
  /** Response headers by lower-case name, for `{ header: NAME }`. */
  headers?: Record<string, string>;
  /** exitCode, stdout and stderr of each named step of a steps test, as text, for `{ step: NAME, value: ... }`. */
  steps?: Record<string, Partial<Record<StepValue, string>>>;
}

/**
 * Reads every observable of a test's `compare:`, normalizes it and attaches the values
 * as `gvmatrix-compare`. Files are read with `cat` inside the container after the check
 * ran; a file that cannot be read becomes an error value. Runs before the check's
 * expectations are asserted, so a failed test still shows what it observed.
 */
export async function attachComparedValues(
  comparison: Comparison,
  observation: CheckObservation,
  app: AppContainer,
  timeoutMs: number,
  testInfo: TestInfo,
): Promise<ComparedValue[]> {
  // Only the built-in normalizers use the hostname, so the inspect call is skipped without them.
  const hostname = comparison.builtinNormalizers ? await containerHostname(app) : undefined;
  const context: NormalizeContext = { containerId: app.containerId, hostname };

  const values: ComparedValue[] = [];
  for (const observable of comparison.observables) {
    const observed = await readObservable(observable, observation, app, timeoutMs);
    values.push(recordComparedValue(observableName(observable), observed, comparison, context));
  }

  await testInfo.attach(COMPARE_ATTACHMENT, { body: JSON.stringify(values), contentType: 'application/json' });
  return values;
}

async function readObservable(observable: Observable, observation: CheckObservation, app: AppContainer, timeoutMs: number): Promise<ObservedText> {
  switch (observable.kind) {
    case 'file':
      return readContainerFile(app, observable.path, timeoutMs);
    case 'step': {
      const value = observation.steps?.[observable.step]?.[observable.value];
      return value === undefined ? { error: `step "${observable.step}" recorded no ${observable.value}` } : { text: value };
    }
    case 'header': {
      const value = observation.headers?.[observable.name];
      return value === undefined ? { error: `the response has no ${observable.name} header` } : { text: value };
    }
    default: {
      const value = observation.named[observable.kind];
      // The loader accepts only observables of the test's own check kind, so this means a driver bug.
      return value === undefined ? { error: `a ${observable.kind} value is not observed by this kind of check` } : { text: value };
    }
  }
}

/** Reads a file with `cat` inside the container; a failure becomes an error value naming the command and its output. */
async function readContainerFile(app: AppContainer, path: string, timeoutMs: number): Promise<ObservedText> {
  try {
    const result = await app.exec(['cat', '--', path], { timeoutMs });
    if (result.exitCode === 0) {
      return { text: result.stdout };
    }
    const output = `${result.stderr}\n${result.stdout}`.split('\n').find((line) => line.trim() !== '')?.trim() ?? 'no output';
    return { error: `\`cat -- ${path}\` exited with ${result.exitCode}: ${output}` };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { error: `\`cat -- ${path}\` failed: ${reason}` };
  }
}

/** Returns the hostname Podman gave the container, read from its configuration. */
async function containerHostname(app: AppContainer): Promise<string | undefined> {
  try {
    const client = await containerRuntimeClient();
    const info = await client.container.inspect(client.container.getById(app.containerId));
    return info.Config.Hostname || undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `failed to inspect container ${app.containerId.slice(0, 12)} (${app.image}, ${app.runtime}) for the hostname that compared values are normalized with: ${reason}`,
      { cause: error },
    );
  }
}
