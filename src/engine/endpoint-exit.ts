import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The exit of a runtime's API service that died while the run still needed it. The CLI
 * writes one file per dead service into the run folder. The Playwright workers read it,
 * so the tests of that runtime fail at once instead of each waiting out its timeout.
 */
export interface EndpointExit {
  runtime: string;
  socket: string;
  pid: number | undefined;
  exitCode: number | undefined;
  signal: string | undefined;
  /** ISO time the CLI saw the exit. */
  at: string;
}

function exitFile(runDir: string, runtime: string): string {
  return join(runDir, 'endpoint-exits', `${runtime}.json`);
}

/** Records a dead API service for the workers. The rename makes a reader see the whole file or none. */
export async function writeEndpointExit(runDir: string, exit: EndpointExit): Promise<void> {
  const file = exitFile(runDir, exit.runtime);
  await mkdir(join(runDir, 'endpoint-exits'), { recursive: true });
  await writeFile(`${file}.tmp`, JSON.stringify(exit));
  await rename(`${file}.tmp`, file);
}

/** Reads the exit record of a runtime's API service; undefined while the service runs. */
export async function readEndpointExit(runDir: string, runtime: string): Promise<EndpointExit | undefined> {
  try {
    return JSON.parse(await readFile(exitFile(runDir, runtime), 'utf8')) as EndpointExit;
  } catch {
    return undefined;
  }
}

/** Describes a dead API service: which runtime and socket, and the exit status or signal of its process. */
export function formatEndpointExit(exit: EndpointExit): string {
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with status ${exit.exitCode ?? 'unknown'}`;
  const pid = exit.pid === undefined ? '' : ` (pid ${exit.pid})`;
  return `the Podman API service of runtime ${exit.runtime}${pid} on ${exit.socket} ${how} at ${exit.at}`;
}

/** Describes the dead API services of a run, one line each. */
export function formatEndpointExits(exits: EndpointExit[]): string {
  return exits.map(formatEndpointExit).join('\n');
}
