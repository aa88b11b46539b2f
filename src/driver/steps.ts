import { appendFile, chmod, chown, lstat, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { expect, type TestInfo } from '@playwright/test';
import type Dockerode from 'dockerode';
import { containerRuntimeClient } from './testcontainers-module.js';
import type { Check, HostAction, Step, StepExpectation, StepValue, StepWaitTarget } from '../matrix/types.js';
import type { AppContainer } from './app-container.js';
import { BackgroundExec } from './background-exec.js';
import { OBSERVED_ATTACHMENT } from './annotations.js';
import { expectMatches } from './checks.js';
import { attachComparedValues, type CheckObservation } from './compare.js';
import type { RuntimeEndpoint } from './context.js';
import { containerIdOf, readContainerIdMappings, type ContainerIdMappings } from './id-mapping.js';
import { excerpt, truncateOutput } from './output-text.js';
import { formatStepRecords, type StepRecord } from './step-records.js';
import { formatPattern, patternToRegExp } from './patterns.js';
import { demultiplexLogs, tryConnect } from './wait.js';

const POLL_INTERVAL_MS = 200;

/** The host and engine side a steps test needs besides its container. */
export interface StepEnvironment {
  endpoint: Pick<RuntimeEndpoint, 'name' | 'socket' | 'rootless' | 'podmanUser'>;
  /** Host path of each mount, by name. */
  mountPaths: ReadonlyMap<string, string>;
}

/** One running steps test: its records, background commands and the container's ID mappings once read. */
class StepRun {
  readonly records: StepRecord[] = [];
  readonly background = new Map<string, BackgroundExec>();
  private mappings?: ContainerIdMappings;
  private dockerContainer?: Dockerode.Container;

  constructor(
    readonly app: AppContainer,
    readonly environment: StepEnvironment,
    readonly timeoutMs: number,
  ) {}

  /** Names the container for messages: its short id, image and runtime. */
  get where(): string {
    return `image "${this.app.image}", runtime "${this.app.runtime}", container ${this.app.containerId.slice(0, 12)}`;
  }

  async container(): Promise<Dockerode.Container> {
    if (this.dockerContainer === undefined) {
      const client = await containerRuntimeClient();
      this.dockerContainer = client.container.getById(this.app.containerId);
    }
    return this.dockerContainer;
  }

  async idMappings(): Promise<ContainerIdMappings> {
    this.mappings ??= await readContainerIdMappings(this.environment.endpoint, this.app.containerId);
    return this.mappings;
  }

  /** Returns the record of a named step; the loader lets steps refer only to earlier named ones. */
  recordOf(name: string): StepRecord {
    const record = this.records.find((candidate) => candidate.name === name);
    if (record === undefined) throw new Error(`step "${name}" has not run (${this.where})`);
    return record;
  }

  /** Copies the output that background steps collected so far into their records. */
  refreshBackground(): void {
    for (const [name, exec] of this.background) {
      const record = this.recordOf(name);
      record.stdout = exec.stdout;
      record.stderr = exec.stderr;
    }
  }
}

/**
 * Runs a steps test in order against one container. Each step's record is attached as
 * `gvmatrix-observed` whether the test passes or fails, and `compare:` values are attached
 * after the last step. A failed step ends the test with a message that names the step,
 * the image, the runtime and the container. Background commands are closed at the end;
 * they stop with the container, which the fixture removes after the test.
 */
export async function runStepsCheck(
  check: Extract<Check, { kind: 'steps' }>,
  app: AppContainer,
  environment: StepEnvironment,
  timeoutMs: number,
  testInfo: TestInfo,
): Promise<void> {
  const run = new StepRun(app, environment, timeoutMs);
  try {
    for (const [index, step] of check.steps.entries()) {
      await runStep(run, step, index + 1);
    }
    run.refreshBackground();

    if (check.compare) {
      await attachComparedValues(check.compare, observationOf(run), app, timeoutMs, testInfo);
    }
  } finally {
    run.refreshBackground();
    for (const exec of run.background.values()) exec.close();
    await testInfo.attach(OBSERVED_ATTACHMENT, {
      body: JSON.stringify({ kind: 'steps', steps: run.records.map(storedRecord) }),
      contentType: 'application/json',
    });
  }
}

function storedRecord(record: StepRecord): StepRecord {
  return {
    ...record,
    ...(record.stdout === undefined ? {} : { stdout: truncateOutput(record.stdout) }),
    ...(record.stderr === undefined ? {} : { stderr: truncateOutput(record.stderr) }),
  };
}

/** Returns the values `compare:` may name: plain names are the last foreground exec step's. */
function observationOf(run: StepRun): CheckObservation {
  const steps: Record<string, Partial<Record<StepValue, string>>> = {};
  for (const record of run.records) {
    if (record.name === undefined) continue;
    steps[record.name] = valuesOf(record);
  }
  const lastForeground = [...run.records].reverse().find((record) => record.kind === 'exec' && !record.background);
  return { named: lastForeground === undefined ? {} : valuesOf(lastForeground), steps };
}

function valuesOf(record: StepRecord): Partial<Record<StepValue, string>> {
  const values: Partial<Record<StepValue, string>> = {};
  if (record.exitCode !== undefined) values.exitCode = String(record.exitCode);
  if (record.stdout !== undefined) values.stdout = record.stdout;
  if (record.stderr !== undefined) values.stderr = record.stderr;
  return values;
}

async function runStep(run: StepRun, step: Step, index: number): Promise<void> {
  const record: StepRecord = { index, kind: step.kind, description: describeStep(step), durationMs: 0 };
  if (step.name !== undefined) record.name = step.name;
  run.records.push(record);

  const started = Date.now();
  try {
    switch (step.kind) {
      case 'exec':
        await runExecStep(run, step, record);
        break;
      case 'wait':
        await runWaitStep(run, step.target, step.timeoutMs, record);
        break;
      case 'host':
        await runHostStep(run, step.mount, step.action, record);
        break;
      case 'expect':
        await runExpectStep(run, step.step, step.expect, record);
        break;
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    record.error = reason.split('\n')[0]!;
    run.refreshBackground();
    const label = `step ${index}${step.name === undefined ? '' : ` "${step.name}"`} (${record.description})`;
    // The first line becomes the verdict message, so it names the step and where it ran.
    // The lines after it go into the report's details and show what every step recorded.
    throw new Error(`${label} failed in ${run.where}: ${reason}\nsteps under ${run.app.runtime}:\n${formatStepRecords(run.records)}`, { cause: error });
  } finally {
    record.durationMs = Date.now() - started;
  }
}

/** Returns a step as one short line for records and messages. */
export function describeStep(step: Step): string {
  switch (step.kind) {
    case 'exec':
      return `${step.background ? 'exec in background' : 'exec'} ${step.command.join(' ')}`;
    case 'wait':
      return `wait ${describeWaitTarget(step.target)}`;
    case 'host':
      return `host ${step.action.kind} ${step.mount}/${step.action.path}`;
    case 'expect':
      return `expect step "${step.step}"`;
  }
}

function describeWaitTarget(target: StepWaitTarget): string {
  switch (target.kind) {
    case 'step-output':
      return `for output of step "${target.step}" matching ${formatPattern(target.pattern)}`;
    case 'file':
      return `for file ${target.path}`;
    case 'log':
      return `for log line matching ${formatPattern(target.pattern)}`;
    case 'port':
      return `for port ${target.port} to accept TCP`;
  }
}

async function runExecStep(run: StepRun, step: Extract<Step, { kind: 'exec' }>, record: StepRecord): Promise<void> {
  if (step.background) {
    record.background = true;
    const exec = await BackgroundExec.start(await run.container(), step.command);
    run.background.set(step.name!, exec);
    record.stdout = '';
    record.stderr = '';
    return;
  }

  const result = await run.app.exec(step.command, { timeoutMs: run.timeoutMs });
  record.exitCode = result.exitCode;
  record.stdout = result.stdout;
  record.stderr = result.stderr;
  if (step.expect) checkExpectation(record, step.expect);
}

/** Asserts an exec or stat result against an expectation; messages name the value received. */
function checkExpectation(record: StepRecord, expectation: StepExpectation): void {
  if (expectation.exitCode !== undefined) {
    const output = `${record.stdout ?? ''}\n${record.stderr ?? ''}`.trim();
    expect(record.exitCode, `exited with ${record.exitCode}, expected ${expectation.exitCode}; output: ${excerpt(output)}`).toBe(expectation.exitCode);
  }
  for (const pattern of expectation.stdout) expectMatches(record.stdout ?? '', pattern, 'stdout');
  for (const pattern of expectation.stderr) expectMatches(record.stderr ?? '', pattern, 'stderr');
  if (expectation.containerUid !== undefined) {
    expect(record.containerUid, `owner uid inside the container is ${record.containerUid}, expected ${expectation.containerUid}; host stat: ${record.stdout}`).toBe(expectation.containerUid);
  }
  if (expectation.containerGid !== undefined) {
    expect(record.containerGid, `owner gid inside the container is ${record.containerGid}, expected ${expectation.containerGid}; host stat: ${record.stdout}`).toBe(expectation.containerGid);
  }
}

async function runWaitStep(run: StepRun, target: StepWaitTarget, timeoutMs: number, record: StepRecord): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'not tried';
  while (Date.now() < deadline) {
    const reason = await waitProbe(run, target, deadline);
    if (reason === undefined) {
      record.stdout = `ready after ${Date.now() - (deadline - timeoutMs)} ms`;
      return;
    }
    last = reason;
    await sleep(POLL_INTERVAL_MS);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting ${describeWaitTarget(target)}; last: ${last}`);
}

/** Checks a wait target once; returns undefined when it is met, or what was seen instead. */
async function waitProbe(run: StepRun, target: StepWaitTarget, deadline: number): Promise<string | undefined> {
  switch (target.kind) {
    case 'step-output': {
      const exec = run.background.get(target.step);
      const record = run.recordOf(target.step);
      const output = exec === undefined ? `${record.stdout ?? ''}${record.stderr ?? ''}` : `${exec.stdout}${exec.stderr}`;
      if (patternToRegExp(target.pattern).test(output)) return undefined;
      const ended = exec !== undefined && !exec.running ? ' (the command has ended)' : '';
      return `output so far${ended}: ${excerpt(output)}`;
    }
    case 'file': {
      const result = await run.app.exec(['test', '-e', target.path], { timeoutMs: Math.max(1_000, deadline - Date.now()) });
      return result.exitCode === 0 ? undefined : `\`test -e ${target.path}\` exited with ${result.exitCode}`;
    }
    case 'log': {
      const container = await run.container();
      const raw = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
      const logs = demultiplexLogs(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
      return patternToRegExp(target.pattern).test(logs) ? undefined : `log so far: ${excerpt(logs.slice(-400))}`;
    }
    case 'port':
      return tryConnect(run.app.host, run.app.port(target.port), 1_000);
  }
}

async function runHostStep(run: StepRun, mount: string, action: HostAction, record: StepRecord): Promise<void> {
  const root = run.environment.mountPaths.get(mount);
  if (root === undefined) throw new Error(`mount "${mount}" has no host directory in this test`);
  const file = join(root, action.path);

  switch (action.kind) {
    case 'write':
    case 'append': {
      const existed = (await lstat(file).catch(() => undefined)) !== undefined;
      await (action.kind === 'write' ? writeFile(file, action.content) : appendFile(file, action.content));
      if (!existed) await giveToFolderOwner(file);
      return;
    }
    case 'remove':
      await rm(file);
      return;
    case 'chmod':
      await chmod(file, action.mode);
      return;
    case 'stat': {
      const info = await lstat(file);
      const mappings = await run.idMappings();
      record.stdout = `uid=${info.uid} gid=${info.gid} mode=${(info.mode & 0o7777).toString(8).padStart(4, '0')} size=${info.size}`;
      record.containerUid = containerIdOf(info.uid, mappings.uidmap);
      record.containerGid = containerIdOf(info.gid, mappings.gidmap);
      return;
    }
  }
}

/**
 * Gives a file the host step created to the owner of its folder, as a user of the mount's
 * directory would create it, so that the container sees it owned like the directory. Only
 * root can do that; other users' files keep their owner.
 */
async function giveToFolderOwner(file: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const folder = await stat(dirname(file));
  await chown(file, folder.uid, folder.gid);
}

async function runExpectStep(run: StepRun, stepName: string, expectation: StepExpectation, record: StepRecord): Promise<void> {
  const exec = run.background.get(stepName);
  if (exec !== undefined && expectation.exitCode !== undefined) {
    await waitForEnd(run, stepName, exec);
  }
  run.refreshBackground();

  const target = run.recordOf(stepName);
  if (exec !== undefined) target.exitCode = await exec.exitCode();
  record.description = `expect step "${stepName}"`;
  checkExpectation(target, expectation);
}

/** Waits for a background command to end within the test's timeout. */
async function waitForEnd(run: StepRun, stepName: string, exec: BackgroundExec): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`background step "${stepName}" (\`${exec.command.join(' ')}\`) did not end within the test's timeout of ${run.timeoutMs} ms, so its exit code is unknown`)),
      run.timeoutMs,
    );
  });
  try {
    await Promise.race([exec.ended, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
