import { randomBytes } from 'node:crypto';
import { relative } from 'node:path';
import { test as base, expect, type TestInfo } from '@playwright/test';
import type { GenericContainer, StartedTestContainer } from 'testcontainers';
import { containerRuntimeClient, loadTestcontainers, type Testcontainers } from './testcontainers-module.js';
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
import { TIMING_ATTACHMENT, TryTimer, type TestTiming } from './timing.js';
import { StageGuard } from './stage-guard.js';
import { containerIdByName, removeTestContainer } from './teardown.js';
import { STAGE_TIMEOUT_MS } from '../engine/stage-timeout.js';
import { readEndpointExit } from '../engine/endpoint-exit.js';
import { bindFor, prepareMountDirectories, releaseMountDirectories, type MountDirectories } from './mount-dirs.js';
import { usernsFor, usernsMode } from './userns.js';

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

/**
 * Returns a GenericContainer subclass that also sets what testcontainers has no builder
 * for: binds with Podman's own options (`U`) and the user namespace. It is built once the
 * worker has loaded testcontainers.
 */
function matrixContainerClass({ GenericContainer }: Testcontainers) {
  return class MatrixContainer extends GenericContainer {
    withPodmanBinds(binds: string[]): this {
      this.hostConfig.Binds = binds;
      return this;
    }

    withUsernsMode(mode: string): this {
      this.hostConfig.UsernsMode = mode;
      return this;
    }
  };
}

let MatrixContainer: ReturnType<typeof matrixContainerClass> | undefined;

function buildContainer(
  testcontainers: Testcontainers,
  image: ImageSpec,
  worker: WorkerState,
  testInfo: TestInfo,
  guard: StageGuard,
  mounts: MountDirectories | undefined,
  onContainer: (id: string) => void,
): GenericContainer {
  const readiness = new ReadinessWaitStrategy(waitStrategyFor(image.wait, APP_HOST, testcontainers), describeWait(image.wait), onContainer, () => guard.subject());

  MatrixContainer ??= matrixContainerClass(testcontainers);
  let container = new MatrixContainer(image.ref)
    .withName(guard.container ?? '')
    .withExposedPorts(...image.ports)
    .withEnvironment(image.env)
    .withLabels(containerLabels(worker.context.runId, image.name, worker.endpoint.name, testInfo.title))
    .withUlimits(CONTAINER_ULIMITS)
    .withWaitStrategy(readiness)
    .withStartupTimeout(image.startupTimeoutMs);

  if (image.command) {
    container = container.withCommand(image.command);
  }
  if (mounts !== undefined) {
    container = container.withPodmanBinds(image.mounts.map((mount) => bindFor(mount, mounts.paths.get(mount.name)!)));
  }
  const userns = usernsFor(worker.matrix, image, worker.endpoint.name);
  if (userns !== undefined) {
    container = container.withUsernsMode(usernsMode(userns, worker.endpoint, image.name));
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

/** Returns the `slowRatio:` of a matrix test, else its image's, which the loader resolved against `defaults:`. */
function slowRatioFor(image: ImageSpec, testInfo: Pick<TestInfo, 'annotations'>): number {
  const testName = annotationValue(testInfo.annotations, ANNOTATION.test);
  return image.tests.find((candidate) => candidate.name === testName)?.slowRatio ?? image.slowRatio;
}

/**
 * Marks the last failed try of a matrix.yaml test as an expected failure, so Playwright
 * keeps the worker for the next test instead of starting a new one (about a second each,
 * docs/benchmarks.md). The try's status stays `failed`, and the reporters read that status,
 * so reports and progress output still show the failure. Earlier tries are left alone,
 * because Playwright retries only unexpected failures. Suites are left alone too, since
 * their retries are not known here.
 */
function keepWorkerAfterLastFailure(image: ImageSpec, testInfo: TestInfo, startFailed: boolean): void {
  const failed = startFailed || testInfo.status === 'failed';
  if (!failed || annotationValue(testInfo.annotations, ANNOTATION.source) !== 'matrix') {
    return;
  }
  const testName = annotationValue(testInfo.annotations, ANNOTATION.test);
  const retries = image.tests.find((candidate) => candidate.name === testName)?.retries;
  if (retries !== undefined && testInfo.retry >= retries) {
    testInfo.fail();
  }
}

async function attachTiming(testInfo: TestInfo, timing: TestTiming): Promise<void> {
  await testInfo.attach(TIMING_ATTACHMENT, { body: JSON.stringify(timing), contentType: 'application/json' });
}

/** Removes a try's mount directories, or keeps a failed try's small ones and names them in an annotation. */
async function keepOrRemoveMounts(mounts: MountDirectories, failed: boolean, testInfo: TestInfo): Promise<void> {
  const kept = await releaseMountDirectories(mounts, failed);
  if (kept !== undefined) {
    testInfo.annotations.push({ type: ANNOTATION.mounts, description: kept });
  }
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
      // Creating the client queries the engine, so it is created here, outside the first test's start latency.
      try {
        await containerRuntimeClient();
      } catch (error) {
        // After the runtime's API service died, each test's stage guard reports it with the
        // image and runtime, which testcontainers' own error does not name.
        if ((await readEndpointExit(context.runDir, endpoint.name)) === undefined) {
          throw error;
        }
      }

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
    const timer = new TryTimer();
    const guard = new StageGuard(gvmatrix.context.runDir, gvmatrix.endpoint, image.name);
    // A name chosen here lets teardown find a container whose start never returned its id.
    guard.container = `gvmatrix-${gvmatrix.context.runId.slice(-6)}-${randomBytes(4).toString('hex')}`;
    const engineErrors: string[] = [];
    let started: StartedTestContainer | undefined;
    let startError: unknown;
    let mounts: MountDirectories | undefined;
    try {
      if (image.mounts.length > 0) {
        mounts = await prepareMountDirectories(image.mounts, gvmatrix.context.runDir, gvmatrix.endpoint, image.name, testInfo.title, testInfo.retry);
      }
      const container = buildContainer(await loadTestcontainers(), image, gvmatrix, testInfo, guard, mounts, (id) => {
        containerIds.push(id);
        guard.container = id;
        timer.markRunning();
      });
      const stage = () => (containerIds.length > 0 ? `readiness wait for ${describeWait(image.wait)}` : 'create and start');
      started = await guard.run('container start', stage, image.startupTimeoutMs + STAGE_TIMEOUT_MS.containerStartAllowance, () => container.start());
      timer.markReady();
      await use(new AppContainer(started, image.name, gvmatrix.endpoint.name, APP_HOST, mounts?.paths, (message) => engineErrors.push(message)));
      timer.markChecked();
    } catch (error) {
      startError = error;
      throw error;
    } finally {
      if (containerIds.length === 0 && guard.container) {
        // A container that runsc failed to create or start has logs under its id only.
        const id = await containerIdByName(gvmatrix.endpoint.socket, guard.container);
        if (id !== undefined) {
          containerIds.push(id);
        }
      }
      const { problems, notes } = await removeTestContainer(guard, gvmatrix.endpoint.socket, started);
      if (notes.length > 0) {
        testInfo.annotations.push({ type: ANNOTATION.teardown, description: notes.join('\n') });
      }
      await attachEvidence(testInfo, gvmatrix.endpoint, containerIds, engineErrors);
      await attachTiming(testInfo, timer.timing(slowRatioFor(image, testInfo)));
      if (mounts !== undefined) {
        await keepOrRemoveMounts(mounts, started === undefined || testInfo.status !== testInfo.expectedStatus, testInfo);
      }
      // A start error fails the test only after this block, so it counts here on its own.
      keepWorkerAfterLastFailure(image, testInfo, startError !== undefined);
      if (problems.length > 0) {
        // A teardown problem is added to a start error rather than hiding it.
        if (startError instanceof Error) {
          startError.message += `\n${problems.join('\n')}`;
        } else {
          throw new Error(problems.join('\n'));
        }
      }
    }
  },
});

export { expect };
