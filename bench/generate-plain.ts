#!/usr/bin/env node
/**
 * Writes the plain podman script of a matrix (see plain-script.ts):
 *   node dist/bench/generate-plain.js [--matrix FILE] [--runtime NAME]... [--workers N] [--work DIR] [--output FILE]
 */
import { chmod, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { collect, positiveInteger } from './cli-options.js';
import { loadMatrix, formatIssue, MatrixError } from '../src/matrix/loader.js';
import { plainScript } from './plain-script.js';
import { defaultWorkers, plainRuntimes } from './plain-runtimes.js';

interface GenerateOptions {
  matrix: string;
  runtime?: string[];
  workers?: number;
  work?: string;
  output?: string;
}

async function main(): Promise<void> {
  const program = new Command('generate-plain')
    .description('Write a bash script that runs the declarative tests of a matrix with plain podman commands')
    .option('--matrix <file>', 'matrix file', 'matrix.yaml')
    .option('--runtime <name>', 'sandbox runtime to run besides the baseline (repeatable; default: all)', collect)
    .option('--workers <n>', 'tests run at the same time (default: as gvmatrix run: one per runtime, at most one per core)', positiveInteger)
    .option('--work <dir>', 'folder for the script\'s results, outputs and runsc logs (default: a new folder under the temporary directory)')
    .option('--output <file>', 'write the script here instead of to stdout')
    .parse();
  const options = program.opts<GenerateOptions>();

  const matrix = await loadMatrix(options.matrix);
  const runId = `plain-${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${process.pid}`;
  const workDir = resolve(options.work ?? join(tmpdir(), `gvmatrix-${runId}`));
  const runtimes = await plainRuntimes(matrix, options.runtime, workDir);

  const script = plainScript({
    matrixFile: matrix.file,
    images: matrix.images,
    runtimes,
    concurrency: options.workers ?? defaultWorkers(runtimes.length),
    workDir,
    runId,
  });
  if (options.output) {
    await writeFile(options.output, script);
    await chmod(options.output, 0o755);
  } else {
    process.stdout.write(script);
  }
}

main().catch((error: unknown) => {
  if (error instanceof MatrixError) {
    for (const issue of error.issues) console.error(formatIssue(issue));
    process.exit(2);
  }
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(error instanceof Error && error.name === 'UsageError' ? 2 : 3);
});
