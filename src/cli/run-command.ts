import { createRequire } from 'node:module';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { release } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { loadMatrix } from '../matrix/loader.js';
import type { Matrix, RuntimeVariant } from '../matrix/types.js';
import { prepareImages } from '../engine/images.js';
import { EnvironmentError, probeRuntime } from '../engine/runtimes.js';
import { netstackProblem } from '../engine/netstack.js';
import { EngineSession, newRunId } from '../engine/session.js';
import { CONTEXT_ENV, type RunContext } from '../driver/context.js';
import { writeSpecFiles } from '../driver/specs.js';
import { selectImages } from '../driver/selection.js';
import { formatSummary } from '../report/summary.js';
import { isFailure } from '../report/verdict.js';
import type { RunReport } from '../report/types.js';
import { EXIT, UsageError } from './exit-status.js';
import { progress } from './progress.js';

export interface RunOptions {
  matrix: string;
  image?: string[];
  runtime?: string[];
  workers?: number;
  reports: string;
  /** Skips `podman build` for images that exist already. */
  build: boolean;
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
  return matrix.runtimes.filter((runtime) => runtime.baseline || names.includes(runtime.name));
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

/** Runs the matrix end to end and returns the exit status of the CI gate. */
export async function runMatrix(options: RunOptions): Promise<number> {
  const matrix = await loadMatrix(resolve(options.matrix));
  checkImageNames(matrix, options.image);
  const variants = selectRuntimes(matrix, options.runtime);
  const images = selectImages(matrix, options.image);

  const runtimes = [];
  for (const variant of variants) {
    const info = await probeRuntime(variant);
    progress(`runtime ${info.name}: ${info.path} (${info.version})${info.flags.length ? ` ${info.flags.join(' ')}` : ''}`);
    runtimes.push(info);
  }
  for (const info of runtimes) {
    const problem = netstackProblem(info, release());
    if (problem) {
      // Every container of this runtime would fail to start and read as a behaviour difference.
      throw new EnvironmentError(problem);
    }
  }

  await prepareImages(images, progress, { onlyMissing: !options.build });

  const reportsDir = resolve(options.reports);
  const runId = newRunId();
  const runDir = join(reportsDir, 'runs', runId);
  await pruneRunFolders(reportsDir, KEPT_RUN_FOLDERS - 1);
  await mkdir(runDir, { recursive: true });
  progress(`run ${runId}: ${images.length} images x ${runtimes.length} runtimes, working folder ${runDir}`);

  const session = new EngineSession(runId, runDir);
  let interrupted = false;
  let playwright: ReturnType<typeof execa> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    progress(`${signal} received: stopping the tests, then removing this run's containers and API services`);
    playwright?.kill(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    await session.start(runtimes);
    if (interrupted) {
      return EXIT.interrupted;
    }

    const context: RunContext = {
      runId,
      matrixFile: matrix.file,
      reportsDir,
      runDir,
      startedAt: new Date().toISOString(),
      images: options.image,
      runtimes: session.runtimeEndpoints,
      known: matrix.known,
    };
    const contextFile = join(runDir, 'context.json');
    await writeFile(contextFile, JSON.stringify(context, null, 2));
    await writeSpecFiles(runDir, images);

    const args = [PLAYWRIGHT_CLI, 'test', '--config', PLAYWRIGHT_CONFIG];
    if (options.workers !== undefined) {
      args.push('--workers', String(options.workers));
    }
    playwright = execa(process.execPath, args, {
      stdio: 'inherit',
      reject: false,
      env: { [CONTEXT_ENV]: contextFile, FORCE_COLOR: process.stdout.isTTY ? '1' : '0' },
    });
    await playwright;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await session.close();
  }

  if (interrupted) {
    progress('interrupted: the reports of this run may be incomplete');
    return EXIT.interrupted;
  }

  const report = await readReport(join(reportsDir, 'results.json'), runId);
  if (!report) {
    progress(`Playwright ended without writing ${join(reportsDir, 'results.json')} for run ${runId}; its output above says why`);
    return EXIT.environment;
  }

  process.stdout.write(`\n${formatSummary(report)}\n`);
  process.stdout.write(`reports: ${join(reportsDir, 'junit.xml')}, ${join(reportsDir, 'results.json')}\n`);
  return report.verdicts.some((record) => isFailure(record.verdict)) ? EXIT.gateFailed : EXIT.ok;
}

/** Removes working folders of earlier runs, keeping the newest few for their runsc logs. */
export async function pruneRunFolders(reportsDir: string, keep: number): Promise<void> {
  const runsDir = join(reportsDir, 'runs');
  const names = (await readdir(runsDir).catch(() => [] as string[])).sort();
  for (const name of names.slice(0, Math.max(0, names.length - keep))) {
    await rm(join(runsDir, name), { recursive: true, force: true });
  }
}
