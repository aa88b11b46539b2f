#!/usr/bin/env node
/**
 * Runs the benchmark. It times gvmatrix against plain podman commands on the shipped
 * matrix, the image set-up cold and warm, and the driver's peak memory on a 20-image matrix.
 *   node dist/bench/run-bench.js [--matrix FILE] [--rounds N] [--runtime NAME]... [--output DIR] [--skip-setup] [--skip-wide]
 * Prints a table and writes DIR/bench-TIMESTAMP.json (default DIR: bench/results).
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { collect, positiveInteger } from './cli-options.js';
import { execa } from 'execa';
import type { Matrix } from '../src/matrix/types.js';
import type { RunReport, TestRunResult } from '../src/report/types.js';
import { writeShippedBenchMatrix, writeWideBenchMatrix } from './bench-matrix.js';
import { defaultWorkers, plainRuntimes } from './plain-runtimes.js';
import { plainScript } from './plain-script.js';
import { sampleTreeRss, type RssPeaks } from './rss-sampler.js';
import { measureSetup, type SetupTiming } from './setup-timing.js';
import { formatReport } from './bench-report.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'dist/src/cli/main.js');

/** Targets the report compares each measured value against, stating it as met or missed. */
export const TARGETS = { ratio: 1.15, overheadMsPerTest: 50, setupSpeedup: 5, peakRssBytes: 400 * 1024 * 1024 };

const WIDE_IMAGES = 20;
const WIDE_TESTS_PER_IMAGE = 2;

export interface SideResult {
  wallMs: number;
  /** User plus system CPU time of the command and the children it waited for (not containers, which conmon runs). */
  cpuMs?: number;
  exitCode: number;
  tests: number;
  passed: number;
  failed: number;
  rss?: RssPeaks;
  /** Mean duration of a test under each runtime, from results.json or the plain script's result lines. */
  meanTestMs?: Record<string, number>;
  /** gvmatrix only: Playwright's span, from `startedAt` (just before Playwright starts) to `finishedAt` in results.json. */
  playwrightMs?: number;
}

export interface Round {
  round: number;
  order: ['gvmatrix', 'plain'] | ['plain', 'gvmatrix'];
  gvmatrix: SideResult;
  plain: SideResult;
  ratio: number;
  overheadMsPerTest: number;
}

export interface BenchResult {
  date: string;
  commit: string;
  machine: Record<string, string>;
  runtimes: string[];
  workers: number;
  commands: Record<string, string>;
  rounds: Round[];
  medianRatio?: number;
  medianOverheadMsPerTest?: number;
  setup?: SetupTiming;
  wide?: SideResult & { images: number };
  targets: typeof TARGETS;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function commandOutput(file: string, args: string[]): Promise<string> {
  const result = await execa(file, args, { reject: false, cwd: ROOT });
  return (result.stdout || result.stderr || 'unknown').split('\n')[0]!.trim();
}

async function describeMachine(): Promise<Record<string, string>> {
  return {
    nproc: String(availableParallelism()),
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    kernel: await commandOutput('uname', ['-r']),
    podman: await commandOutput('podman', ['--version']),
    runc: await commandOutput('runc', ['--version']),
    runsc: await commandOutput('runsc', ['--version']),
    'runsc-20240729': await commandOutput('/opt/gvmatrix/runsc-20240729/runsc', ['--version']),
    node: process.version,
    loadAverageAtStart: (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' '),
  };
}

/** Runs the command under bash and prints bash's `times`, whose second line is the CPU time of the children it waited for. */
const CPU_TIME_WRAPPER = '"$@"; status=$?; times >&2; exit $status';

/** Returns the children's user plus system time from `times` output, in milliseconds. */
export function childrenCpuMs(stderr: string): number | undefined {
  const lines = stderr.trimEnd().split('\n');
  const match = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(lines.at(-1) ?? '');
  if (!match) return undefined;
  return (Number(match[1]) * 60 + Number(match[2]) + Number(match[3]) * 60 + Number(match[4])) * 1000;
}

function timedCommand(file: string, args: string[]) {
  return execa('bash', ['-c', CPU_TIME_WRAPPER, 'bash', file, ...args], { reject: false, all: true, cwd: ROOT });
}

function meanByRuntime(durations: [string, number][]): Record<string, number> {
  const totals = new Map<string, { sum: number; count: number }>();
  for (const [runtime, ms] of durations) {
    const total = totals.get(runtime) ?? { sum: 0, count: 0 };
    totals.set(runtime, { sum: total.sum + ms, count: total.count + 1 });
  }
  return Object.fromEntries([...totals].map(([runtime, total]) => [runtime, Math.round(total.sum / total.count)]));
}

/** Reads the runtime and milliseconds of every result line the plain script wrote (see run_job in plain-script.ts). */
async function plainDurations(resultsDir: string): Promise<[string, number][]> {
  const durations: [string, number][] = [];
  for (const name of await readdir(resultsDir)) {
    const [, runtime, , , , ms] = (await readFile(join(resultsDir, name), 'utf8')).split('\t');
    if (runtime && ms) durations.push([runtime, Number(ms)]);
  }
  return durations;
}

/** Runs `gvmatrix run` on a matrix and samples its process tree's memory. */
async function runGvmatrix(matrixFile: string, runtimes: string[], reportsDir: string, logFile: string): Promise<SideResult> {
  const args = [CLI, 'run', '--matrix', matrixFile, ...runtimes.flatMap((name) => ['--runtime', name]), '--reports', reportsDir, '--fail-on', 'none'];
  const started = performance.now();
  const child = timedCommand('node', args);
  const sampler = sampleTreeRss(child.pid!);
  const result = await child;
  const wallMs = performance.now() - started;
  const rss = await sampler.stop();
  await writeFile(logFile, result.all ?? '');

  const report = JSON.parse(await readFile(join(reportsDir, 'results.json'), 'utf8').catch(() => '{"results":[]}')) as Partial<RunReport> & { results: TestRunResult[] };
  const passed = report.results.filter((entry) => entry.outcome === 'passed').length;
  const side: SideResult = { wallMs, cpuMs: childrenCpuMs(result.stderr), exitCode: result.exitCode ?? -1, tests: report.results.length, passed, failed: report.results.length - passed, rss };
  side.meanTestMs = meanByRuntime(report.results.map((entry) => [entry.runtime, entry.durationMs]));
  if (report.startedAt && report.finishedAt) side.playwrightMs = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  return side;
}

/** Generates the plain script for the same matrix, runtimes and concurrency, and runs it. */
async function runPlain(matrix: Matrix, runtimes: string[], workDir: string, logFile: string, runId: string): Promise<SideResult> {
  const plain = await plainRuntimes(matrix, runtimes, workDir);
  const script = plainScript({ matrixFile: matrix.file, images: matrix.images, runtimes: plain, concurrency: defaultWorkers(plain.length), workDir, runId });
  const scriptFile = `${workDir}.sh`;
  await writeFile(scriptFile, script);

  const started = performance.now();
  const result = await timedCommand('bash', [scriptFile]);
  const wallMs = performance.now() - started;
  await writeFile(logFile, result.all ?? '');

  const summary = /plain-result: passed=(\d+) failed=(\d+) tests=(\d+)/.exec(result.all ?? '');
  if (!summary) throw new Error(`the plain script ${scriptFile} printed no plain-result line; see ${logFile}`);
  const side: SideResult = { wallMs, cpuMs: childrenCpuMs(result.stderr), exitCode: result.exitCode ?? -1, passed: Number(summary[1]), failed: Number(summary[2]), tests: Number(summary[3]) };
  side.meanTestMs = meanByRuntime(await plainDurations(join(workDir, 'results')));
  return side;
}

async function main(): Promise<void> {
  const options = new Command('run-bench')
    .description('Benchmark gvmatrix against plain podman commands, the image set-up and the driver\'s memory')
    .option('--matrix <file>', 'matrix whose declarative tests both sides run', join(ROOT, 'matrix.yaml'))
    .option('--rounds <n>', 'rounds of gvmatrix and plain runs, alternating which goes first', positiveInteger, 3)
    .option('--runtime <name>', 'sandbox runtime besides the baseline (repeatable; default: runsc)', collect)
    .option('--output <dir>', 'folder for the JSON result and the logs', join(ROOT, 'bench/results'))
    .option('--skip-setup', 'skip the cold and warm image set-up')
    .option('--skip-wide', 'skip the 20-image memory run')
    .parse()
    .opts<{ matrix: string; rounds: number; runtime?: string[]; output: string; skipSetup?: boolean; skipWide?: boolean }>();

  const runtimes = options.runtime ?? ['runsc'];
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const outputDir = resolve(options.output);
  const workDir = join(outputDir, `work-${stamp}`);
  await mkdir(workDir, { recursive: true });

  const shippedFile = resolve(options.matrix);
  const benchMatrix = await writeShippedBenchMatrix(shippedFile, join(workDir, 'bench-matrix.yaml'));
  const result: BenchResult = {
    date: new Date().toISOString(),
    commit: await commandOutput('git', ['rev-parse', '--short', 'HEAD']),
    machine: await describeMachine(),
    runtimes: [benchMatrix.baseline.name, ...runtimes],
    workers: defaultWorkers(runtimes.length + 1),
    commands: {
      gvmatrix: `node dist/src/cli/main.js run --matrix ${benchMatrix.file} ${runtimes.map((name) => `--runtime ${name}`).join(' ')} --reports DIR --fail-on none`,
      plain: `node dist/bench/generate-plain.js --matrix ${benchMatrix.file} ${runtimes.map((name) => `--runtime ${name}`).join(' ')} --output plain.sh && bash plain.sh`,
      setup: 'CONTAINERS_STORAGE_CONF=TEMP/storage.conf node dist/src/cli/main.js images build --matrix matrix.yaml (twice)',
    },
    rounds: [],
    targets: TARGETS,
  };
  const write = async () => writeFile(join(outputDir, `bench-${stamp}.json`), `${JSON.stringify(result, null, 2)}\n`);

  for (let round = 1; round <= options.rounds; round++) {
    const order: Round['order'] = round % 2 === 1 ? ['gvmatrix', 'plain'] : ['plain', 'gvmatrix'];
    const sides: Partial<Record<'gvmatrix' | 'plain', SideResult>> = {};
    for (const side of order) {
      console.error(`round ${round}: ${side}`);
      sides[side] =
        side === 'gvmatrix'
          ? await runGvmatrix(benchMatrix.file, runtimes, join(workDir, `reports-${round}`), join(workDir, `gvmatrix-${round}.log`))
          : await runPlain(benchMatrix, runtimes, join(workDir, `plain-${round}`), join(workDir, `plain-${round}.log`), `${stamp}-${round}`);
    }
    const gvmatrix = sides.gvmatrix!;
    const plain = sides.plain!;
    result.rounds.push({ round, order, gvmatrix, plain, ratio: gvmatrix.wallMs / plain.wallMs, overheadMsPerTest: (gvmatrix.wallMs - plain.wallMs) / plain.tests });
    await write();
  }
  result.medianRatio = median(result.rounds.map((round) => round.ratio));
  result.medianOverheadMsPerTest = median(result.rounds.map((round) => round.overheadMsPerTest));

  if (!options.skipWide) {
    console.error(`memory: ${WIDE_IMAGES}-image matrix`);
    const wide = await writeWideBenchMatrix(shippedFile, join(workDir, 'wide-matrix.yaml'), WIDE_IMAGES, WIDE_TESTS_PER_IMAGE);
    const side = await runGvmatrix(wide.file, runtimes, join(workDir, 'reports-wide'), join(workDir, 'gvmatrix-wide.log'));
    result.wide = { ...side, images: wide.images.length };
    await write();
  }

  if (!options.skipSetup) {
    console.error('set-up: cold, then warm, into a temporary image store');
    result.setup = await measureSetup(CLI, shippedFile, workDir);
    await write();
  }

  await write();
  console.log(formatReport(result));
  console.log(`\nwritten: ${join(outputDir, `bench-${stamp}.json`)}; logs in ${workDir}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(3);
});
