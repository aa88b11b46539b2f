import { createRequire } from 'node:module';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { release, userInfo } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MEMORY_NODE_FLAGS } from './node-flags.js';
import { execa } from 'execa';
import { loadMatrix } from '../matrix/loader.js';
import type { Matrix, RuntimeVariant } from '../matrix/types.js';
import { prepareImages } from '../engine/images.js';
import { withRootlessFlags } from '../engine/rootless.js';
import { avoidsNetstack } from '../engine/netstack.js';
import { normalizeFlag } from '../engine/runtimes.js';
import { currentPodman, rootlessPodman } from '../engine/podman.js';
import { copyImages } from '../engine/image-copy.js';
import { EngineSession, newRunId, newRunRecord } from '../engine/session.js';
import { formatEndpointExit, formatEndpointExits } from '../engine/endpoint-exit.js';
import { removeRunRecord, writeRunRecord } from '../engine/run-record.js';
import { formatSweptRun, sweepDeadRuns } from '../engine/run-sweep.js';
import { lockReportsFolder, releaseDeadRunLock } from './reports-lock.js';
import { InterruptedError, RunInterrupts } from './interrupts.js';
import { CONTEXT_ENV, partialReportsDir, type RunContext } from '../driver/context.js';
import { writeSpecFiles } from '../driver/specs.js';
import { WORKERS_ENV } from '../driver/workers.js';
import { selectImages } from '../driver/selection.js';
import { formatShard, selectShard, type ShardSpec } from '../driver/shard.js';
import { DEFAULT_FAIL_ON, type FailOnPolicy } from '../report/gate.js';
import type { RunReport } from '../report/types.js';
import { HTML_FILE, JUNIT_FILE, RESULTS_FILE } from '../report/write-reports.js';
import { EXIT, UsageError } from './exit-status.js';
import { progress } from './progress.js';
import { runPreflight } from './doctor/preflight.js';
import { runWorkers, usernsAutoUses } from './doctor/userns-auto.js';
import { describeRunScope } from './run-scope.js';
import { writeEmptyShardReports } from './empty-shard.js';
import { printRunResult, type RunOutputOptions } from './run-output.js';

export interface RunOptions {
  matrix: string;
  image?: string[];
  runtime?: string[];
  workers?: number;
  reports: string;
  /** Skips the build of images that exist already, even when their folder changed. */
  build: boolean;
  /** Images built or pulled at a time; the number of CPUs when unset. */
  buildJobs?: number;
  /** Runs through rootless Podman; the matrix's `engine.rootless` when unset. */
  rootless?: boolean;
  /** The account for rootless runs; the matrix's `engine.user` when unset. */
  rootlessUser?: string;
  /** Runs only this shard's images (src/driver/shard.ts), after --image has selected them. */
  shard?: ShardSpec;
  /** The gate policy of --fail-on; `new` when unset. */
  failOn?: FailOnPolicy;
  /** `--fail-on-slow`, a sandbox check ratio above which fails the gate. */
  failOnSlow?: number;
  /** Prints the report and the gate decision as JSON on stdout, and Playwright's output on stderr. */
  json?: boolean;
  /** Receives the run's id as soon as it has one, for the result line of a run that stops early. */
  onRunId?: (runId: string) => void;
}

/** Working folders (with their runsc logs) kept in reports/runs/, the current run's included. */
const KEPT_RUN_FOLDERS = 3;

const PLAYWRIGHT_CLI = createRequire(import.meta.url).resolve('@playwright/test/cli');
const PLAYWRIGHT_CONFIG = fileURLToPath(new URL('../driver/playwright.config.js', import.meta.url));

/** Checks --image and --runtime against the matrix; the baseline always runs. */
export function selectRuntimes(matrix: Matrix, names: string[] | undefined): RuntimeVariant[] {
  if (!names || names.length === 0) {
    return matrix.runtimes;
  }
  for (const name of names) {
    if (!matrix.runtimes.some((runtime) => runtime.name === name)) {
      throw new UsageError(`--runtime ${name}: no such runtime in ${matrix.file}; valid names: ${matrix.runtimes.map((r) => r.name).join(', ')}`);
    }
  }
  const selected = matrix.runtimes.filter((runtime) => runtime.baseline || names.includes(runtime.name));
  if (!selected.some((runtime) => !runtime.baseline)) {
    const sandboxes = matrix.runtimes.filter((runtime) => !runtime.baseline).map((runtime) => runtime.name);
    throw new UsageError(`--runtime names only the baseline (${matrix.baseline.name}), which always runs; name a sandbox runtime: ${sandboxes.join(', ')}`);
  }
  return selected;
}

export function checkImageNames(matrix: Matrix, names: string[] | undefined): void {
  for (const name of names ?? []) {
    if (!matrix.images.some((image) => image.name === name)) {
      throw new UsageError(`--image ${name}: no such image in ${matrix.file}; valid names: ${matrix.images.map((i) => i.name).join(', ')}`);
    }
  }
}

async function readReport(file: string, runId: string): Promise<RunReport | undefined> {
  try {
    const report = JSON.parse(await readFile(file, 'utf8')) as RunReport;
    return report.runId === runId ? report : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Rejects runtimes that cannot run under rootless Podman before anything starts: runsc
 * there needs host or no networking, so the netstack variant and netstack itself are out.
 */
export function checkRootlessRuntimes(variants: RuntimeVariant[]): void {
  const rootful = variants.filter((variant) => variant.kind === 'runsc' && (variant.netstack !== undefined || !avoidsNetstack(variant.flags.map(normalizeFlag))));
  if (rootful.length === 0) {
    return;
  }
  const usable = variants.filter((variant) => !variant.baseline && !rootful.includes(variant)).map((variant) => `--runtime ${variant.name}`);
  throw new UsageError(
    `rootless runs need runsc with "--network=host" or "--network=none", which ${rootful.map((variant) => `runtime "${variant.name}"`).join(', ')} does not use` +
      (usable.length > 0 ? `; leave it out with ${usable.join(' ')}` : '; add one of those flags to it') +
      ', or run without --rootless',
  );
}

/** Runs the matrix end to end and returns the exit status of the CI gate. */
export async function runMatrix(options: RunOptions): Promise<number> {
  const matrix = await loadMatrix(resolve(options.matrix));
  checkImageNames(matrix, options.image);
  const variants = selectRuntimes(matrix, options.runtime);
  const selected = selectImages(matrix, options.image);
  const images = options.shard ? selectShard(selected, options.shard) : selected;
  const scope = await describeRunScope(matrix, selected, images, options.shard);
  if (options.shard) {
    progress(`shard ${formatShard(options.shard)}: ${images.length} of ${selected.length} images${images.length > 0 ? `: ${scope.images.join(', ')}` : ''}`);
  }

  const rootless = options.rootless ?? matrix.engine.rootless;
  if (rootless) {
    checkRootlessRuntimes(variants);
  }
  const podman = rootless && process.getuid?.() === 0 ? await rootlessPodman(options.rootlessUser ?? matrix.engine.user) : currentPodman();

  const reportsDir = resolve(options.reports);
  const runId = newRunId();
  options.onRunId?.(runId);
  // From here on a signal ends the run through the finally blocks below, which release
  // the lock and the run record, so that an interrupted run leaves neither behind.
  const interrupts = new RunInterrupts().listen();
  interrupts.onSignal((signal) => progress(`${signal} received: stopping this run, then removing its containers and API services`));
  const record = await newRunRecord(runId, podman, reportsDir);
  let releaseLock: (() => Promise<void>) | undefined;
  try {
    releaseLock = await lockReportsFolder(reportsDir, runId, progress);
    // The record names the reports folder from the start, so that `gvmatrix clean`
    // removes the lock of a run killed before it started any service.
    await writeRunRecord(record);
    await sweepBeforeRun();
    const runtimes = [];
    const usernsAuto = {
      uses: usernsAutoUses(images, variants),
      plan: { rootless: podman.rootless, user: podman.user?.name ?? userInfo().username, workers: runWorkers(options.workers, variants.length) },
    };
    for (const probed of await interrupts.race(runPreflight(variants, podman, release(), usernsAuto))) {
      const info = podman.rootless ? withRootlessFlags(probed) : probed;
      const netstack = info.netstack ? ` (netstack: ${info.netstack})` : '';
      progress(`runtime ${info.name}: ${info.path} (${info.version})${info.flags.length ? ` ${info.flags.join(' ')}` : ''}${netstack}`);
      runtimes.push(info);
    }

    if (images.length === 0) {
      const { report, written } = await writeEmptyShardReports(resolve(options.reports), matrix, runtimes, scope);
      progress('this shard has no images, so its reports contain no tests; `gvmatrix merge` still needs them');
      return printRunResult(report, matrix.known, [written.junit, written.results, written.html], outputOptions(options));
    }

    await interrupts.race(prepareImages(images, progress, { onlyMissing: !options.build, jobs: options.buildJobs }));
    if (podman.user) {
      await interrupts.race(copyImages(images.map((image) => image.ref), currentPodman(), podman, progress));
    }

    const runDir = join(reportsDir, 'runs', runId);
    await pruneRunFolders(reportsDir, KEPT_RUN_FOLDERS - 1);
    await mkdir(runDir, { recursive: true });
    const mode = podman.rootless ? `rootless Podman${podman.user ? ` as ${podman.user.name}` : ''}` : 'rootful Podman';
    progress(`run ${runId}: ${images.length} images x ${runtimes.length} runtimes on ${mode}, working folder ${runDir}`);

    const session = new EngineSession(runId, runDir, podman, record);
    session.onEndpointExit = (exit, problem) => {
      progress(`${formatEndpointExit(exit)}; the remaining tests of runtime ${exit.runtime} fail at once${problem ? `, but ${problem}` : ''}`);
    };
    let playwright: ReturnType<typeof execa> | undefined;
    const stopForwarding = interrupts.onSignal((signal) => playwright?.kill(signal));

    try {
      await session.start(runtimes);
      throwIfInterrupted(interrupts);

      const context: RunContext = {
        runId,
        matrixFile: matrix.file,
        reportsDir,
        runDir,
        startedAt: new Date().toISOString(),
        images: options.shard ? scope.images : options.image,
        scope,
        runtimes: session.runtimeEndpoints,
        known: matrix.known,
        suiteImages: Object.fromEntries(images.flatMap((image) => image.suites.map((suite) => [suite, image.name]))),
      };
      const contextFile = join(runDir, 'context.json');
      await writeFile(contextFile, JSON.stringify(context, null, 2));
      await writeSpecFiles(runDir, images);
      throwIfInterrupted(interrupts);

      // Playwright forks its workers with the runner's execArgv, so the flags reach them too.
      // With them each node process of a run uses about 40 MiB less (docs/benchmarks.md).
      const args = [...MEMORY_NODE_FLAGS, PLAYWRIGHT_CLI, 'test', '--config', PLAYWRIGHT_CONFIG];
      // The configuration reads the worker count from the environment rather than from
      // Playwright's --workers, because it sizes the baseline's share of the workers by it.
      const workersEnv = options.workers === undefined ? {} : { [WORKERS_ENV]: String(options.workers) };
      playwright = execa(process.execPath, args, {
        // With --json, stdout carries only the JSON document, so Playwright's progress goes to stderr (fd 2).
        stdin: 'inherit',
        stdout: options.json ? 2 : 'inherit',
        stderr: 'inherit',
        reject: false,
        env: { [CONTEXT_ENV]: contextFile, FORCE_COLOR: process.stdout.isTTY ? '1' : '0', ...workersEnv },
      });
      await playwright;
    } finally {
      stopForwarding();
      await session.close();
    }

    if (interrupts.interrupted) {
      progress(`interrupted: the reports in ${reportsDir} are left as the last complete run wrote them; this run's partial reports are in ${partialReportsDir(runDir)}`);
      return EXIT.interrupted;
    }

    const report = await readReport(join(reportsDir, 'results.json'), runId);
    if (!report) {
      progress(`Playwright ended without writing ${join(reportsDir, 'results.json')} for run ${runId}; its output above says why`);
      return EXIT.environment;
    }

    const status = printRunResult(report, matrix.known, [join(reportsDir, JUNIT_FILE), join(reportsDir, RESULTS_FILE), join(reportsDir, HTML_FILE)], outputOptions(options));
    if (session.endpointExits.length > 0) {
      progress(
        `the environment failed during the run, so its verdicts for those runtimes are not trustworthy:\n${formatEndpointExits(session.endpointExits)}\n` +
          'Rerun the matrix, and run `gvmatrix doctor` if the service dies again.',
      );
      return EXIT.environment;
    }
    return status;
  } catch (error) {
    if (error instanceof InterruptedError) {
      progress(`interrupted before the tests started: the reports in ${reportsDir} are left as they were`);
      return EXIT.interrupted;
    }
    throw error;
  } finally {
    await releaseLock?.();
    await removeRunRecord(runId);
    interrupts.stop();
  }
}

/** Ends the run through the InterruptedError handler when a signal arrived during the last step. */
function throwIfInterrupted(interrupts: RunInterrupts): void {
  if (interrupts.signal) {
    throw new InterruptedError(interrupts.signal);
  }
}

/** Removes what killed runs left behind; a failure here is reported and does not stop this run. */
async function sweepBeforeRun(): Promise<void> {
  try {
    const { swept } = await sweepDeadRuns({ dryRun: false, releaseLock: releaseDeadRunLock });
    for (const run of swept) {
      progress(formatSweptRun(run, false));
    }
  } catch (error) {
    progress(`could not clean up after earlier runs, continuing: ${error instanceof Error ? error.message : String(error)}; run \`gvmatrix clean\` to retry`);
  }
}

/** Returns the output options of `run`, with the default policy when --fail-on is unset. */
export function outputOptions(options: Pick<RunOptions, 'failOn' | 'failOnSlow' | 'json'>): RunOutputOptions {
  const output: RunOutputOptions = { failOn: options.failOn ?? DEFAULT_FAIL_ON, json: options.json === true };
  if (options.failOnSlow !== undefined) {
    output.failOnSlow = options.failOnSlow;
  }
  return output;
}

/** Removes working folders of earlier runs, keeping the newest few for their runsc logs. */
export async function pruneRunFolders(reportsDir: string, keep: number): Promise<void> {
  const runsDir = join(reportsDir, 'runs');
  const names = (await readdir(runsDir).catch(() => [] as string[])).sort();
  for (const name of names.slice(0, Math.max(0, names.length - keep))) {
    await rm(join(runsDir, name), { recursive: true, force: true });
  }
}
