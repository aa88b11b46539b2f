import { readFileSync } from 'node:fs';
import type { KnownIncompatibility } from '../matrix/types.js';
import type { RunScope, RuntimeInfo } from '../report/types.js';

/** Environment variable that carries the path of the run context file into Playwright. */
export const CONTEXT_ENV = 'GVMATRIX_CONTEXT';

/** A runtime of this run together with the Podman API endpoint that serves it. */
export interface RuntimeEndpoint extends RuntimeInfo {
  /** Unix socket of `podman --runtime PATH system service` for this runtime. */
  socket: string;
  /** Folder passed to runsc as `--debug-log=DIR/`; unset for runc. */
  debugLogDir?: string;
  /** The account whose rootless Podman serves this endpoint, when root drives it through runuser. */
  podmanUser?: { name: string; uid: number; gid: number };
  /** True when the endpoint's Podman is rootless, whether started by root for a user or by that user. */
  rootless?: boolean;
}

/**
 * The run context that the CLI passes to the Playwright process. The CLI writes it as JSON
 * into the run folder and passes its path in GVMATRIX_CONTEXT; the config, the fixtures
 * and the reporter read it.
 */
export interface RunContext {
  runId: string;
  /** Absolute path of the matrix file. */
  matrixFile: string;
  /** Folder that receives junit.xml, results.json and the rest. */
  reportsDir: string;
  /** Per-run working folder: context file, generated spec files, runsc logs. */
  runDir: string;
  startedAt: string;
  /** Images to run (all when unset). */
  images?: string[];
  runtimes: RuntimeEndpoint[];
  /** The matrix's `known:` entries, which the reporter applies to the verdicts. */
  known: KnownIncompatibility[];
  /** Absolute path of each suite file to the image that lists it, for tests that never ran. */
  suiteImages?: Record<string, string>;
  /** The matrix digest, shard and images of this run, which the reporter copies into results.json. */
  scope?: RunScope;
}

/** Folder inside the run folder for the reports of an interrupted run. */
export function partialReportsDir(runDir: string): string {
  return `${runDir}/partial-reports`;
}

/** Reads the run context named by GVMATRIX_CONTEXT; throws when it is missing. */
export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const file = env[CONTEXT_ENV];
  if (!file) {
    throw new Error(`${CONTEXT_ENV} is not set: start Playwright through \`gvmatrix run\`, which writes the run context`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as RunContext;
}
