/**
 * Interrupts `gvmatrix run` at chosen stages with SIGINT or SIGKILL and counts what each
 * run leaves behind: containers, pods, networks and volumes with its run label, its
 * processes, socket folder, run record, reports lock and temporary files, and whether
 * the reports folder still holds one complete set of reports. Used by
 * scripts/interrupt-runs.ts and test/integration/interrupt-runs.test.ts. Needs root and
 * rootful Podman.
 */
import { access, readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { RUN_LABEL } from '../src/driver/labels.js';
import { CONTEXT_ENV } from '../src/driver/context.js';
import { currentPodman, runPodman } from '../src/engine/podman.js';
import { listPids, readCommandLine } from '../src/engine/process-identity.js';
import { runRecordDir } from '../src/engine/run-record.js';
import { socketRoot } from '../src/engine/session.js';
import { LOCK_FILE, parseLockOwner } from '../src/cli/reports-lock.js';
import { HTML_FILE, JUNIT_FILE, RESULTS_FILE } from '../src/report/write-reports.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(repoRoot, 'dist/src/cli/main.js');

/** The stages of a run in the order it passes them. */
export const STAGES = ['preflight', 'image check', 'endpoint start', 'container start', 'mid-test', 'report writing', 'teardown'] as const;
export type Stage = (typeof STAGES)[number];

/** The cleanup after a SIGKILLed run: `gvmatrix clean`, or the sweep at the start of another run. */
export type Cleanup = 'clean' | 'sweep';

/** Recognizes the output line (gvmatrix's progress on stderr, the test progress on stdout) that starts each stage but the first. */
export function stageOfLine(line: string, current: Stage): Stage | undefined {
  if (/^gvmatrix: runtime \S+: /.test(line) && current === 'preflight') {
    return 'image check';
  }
  if (/^gvmatrix: run \S+: \d+ images x \d+ runtimes/.test(line)) {
    return 'endpoint start';
  }
  if (/^Running \d+ tests? using/.test(line)) {
    return 'container start';
  }
  if (/^\[1\/\d+\] /.test(line)) {
    return 'mid-test';
  }
  // The test progress's summary ("  12 passed, 0 failed in 40.1 s") comes before the report files are written.
  if (/^\s+\d+ (passed|failed|flaky|skipped|interrupted|did not run)\b/.test(line) && STAGES.indexOf(current) < STAGES.indexOf('report writing')) {
    return 'report writing';
  }
  return undefined;
}

/** Seconds from the start of an uninterrupted run to the start of each stage. */
export type StageTimes = Partial<Record<Stage, number>>;

/** A small seeded generator (mulberry32), so that a seed repeats the same choices. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One planned interruption: the stage to wait for, how far into it, the signal, and for SIGKILL how to clean up. */
export interface Interruption {
  index: number;
  stage: Stage;
  /** Fraction of the stage's calibrated length to wait after the stage starts, from 0 to 1. */
  fraction: number;
  signal: 'SIGINT' | 'SIGKILL';
  cleanup?: Cleanup;
}

/**
 * Plans the interruptions: the stages in turn, so that every stage gets both signals
 * within 14 runs, a random point inside each stage, SIGINT and SIGKILL alternating, and
 * the SIGKILLed runs alternating between `gvmatrix clean` and another run's sweep.
 */
export function planInterruptions(count: number, seed: number): Interruption[] {
  const random = seededRandom(seed);
  const plan: Interruption[] = [];
  let kills = 0;
  for (let index = 0; index < count; index++) {
    const signal = index % 2 === 0 ? 'SIGINT' : 'SIGKILL';
    const stage = STAGES[index % STAGES.length] as Stage;
    const interruption: Interruption = { index: index + 1, stage, fraction: random(), signal };
    if (signal === 'SIGKILL') {
      interruption.cleanup = kills % 2 === 0 ? 'clean' : 'sweep';
      kills++;
    }
    plan.push(interruption);
  }
  return plan;
}

/** Counts of what one run left behind, by kind. Every count must be 0 after its cleanup. */
export interface Leftovers {
  containers: number;
  pods: number;
  networks: number;
  volumes: number;
  /** `podman system service` processes serving the run's sockets. */
  services: number;
  /** Other processes of the run: Playwright and its workers and runsc, found by run id. */
  processes: number;
  /**
   * conmon processes of `podman exec` sessions. They outlive their removed containers
   * for up to about 300 s after every run, interrupted or not, so they are shown but
   * are not a failure.
   */
  conmon: number;
  socketDir: number;
  record: number;
  lock: number;
  temporaryFiles: number;
}

/** Adds up the leftovers that fail the check, which is all but the conmon processes. */
export function totalLeftovers(leftovers: Leftovers): number {
  return Object.entries(leftovers).reduce((sum, [kind, count]) => (kind === 'conmon' ? sum : sum + count), 0);
}

/** Formats the non-zero counts, such as `containers 2, services 2`; `none` when all are 0. */
export function formatLeftovers(leftovers: Leftovers): string {
  const parts = Object.entries(leftovers)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${kind} ${count}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function countLabelled(args: string[], runId: string): Promise<number> {
  const { stdout } = await runPodman(currentPodman(), [...args, '--filter', `label=${RUN_LABEL}=${runId}`, '--quiet'], { timeoutMs: 60_000 });
  return stdout.split('\n').filter((line) => line.trim() !== '').length;
}

async function readEnvironment(pid: number): Promise<string[]> {
  try {
    return (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
  } catch {
    return [];
  }
}

/**
 * Counts the live processes of a run: API services serving its socket folder, conmon
 * and any other process whose command line names the run id (runsc's --debug-log names
 * the run folder), and processes whose GVMATRIX_CONTEXT is in the run's folder
 * (Playwright and its workers).
 */
async function countRunProcesses(runId: string, socketDir: string): Promise<{ services: number; processes: number; conmon: number }> {
  let services = 0;
  let processes = 0;
  let conmon = 0;
  for (const pid of await listPids()) {
    if (pid === process.pid) {
      continue;
    }
    const argv = await readCommandLine(pid);
    if (!argv || argv.length === 0) {
      continue;
    }
    if (argv.some((arg) => arg.includes(`unix://${socketDir}/`))) {
      services++;
    } else if (argv[0]?.endsWith('conmon') && argv.some((arg) => arg.includes(runId))) {
      conmon++;
    } else if (argv.some((arg) => arg.includes(runId))) {
      processes++;
    } else if ((await readEnvironment(pid)).some((entry) => entry.startsWith(`${CONTEXT_ENV}=`) && entry.includes(`/runs/${runId}/`))) {
      processes++;
    }
  }
  return { services, processes, conmon };
}

/** Counts temporary files of atomic writes (`NAME.tmp-PID`, `NAME.PID.tmp`) under a folder. */
async function countTemporaryFiles(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return entries.filter((entry) => /\.tmp(-\d+)?$/.test(entry)).length;
}

const NO_LEFTOVERS: Leftovers = { containers: 0, pods: 0, networks: 0, volumes: 0, services: 0, processes: 0, conmon: 0, socketDir: 0, record: 0, lock: 0, temporaryFiles: 0 };

/**
 * Counts the leftovers of one run on rootful Podman. The lock counts only while it names
 * this run. A run killed before it wrote its run id anywhere can only leave a lock file
 * without an owner and temporary files.
 */
export async function countLeftovers(runId: string | undefined, reportsDir: string): Promise<Leftovers> {
  if (runId === undefined) {
    // A lock that names a run belongs to that run, such as a killed earlier one.
    const lockText = await readFile(join(reportsDir, LOCK_FILE), 'utf8').catch(() => undefined);
    const ownerless = lockText !== undefined && parseLockOwner(lockText) === undefined;
    return { ...NO_LEFTOVERS, lock: ownerless ? 1 : 0, temporaryFiles: await countTemporaryFiles(reportsDir) };
  }
  const socketDir = socketRoot(runId);
  const { services, processes, conmon } = await countRunProcesses(runId, socketDir);
  const lockText = await readFile(join(reportsDir, LOCK_FILE), 'utf8').catch(() => '');
  const recordDir = runRecordDir();
  const recordFiles = (await readdir(recordDir).catch(() => [] as string[])).filter((name) => name.startsWith(`${runId}.json`));

  return {
    containers: await countLabelled(['ps', '--all'], runId),
    pods: await countLabelled(['pod', 'ps'], runId),
    networks: await countLabelled(['network', 'ls'], runId),
    volumes: await countLabelled(['volume', 'ls'], runId),
    services,
    processes,
    conmon,
    socketDir: (await exists(socketDir)) ? 1 : 0,
    record: recordFiles.filter((name) => name === `${runId}.json`).length,
    lock: lockText.includes(runId) ? 1 : 0,
    temporaryFiles: (await countTemporaryFiles(reportsDir)) + recordFiles.filter((name) => name !== `${runId}.json`).length,
  };
}

/** The state of a reports folder: no reports, one complete set (by run id), or a torn or mixed set. */
export type ReportsState = { kind: 'none' } | { kind: 'complete'; runId: string } | { kind: 'torn'; problem: string };

/**
 * Checks that results.json, junit.xml and index.html are all absent, or all present,
 * whole (JSON.parse, `xmllint --noout`, a closing </html>) and of the same run.
 */
export async function checkReports(reportsDir: string): Promise<ReportsState> {
  const files = [RESULTS_FILE, JUNIT_FILE, HTML_FILE].map((name) => join(reportsDir, name));
  const present = await Promise.all(files.map(exists));
  if (present.every((found) => !found)) {
    return { kind: 'none' };
  }
  if (!present.every(Boolean)) {
    return { kind: 'torn', problem: `only ${files.filter((_, i) => present[i]).join(', ')} exist` };
  }
  const [resultsFile, junitFile, htmlFile] = files as [string, string, string];

  let resultsRunId: string;
  try {
    resultsRunId = (JSON.parse(await readFile(resultsFile, 'utf8')) as { runId: string }).runId;
  } catch (error) {
    return { kind: 'torn', problem: `${resultsFile} does not parse: ${error instanceof Error ? error.message : String(error)}` };
  }
  const lint = await execa('xmllint', ['--noout', junitFile], { reject: false });
  if (lint.exitCode !== 0) {
    return { kind: 'torn', problem: `${junitFile} is not well-formed XML: ${lint.stderr.split('\n')[0]}` };
  }
  const junitRunId = (await execa('xmllint', ['--xpath', 'string((//property[@name="gvmatrix.run-id"])[1]/@value)', junitFile], { reject: false })).stdout.trim();
  const html = await readFile(htmlFile, 'utf8');
  if (!html.trimEnd().endsWith('</html>')) {
    return { kind: 'torn', problem: `${htmlFile} does not end with </html>` };
  }
  const htmlRunId = /<title>gvmatrix (\S+)<\/title>/.exec(html)?.[1];

  // junit.xml of a run without tests has no test suite, so no run id property.
  if ((junitRunId !== '' && junitRunId !== resultsRunId) || htmlRunId !== resultsRunId) {
    return { kind: 'torn', problem: `the files come from different runs: results.json ${resultsRunId}, junit.xml ${junitRunId || '-'}, index.html ${htmlRunId ?? '-'}` };
  }
  return { kind: 'complete', runId: resultsRunId };
}

/** Starts `gvmatrix ARGS` with plain output and no terminal. */
export function startGvmatrix(args: string[]): ResultPromise<{ reject: false; all: true; env: Record<string, string> }> {
  return execa(process.execPath, [cli, ...args], { reject: false, all: true, cwd: repoRoot, env: { FORCE_COLOR: '0' } });
}

/** Follows a run's output lines and reports each stage as it starts, with its time since the start. */
function followStages(child: ResultPromise, onStage: (stage: Stage, seconds: number) => void, onRunId: (runId: string) => void): void {
  const started = Date.now();
  let current: Stage = 'preflight';
  let buffer = '';
  onStage(current, 0);
  const onData = (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      const runId = /^gvmatrix: run (\S+): \d+ images/.exec(line)?.[1];
      if (runId) {
        onRunId(runId);
      }
      const next = stageOfLine(line, current);
      if (next && STAGES.indexOf(next) > STAGES.indexOf(current)) {
        current = next;
        onStage(current, (Date.now() - started) / 1000);
      }
    }
  };
  child.all?.on('data', onData);
}

/**
 * Marks the teardown stage once results.json names the run: the reporter has written
 * the reports, and the CLI then removes the containers and stops the API services.
 */
function watchReports(reportsDir: string, runIdOf: () => string | undefined, onWritten: () => void): () => void {
  const file = join(reportsDir, RESULTS_FILE);
  let before: number | undefined;
  void stat(file).then(
    (info) => (before = info.mtimeMs),
    () => (before = 0),
  );
  const timer = setInterval(() => {
    void stat(file).then(
      async (info) => {
        const runId = runIdOf();
        if (before !== undefined && info.mtimeMs !== before && runId && (await readFile(file, 'utf8').catch(() => '')).includes(runId)) {
          clearInterval(timer);
          onWritten();
        }
      },
      () => undefined,
    );
  }, 50);
  return () => clearInterval(timer);
}

/** Runs the matrix once without interruption and returns when each stage started. */
export async function calibrate(runArgs: string[], reportsDir: string): Promise<{ times: StageTimes; total: number; exitCode: number | undefined }> {
  const times: StageTimes = {};
  const started = Date.now();
  const child = startGvmatrix([...runArgs, '--reports', reportsDir]);
  let runId: string | undefined;
  followStages(
    child,
    (stage, seconds) => (times[stage] = seconds),
    (id) => (runId = id),
  );
  const stop = watchReports(reportsDir, () => runId, () => (times.teardown = (Date.now() - started) / 1000));
  const result = await child;
  stop();
  return { times, total: (Date.now() - started) / 1000, exitCode: result.exitCode };
}

/** Returns the length of a stage in the calibration run. The last stage lasts until the run ended. */
export function stageLength(times: StageTimes, total: number, stage: Stage): number {
  const start = times[stage] ?? 0;
  const later = STAGES.slice(STAGES.indexOf(stage) + 1)
    .map((next) => times[next])
    .find((time): time is number => time !== undefined);
  return Math.max(0, (later ?? total) - start);
}

/** The outcome of one interrupted run. */
export interface InterruptedRun extends Interruption {
  runId: string | undefined;
  /** Seconds from the start of the run to the signal; undefined when the run ended first. */
  signalAt: number | undefined;
  /** The stage the run had reached when the signal was sent, or `ended` when it had exited. */
  reached: Stage | 'ended';
  exitCode: number | undefined;
  exitSignal: string | undefined;
  /** For SIGINT: what remained once the process exited. For SIGKILL: what the kill left. */
  leftoversAtExit: Leftovers | undefined;
  /** For SIGKILL: what remained after the cleanup. */
  leftoversAfterCleanup: Leftovers | undefined;
  cleanupOutput: string;
  /**
   * For SIGKILL: whether the cleanup found the run. It does not when the start of another
   * gvmatrix run on this machine swept the dead run first.
   */
  cleanupFoundRun: boolean | undefined;
  reportsBefore: ReportsState;
  reportsAfter: ReportsState;
  output: string;
}

/** Decides whether an interrupted run failed the check: leftovers where none may remain, or a torn report. */
export function runProblems(run: InterruptedRun): string[] {
  const problems: string[] = [];
  if (run.signal === 'SIGINT' && run.leftoversAtExit && totalLeftovers(run.leftoversAtExit) > 0) {
    problems.push(`left after SIGINT: ${formatLeftovers(run.leftoversAtExit)}`);
  }
  if (run.leftoversAfterCleanup && totalLeftovers(run.leftoversAfterCleanup) > 0) {
    problems.push(`left after ${run.cleanup}: ${formatLeftovers(run.leftoversAfterCleanup)}`);
  }
  if (run.reportsAfter.kind === 'torn') {
    problems.push(`torn reports: ${run.reportsAfter.problem}`);
  }
  if (run.reportsAfter.kind === 'complete' && run.reportsBefore.kind === 'complete' && ![run.reportsBefore.runId, run.runId].includes(run.reportsAfter.runId)) {
    problems.push(`reports of run ${run.reportsAfter.runId}, neither the previous run ${run.reportsBefore.runId} nor this one`);
  }
  if (run.reportsBefore.kind === 'complete' && run.reportsAfter.kind === 'none') {
    problems.push('the previous reports were removed');
  }
  return problems;
}

const SIGINT_EXIT_TIMEOUT_MS = 180_000;

/** Runs the sweep of another `gvmatrix run`: a shard without images, which sweeps, checks the runtimes and writes empty reports. */
async function sweepThroughRun(runArgs: string[], scratchDir: string, imageCount: number): Promise<string> {
  const result = await startGvmatrix([...runArgs, '--shard', `${imageCount + 1}/${imageCount + 1}`, '--reports', scratchDir]);
  await rm(scratchDir, { recursive: true, force: true });
  return `exit ${result.exitCode}\n${result.all}`;
}

export interface InterruptOptions {
  /** `run` and its options, without --reports. */
  runArgs: string[];
  /** Number of images the run selects, so a sweeping run can ask for a shard without images. */
  imageCount: number;
  reportsDir: string;
  /** Folder for the reports of sweeping runs. */
  scratchDir: string;
  times: StageTimes;
  total: number;
  log?: (message: string) => void;
}

/**
 * Returns the run id a lock file names when the lock belongs to process `pid`. A lock of
 * a killed earlier run names another process until this run takes it over.
 */
async function readLockRunId(lockFile: string, pid: number | undefined): Promise<string | undefined> {
  const owner = parseLockOwner(await readFile(lockFile, 'utf8').catch(() => ''));
  return owner?.process.pid === pid ? owner?.runId : undefined;
}

/** Starts one run, sends the planned signal at the planned point, then counts and cleans up. */
export async function interruptRun(plan: Interruption, options: InterruptOptions): Promise<InterruptedRun> {
  const reportsBefore = await checkReports(options.reportsDir);
  const lockFile = join(options.reportsDir, LOCK_FILE);
  const started = Date.now();
  const child = startGvmatrix([...options.runArgs, '--reports', options.reportsDir]);

  let reached: Stage = 'preflight';
  let runId: string | undefined;
  let exited = false;
  const stageStarted = new Map<Stage, number>();
  const stageWaiters = new Map<Stage, () => void>();
  const markStage = (stage: Stage) => {
    reached = stage;
    stageStarted.set(stage, Date.now());
    stageWaiters.get(stage)?.();
  };
  followStages(child, (stage) => markStage(stage), (id) => (runId = id));
  const stopWatching = watchReports(options.reportsDir, () => runId, () => markStage('teardown'));

  // The run id is in the lock file long before the output names it.
  const lockPoll = setInterval(() => {
    if (runId === undefined) {
      void readLockRunId(lockFile, child.pid).then((id) => (runId ??= id));
    }
  }, 20);
  const exit = child.then((result) => {
    exited = true;
    return result;
  });

  // Wait for the planned stage, then for the planned share of its calibrated length.
  const stageStart = stageStarted.has(plan.stage)
    ? Promise.resolve()
    : new Promise<void>((resolve) => stageWaiters.set(plan.stage, resolve));
  await Promise.race([stageStart, exit]);
  const delayMs = plan.fraction * stageLength(options.times, options.total, plan.stage) * 1000;
  await Promise.race([new Promise((resolve) => setTimeout(resolve, delayMs)), exit]);

  let signalAt: number | undefined;
  let reachedAtSignal: Stage | 'ended' = 'ended';
  if (!exited && child.pid !== undefined) {
    signalAt = (Date.now() - started) / 1000;
    reachedAtSignal = reached;
    process.kill(child.pid, plan.signal);
  }
  const timeout = setTimeout(() => child.kill('SIGKILL'), SIGINT_EXIT_TIMEOUT_MS);
  const result = await exit;
  clearTimeout(timeout);
  clearInterval(lockPoll);
  stopWatching();
  if (runId === undefined) {
    runId = await readLockRunId(lockFile, child.pid);
  }
  options.log?.(`run ${plan.index}: ${plan.signal} at ${signalAt?.toFixed(2) ?? '-'} s in ${reachedAtSignal} (run ${runId ?? 'unknown'}), exit ${result.exitCode ?? result.signal}`);

  const outcome: InterruptedRun = {
    ...plan,
    runId,
    signalAt,
    reached: reachedAtSignal,
    exitCode: result.exitCode,
    exitSignal: result.signal ?? undefined,
    leftoversAtExit: undefined,
    leftoversAfterCleanup: undefined,
    cleanupOutput: '',
    cleanupFoundRun: undefined,
    reportsBefore,
    reportsAfter: { kind: 'none' },
    output: String(result.all ?? ''),
  };
  outcome.leftoversAtExit = await countLeftovers(runId, options.reportsDir);

  if (plan.signal === 'SIGKILL') {
    outcome.cleanupOutput =
      plan.cleanup === 'sweep'
        ? await sweepThroughRun(options.runArgs, options.scratchDir, options.imageCount)
        : await startGvmatrix(['clean']).then((clean) => `exit ${clean.exitCode}\n${clean.all}`);
    outcome.cleanupFoundRun = runId !== undefined && outcome.cleanupOutput.includes(`run ${runId}: `);
    outcome.leftoversAfterCleanup = await countLeftovers(runId, options.reportsDir);
  }
  outcome.reportsAfter = await checkReports(options.reportsDir);
  return outcome;
}

function describeReports(run: InterruptedRun): string {
  if (run.reportsAfter.kind !== 'complete') {
    return run.reportsAfter.kind;
  }
  return run.reportsAfter.runId === run.runId ? 'this run' : 'previous';
}

/** Formats the result table: one row per run and a total line. */
export function formatTable(runs: InterruptedRun[]): string {
  const header = ['#', 'signal', 'planned stage', 'reached at signal', 'at s', 'exit', 'left at exit', 'cleanup', 'left after cleanup', 'reports after', 'check'];
  const rows = runs.map((run) => [
    String(run.index),
    run.signal,
    run.stage,
    run.reached,
    run.signalAt?.toFixed(2) ?? '-',
    run.exitCode !== undefined ? String(run.exitCode) : (run.exitSignal ?? '-'),
    run.leftoversAtExit ? formatLeftovers(run.leftoversAtExit) : '-',
    run.cleanup ? `${run.cleanup}${run.cleanupFoundRun === false ? ' (swept before)' : ''}` : '-',
    run.leftoversAfterCleanup ? formatLeftovers(run.leftoversAfterCleanup) : '-',
    describeReports(run),
    runProblems(run).length === 0 ? 'ok' : 'FAIL',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const format = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const lines = [format(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(format)];

  const leftAfter = runs.reduce(
    (sum, run) => sum + (run.signal === 'SIGINT' ? totalLeftovers(run.leftoversAtExit ?? NO_LEFTOVERS) : totalLeftovers(run.leftoversAfterCleanup ?? NO_LEFTOVERS)),
    0,
  );
  const leftByKill = runs.filter((run) => run.signal === 'SIGKILL').reduce((sum, run) => sum + totalLeftovers(run.leftoversAtExit ?? NO_LEFTOVERS), 0);
  const torn = runs.filter((run) => run.reportsAfter.kind === 'torn').length;
  const failed = runs.filter((run) => runProblems(run).length > 0).length;
  lines.push('');
  lines.push(`total: ${runs.length} runs, ${failed} failed; SIGKILL left ${leftByKill} resources before cleanup; ${leftAfter} left after SIGINT exit or cleanup; ${torn} torn reports`);
  return lines.join('\n');
}
