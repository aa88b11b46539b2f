/**
 * Times the image step of scripts/setup.sh (`gvmatrix images build`) into an empty image
 * store and again with everything present. The store is a temporary one, selected with
 * CONTAINERS_STORAGE_CONF, so the shared store loses nothing. It is removed afterwards.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface SetupTiming {
  coldMs: number;
  warmMs: number;
  /** Images whose id changed between the cold and the warm build: rebuilt when it should not have been. */
  rebuiltOnWarm: string[];
  imageCount: number;
  coldExitCode: number;
  warmExitCode: number;
}

async function imageIds(environment: NodeJS.ProcessEnv): Promise<Map<string, string>> {
  const { stdout } = await execa('podman', ['images', '--noheading', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'], { env: environment });
  const ids = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const [reference, id] = line.trim().split(' ');
    if (reference && id && !reference.startsWith('<none>')) ids.set(reference, id);
  }
  return ids;
}

async function timedBuild(cliPath: string, matrixFile: string, environment: NodeJS.ProcessEnv, logFile: string): Promise<{ ms: number; exitCode: number }> {
  const started = performance.now();
  const result = await execa('node', [cliPath, 'images', 'build', '--matrix', matrixFile], { env: environment, reject: false, all: true });
  const ms = performance.now() - started;
  await writeFile(logFile, result.all ?? '');
  return { ms, exitCode: result.exitCode ?? -1 };
}

/** Builds every image of `matrixFile` twice into a new temporary store and writes the build logs to `logDir`. */
export async function measureSetup(cliPath: string, matrixFile: string, logDir: string): Promise<SetupTiming> {
  const storeDir = await mkdtemp(join(tmpdir(), 'gvmatrix-bench-store-'));
  const storageConf = join(storeDir, 'storage.conf');
  await writeFile(storageConf, `[storage]\ndriver = "overlay"\ngraphroot = "${storeDir}/graph"\nrunroot = "${storeDir}/run"\n`);
  const environment = { ...process.env, CONTAINERS_STORAGE_CONF: storageConf };

  try {
    const cold = await timedBuild(cliPath, matrixFile, environment, join(logDir, 'setup-cold.log'));
    const afterCold = await imageIds(environment);
    const warm = await timedBuild(cliPath, matrixFile, environment, join(logDir, 'setup-warm.log'));
    const afterWarm = await imageIds(environment);

    const rebuiltOnWarm = [...afterWarm].filter(([reference, id]) => afterCold.get(reference) !== id).map(([reference]) => reference);
    return { coldMs: cold.ms, warmMs: warm.ms, rebuiltOnWarm, imageCount: afterWarm.size, coldExitCode: cold.exitCode, warmExitCode: warm.exitCode };
  } finally {
    await execa('podman', ['rmi', '--all', '--force'], { env: environment, reject: false });
    await execa('umount', ['--recursive', '--lazy', join(storeDir, 'graph', 'overlay')], { reject: false });
    await rm(storeDir, { recursive: true, force: true });
  }
}
