#!/usr/bin/env node
import './node-flags.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadMatrix, MatrixError } from '../matrix/loader.js';
import { DEFAULT_ROOTLESS_USER } from '../matrix/engine-settings.js';
import { BASE_IMAGE, prepareImages } from '../engine/images.js';
import { selectImages } from '../driver/selection.js';
import { runMatrix, checkImageNames, outputOptions, type RunOptions } from './run-command.js';
import { withResultLine } from './run-output.js';
import { runBaseline } from './baseline.js';
import { runDiff } from './diff.js';
import { DEFAULT_FAIL_ON, FAIL_ON_POLICIES, parseFailOnSlow } from '../report/gate.js';
import { RATIO_FLOOR_MS } from '../report/timing.js';
import { runDoctor, formatDoctor } from './doctor.js';
import { EXIT, exitStatusFor } from './exit-status.js';
import { ignoreClosedOutput, progress } from './progress.js';
import { runExplain } from './explain.js';
import { runMerge, type MergeOptions } from './merge-command.js';
import { runClean } from './clean-command.js';
import { parseShard, type ShardSpec } from '../driver/shard.js';

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new InvalidArgumentError(`expected a whole number of 1 or more, got "${value}"`);
  }
  return parsed;
}

function shardOption(value: string): ShardSpec {
  try {
    return parseShard(value);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

/** Creates the option that sets how many images build at a time, for `run` and `images build`. */
function buildJobsOption(flags: string): Option {
  return new Option(flags, 'images to build or pull at a time (default: the number of CPUs)').env('GVMATRIX_BUILD_JOBS').argParser(positiveInteger);
}

function failOnSlowOption(value: string): number {
  try {
    return parseFailOnSlow(value);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

const FAIL_ON_SLOW_HELP =
  `also fail the gate when a sandbox check takes more than RATIO times as long as under the baseline (a number greater than 1; durations under ${RATIO_FLOOR_MS} ms count as ${RATIO_FLOOR_MS} ms)`;

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

ignoreClosedOutput();

const packageJson = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command()
  .name('gvmatrix')
  .version(packageJson.version)
  .description('Runs container smoke tests under runc and gVisor runsc and reports where they differ.')
  .showHelpAfterError()
  .exitOverride();

program
  .command('run')
  .description('run every test of the matrix under each runtime and write reports')
  .option('-m, --matrix <file>', 'matrix file', 'matrix.yaml')
  .option('-i, --image <name>', 'run only this image (repeatable)', collect)
  .option('-r, --runtime <name>', 'run only this runtime besides the baseline (repeatable)', collect)
  .option('-w, --workers <n>', 'parallel Playwright workers, each running one test at a time (default: one per CPU, fewer when free memory cannot hold 512 MiB per container or the largest resources.memory of the images)', positiveInteger)
  .option('--reports <dir>', 'folder for junit.xml, results.json and run logs', 'reports')
  .option('--no-build', 'skip the build of images that exist already, even when their folder changed')
  .addOption(buildJobsOption('--build-jobs <n>'))
  .option('--rootless', 'run the containers through rootless Podman (as --rootless-user when started as root)')
  .option('--rootless-user <name>', 'account for --rootless when gvmatrix runs as root (default: the matrix engine.user, else gvmatrix)')
  .option('--shard <index/total>', 'run only shard INDEX of TOTAL, such as 2/4: a share of the images, each with all its tests and runtimes; join the shards with `gvmatrix merge`', shardOption)
  .addOption(
    new Option('--fail-on <policy>', 'what fails the gate (exit status 1): new = failures no known: entry covers and expired entries, any = also reproduced known failures, none = nothing')
      .choices(FAIL_ON_POLICIES)
      .default(DEFAULT_FAIL_ON),
  )
  .option('--fail-on-slow <ratio>', FAIL_ON_SLOW_HELP, failOnSlowOption)
  .option('--json', 'print results.json with the gate decision as JSON on stdout instead of the summary; progress goes to stderr')
  .action(async (options: RunOptions) => {
    let runId = '';
    const withRunId = { ...options, onRunId: (id: string) => (runId = id) };
    process.exitCode = await withResultLine(() => runMatrix(withRunId), outputOptions(options), process.stdout, () => runId);
    if (process.exitCode === EXIT.interrupted) {
      // A build or check abandoned by the interrupt may still run; exiting now makes
      // execa end it, instead of waiting for it to finish.
      process.exit(EXIT.interrupted);
    }
  });

program
  .command('baseline')
  .description("print the last run's failures as known: entries for a first adoption, or add them to a matrix file")
  .option('-m, --matrix <file>', 'matrix whose known: entries are left out and whose names the entries must match (default: the matrix file named in results.json)')
  .option('--reports <dir>', 'reports folder of the run, or its results.json', 'reports')
  .option('-o, --output <file>', 'add the entries to the known: list of this matrix file, keeping its comments and layout, instead of printing them')
  .option('--expires <date>', 'expiry date (YYYY-MM-DD) for every new entry; after it the entry fails the gate')
  .action(async (options: { matrix?: string; reports: string; output?: string; expires?: string }) => {
    process.exitCode = await runBaseline(options);
  });

program
  .command('diff')
  .description('list the tests whose verdict changed between two runs, such as before and after an image or gVisor upgrade; exit status 1 when a test got worse')
  .argument('<old>', 'results.json of the earlier run, or its reports folder')
  .argument('<new>', 'results.json of the later run, or its reports folder')
  .option('--json', 'print the changes as JSON')
  .action(async (oldPath: string, newPath: string, options: { json?: boolean }) => {
    process.exitCode = await runDiff(oldPath, newPath, options);
  });

program
  .command('merge')
  .description('merge the reports of `run --shard` into one set of reports and a summary, pairing every result again')
  .argument('<folders...>', 'the reports folder of each shard (or its results.json)')
  .option('--reports <dir>', 'folder for the merged reports', 'reports')
  .addOption(new Option('--fail-on <policy>', 'what fails the gate (exit status 1), as for run').choices(FAIL_ON_POLICIES).default(DEFAULT_FAIL_ON))
  .option('--fail-on-slow <ratio>', FAIL_ON_SLOW_HELP, failOnSlowOption)
  .option('--json', 'print the merged results.json with the gate decision as JSON on stdout instead of the summary')
  .action(async (folders: string[], options: MergeOptions) => {
    process.exitCode = await withResultLine(() => runMerge(folders, options), outputOptions(options));
  });

program
  .command('doctor')
  .description('check podman, the runtimes of the matrix and this host, with a fix for each problem')
  .option('-m, --matrix <file>', 'matrix file whose runtimes to check', 'matrix.yaml')
  .option('--json', 'print the checks as JSON')
  .option('--user <name>', 'check the rootless prerequisites of this account, and fail when one is missing (default: the matrix engine.user, else gvmatrix, as warnings)')
  .option('--rootless', 'check the id ranges of userns: auto for rootless runs as --user (default: the matrix engine.rootless)')
  .option('-w, --workers <n>', 'parallel workers the runs will use, for the id ranges of userns: auto (default: as for run)', positiveInteger)
  .action(async (options: { matrix: string; json?: boolean; user?: string; rootless?: boolean; workers?: number }) => {
    let matrix;
    let matrixInvalid = false;
    try {
      matrix = await loadMatrix(resolve(options.matrix));
    } catch (error) {
      if (!(error instanceof MatrixError)) {
        throw error;
      }
      matrixInvalid = true;
      progress(`${error.message}\nchecking the host without the matrix's runtimes`);
    }
    const checks = await runDoctor(matrix, {
      user: options.user ?? matrix?.engine.user ?? DEFAULT_ROOTLESS_USER,
      rootlessRequired: options.user !== undefined || matrix?.engine.rootless === true,
      rootless: options.rootless === true || matrix?.engine.rootless === true,
      workers: options.workers,
    });
    process.stdout.write(options.json ? `${JSON.stringify(checks, null, 2)}\n` : `${formatDoctor(checks)}\n`);
    if (checks.some((check) => check.status === 'fail')) {
      process.exitCode = EXIT.environment;
    } else {
      process.exitCode = matrixInvalid ? EXIT.invalidInput : EXIT.ok;
    }
  });

program
  .command('clean')
  .description('remove the containers, API services and sockets of gvmatrix runs that were killed; live runs are left alone')
  .option('--dry-run', 'print what would be removed, and remove nothing')
  .action(async (options: { dryRun?: boolean }) => {
    process.exitCode = await runClean({ dryRun: options.dryRun === true });
  });

const images = program.command('images').description('manage the images of the matrix');
images
  .command('build')
  .description('build the Debian base image and every image with a build: folder')
  .option('-m, --matrix <file>', 'matrix file', 'matrix.yaml')
  .option('-i, --image <name>', 'build only this image (repeatable)', collect)
  .option('--force', "build the images again even when their folder and base are unchanged, without podman's layer cache")
  .option('--rebuild-base', `build ${BASE_IMAGE} again with mmdebstrap, which makes every image built on it count as changed`)
  .addOption(buildJobsOption('-j, --jobs <n>'))
  .action(async (options: { matrix: string; image?: string[]; force?: boolean; rebuildBase?: boolean; jobs?: number }) => {
    const matrix = await loadMatrix(resolve(options.matrix));
    checkImageNames(matrix, options.image);
    await prepareImages(selectImages(matrix, options.image), progress, { force: options.force, rebuildBase: options.rebuildBase, jobs: options.jobs });
  });

program
  .command('explain')
  .description('decode the unsupported syscalls in runsc debug logs, with counts, support levels and documentation links')
  .argument('[file]', 'a runsc debug log, a folder of runsc.log.* files, a file of copied "Container Sandbox:" lines, or - for standard input')
  .option('--runsc <path>', 'runsc binary whose `help syscalls` table gives the support levels (default: runsc on PATH)')
  .option('--json', 'print the calls as JSON')
  .action(async (file: string | undefined, options: { runsc?: string; json?: boolean }) => {
    process.exitCode = await runExplain(file, options);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const code = (error as { code?: string }).code;
  if (typeof code === 'string' && code.startsWith('commander.')) {
    // commander has printed its message; help and version are successes.
    const status = code === 'commander.helpDisplayed' || code === 'commander.help' || code === 'commander.version' ? EXIT.ok : EXIT.invalidInput;
    process.exit(status);
  }
  process.stderr.write(`gvmatrix: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(exitStatusFor(error));
}
