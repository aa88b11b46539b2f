#!/usr/bin/env node
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { loadMatrix, MatrixError } from '../matrix/loader.js';
import { prepareImages } from '../engine/images.js';
import { selectImages } from '../driver/selection.js';
import { runMatrix, checkImageNames } from './run-command.js';
import { runDoctor, formatDoctor } from './doctor.js';
import { EXIT, exitStatusFor } from './exit-status.js';
import { progress } from './progress.js';

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new InvalidArgumentError(`expected a whole number of 1 or more, got "${value}"`);
  }
  return parsed;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

const program = new Command()
  .name('gvmatrix')
  .description('Runs container smoke tests under runc and gVisor runsc and reports where they differ.')
  .showHelpAfterError()
  .exitOverride();

program
  .command('run')
  .description('run every test of the matrix under each runtime and write reports')
  .option('-m, --matrix <file>', 'matrix file', 'matrix.yaml')
  .option('-i, --image <name>', 'run only this image (repeatable)', collect)
  .option('-r, --runtime <name>', 'run only this runtime besides the baseline (repeatable)', collect)
  .option('-w, --workers <n>', 'parallel Playwright workers (default: one per runtime, at most one per core)', positiveInteger)
  .option('--reports <dir>', 'folder for junit.xml, results.json and run logs', 'reports')
  .option('--no-build', 'skip `podman build` for images that exist already')
  .action(async (options) => {
    process.exitCode = await runMatrix(options);
  });

program
  .command('doctor')
  .description('check podman, the runtimes of the matrix and this host, with a fix for each problem')
  .option('-m, --matrix <file>', 'matrix file whose runtimes to check', 'matrix.yaml')
  .option('--json', 'print the checks as JSON')
  .action(async (options: { matrix: string; json?: boolean }) => {
    let matrix;
    try {
      matrix = await loadMatrix(resolve(options.matrix));
    } catch (error) {
      if (!(error instanceof MatrixError)) {
        throw error;
      }
      progress(`${error.message}\nchecking the host without the matrix's runtimes`);
    }
    const checks = await runDoctor(matrix);
    process.stdout.write(options.json ? `${JSON.stringify(checks, null, 2)}\n` : `${formatDoctor(checks)}\n`);
    process.exitCode = checks.some((check) => check.status === 'fail') ? EXIT.environment : EXIT.ok;
  });

const images = program.command('images').description('manage the images of the matrix');
images
  .command('build')
  .description('build the Debian base image and every image with a build: folder')
  .option('-m, --matrix <file>', 'matrix file', 'matrix.yaml')
  .option('-i, --image <name>', 'build only this image (repeatable)', collect)
  .action(async (options: { matrix: string; image?: string[] }) => {
    const matrix = await loadMatrix(resolve(options.matrix));
    checkImageNames(matrix, options.image);
    await prepareImages(selectImages(matrix, options.image), progress);
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
