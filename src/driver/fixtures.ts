import { relative } from 'node:path';
import { test as base, expect, type TestInfo } from '@playwright/test';
import { GenericContainer, type StartedTestContainer } from 'testcontainers';
import { loadMatrix } from '../matrix/loader.js';
import type { ImageSpec, Matrix } from '../matrix/types.js';
import { collectEvidence } from '../evidence/collect.js';
import { engineSandboxErrors } from '../evidence/sandbox-errors.js';
import type { TestEvidence } from '../evidence/types.js';
import { readRunContext, type RunContext, type RuntimeEndpoint } from './context.js';
import { AppContainer } from './app-container.js';
import { ReadinessWaitStrategy, describeWait, waitStrategyFor } from './wait.js';
import { ANNOTATION, EVIDENCE_ATTACHMENT, annotationValue } from './annotations.js';
import { containerLabels } from './labels.js';

/** Host that mapped container ports are reached on. */
export const APP_HOST = '127.0.0.1';

/**
 * Explicit rlimits for every container: podman's defaults exceed what a root without
 * CAP_SYS_RESOURCE may set (container start fails with "setrlimit RLIMIT_NOFILE").
 */
const CONTAINER_ULIMITS = {
  nofile: { soft: 20_000, hard: 20_000 },
  nproc: { soft: 32_768, hard: 32_768 },
};

const STOP_TIMEOUT_MS = 2_000;

/** State of one Playwright worker: a worker serves one project, so one runtime endpoint. */
export interface WorkerState {
  context: RunContext;
  matrix: Matrix;
  endpoint: RuntimeEndpoint;
}

export interface GvmatrixWorkerFixtures {
  gvmatrix: WorkerState;
}

export interface GvmatrixTestFixtures {
  /** The runtime this test runs under. */
  runtime: RuntimeEndpoint;
  /** The image's container, started and ready; removed after the test. */
  app: AppContainer;
}

/** Finds the image a test belongs to: its annotation for declarative tests, its file for suites. */
export function imageForTest(matrix: Matrix, testInfo: Pick<TestInfo, 'annotations' | 'file'>): ImageSpec {
  const named = annotationValue(testInfo.annotations, ANNOTATION.image);
  if (named) {
    const image = matrix.images.find((candidate) => candidate.name === named);
    if (!image) {
      throw new Error(`image "${named}" is not in ${matrix.file}`);
    }
    return image;
  }

  const image = matrix.images.find((candidate) => candidate.suites.includes(testInfo.file));
  if (!image) {
    throw new Error(
      `${relative(matrix.dir, testInfo.file)} is not listed under any image's suites: in ${matrix.file}; add it to the image it tests`,
    );
  }
  return image;
}

function buildContainer(image: ImageSpec, worker: WorkerState, testInfo: TestInfo, onContainer: (id: string) => void): GenericContainer {
  const readiness = new ReadinessWaitStrategy(waitStrategyFor(image.wait, APP_HOST), describeWait(image.wait), onContainer);

  let container = new GenericContainer(image.ref)
    .withExposedPorts(...image.ports)
    .withEnvironment(image.env)
    .withLabels(containerLabels(worker.context.runId, image.name, worker.endpoint.name, testInfo.title))
    .withUlimits(CONTAINER_ULIMITS)
    .withWaitStrategy(readiness)
    .withStartupTimeout(image.startupTimeoutMs);

  if (image.command) {
    container = container.withCommand(image.command);
  }
  if (image.resources.memoryBytes !== undefined || image.resources.cpus !== undefined) {
    container = container.withResourcesQuota({
      memory: image.resources.memoryBytes === undefined ? undefined : image.resources.memoryBytes / 1024 ** 3,
      cpu: image.resources.cpus,
    });
  }
  return container;
}

async function attachEvidence(testInfo: TestInfo, endpoint: RuntimeEndpoint, containerIds: string[], engineErrors: string[]): Promise<void> {
  let evidence: TestEvidence = { containerIds, logFiles: [], unsupportedSyscalls: [], panics: [] };
  if (endpoint.kind === 'runsc' && endpoint.debugLogDir && containerIds.length > 0) {
    evidence = await collectEvidence(endpoint.debugLogDir, containerIds);
  }
  const containerId = containerIds.at(-1);
  if (endpoint.kind === 'runsc' && containerId !== undefined) {
    evidence.sandboxErrors = [...(evidence.sandboxErrors ?? []), ...engineSandboxErrors(containerId, engineErrors)];
  }
  await testInfo.attach(EVIDENCE_ATTACHMENT, { body: JSON.stringify(evidence), contentType: 'application/json' });
}

export const test = base.extend<GvmatrixTestFixtures, GvmatrixWorkerFixtures>({
  gvmatrix: [
    async ({}, use, workerInfo) => {
      const context = readRunContext();
      const runtimeName = (workerInfo.project.metadata as { runtime?: string }).runtime;
      const endpoint = context.runtimes.find((runtime) => runtime.name === runtimeName);
      if (!endpoint) {
        throw new Error(`project "${workerInfo.project.name}" names runtime "${runtimeName}", which this run has no endpoint for`);
      }

      // testcontainers creates one client per process on first use, from these variables.
      process.env.DOCKER_HOST = `unix://${endpoint.socket}`;
      process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
      process.env.TESTCONTAINERS_HOST_OVERRIDE = APP_HOST;

      const matrix = await loadMatrix(context.matrixFile);
      await use({ context, matrix, endpoint });
    },
    { scope: 'worker' },
  ],

  runtime: async ({ gvmatrix }, use) => {
    await use(gvmatrix.endpoint);
  },

  app: async ({ gvmatrix }, use, testInfo) => {
    const image = imageForTest(gvmatrix.matrix, testInfo);
    if (!annotationValue(testInfo.annotations, ANNOTATION.image)) {
      testInfo.annotations.push(
        { type: ANNOTATION.image, description: image.name },
        { type: ANNOTATION.test, description: testInfo.title },
        { type: ANNOTATION.source, description: 'suite' },
      );
    }

    const containerIds: string[] = [];
    const engineErrors: string[] = [];
    let started: StartedTestContainer | undefined;
    try {
      const container = buildContainer(image, gvmatrix, testInfo, (id) => containerIds.push(id));
      started = await container.start();
      await use(new AppContainer(started, image.name, gvmatrix.endpoint.name, APP_HOST, (message) => engineErrors.push(message)));
    } finally {
      if (started) {
        await started.stop({ timeout: STOP_TIMEOUT_MS, remove: true });
      }
      await attachEvidence(testInfo, gvmatrix.endpoint, containerIds, engineErrors);
    }
  },
});

export { expect };
