import { recordComparedValue, type ComparedValue } from '../../src/driver/compared-values.js';
import type { SandboxPanic, TestEvidence, UnsupportedSyscall } from '../../src/evidence/types.js';
import type { KnownIncompatibility } from '../../src/matrix/types.js';
import type { RuntimeInfo, TestRunResult } from '../../src/report/types.js';

/** Builders of report inputs shared by the report module's tests. */

const LOG_FILE = '/run/gvmatrix/run-1/runsc/runsc.log.20241204-193449.989484.boot.txt';

/** Builds a finding as runsc 20240729 writes it into the boot log. */
export function unsupported(name: string, args: string[], containerId = 'c0ffee01'): UnsupportedSyscall {
  return {
    name,
    args,
    line: `I1204 19:34:49.989484 6414 compat.go:123] Unsupported syscall ${name}(${args.join(',')}). It is likely that you can safely ignore this message and that this is not the cause of any error. Please, refer to https://gvisor.dev/c/linux/amd64/${name} for more information.`,
    containerId,
    logFile: LOG_FILE,
  };
}

export const FANOTIFY = unsupported('fanotify_init', ['0x0', '0x0', '0x0', '0x0', '0x0', '0x0']);
export const IO_URING = unsupported('io_uring_setup', ['0x20', '0x7ffc1c9b1a40', '0x0', '0x0', '0x0', '0x0']);
export const RSEQ = unsupported('rseq', ['0x7f3a2c1e0fe0', '0x20', '0x0', '0x53053053', '0x0', '0x0']);

export const SENTRY_PANIC: SandboxPanic = {
  message: 'panic: running on goroutine 1207: task goroutine',
  frames: [
    'goroutine 1207 [running]:',
    'gvisor.dev/gvisor/pkg/sentry/kernel.(*Task).run(0xc000a1c000, 0x3)',
    '\tpkg/sentry/kernel/task_run.go:98 +0x1c5',
  ],
  containerId: 'c0ffee01',
  logFile: LOG_FILE,
};

export function evidence(parts: Partial<TestEvidence> = {}): TestEvidence {
  return { containerIds: ['c0ffee01'], logFiles: [], unsupportedSyscalls: [], panics: [], ...parts };
}

/** Builds a passing result under runc for `image › test`, with the overrides a case needs. */
export function baselineResult(image: string, test: string, overrides: Partial<TestRunResult> = {}): TestRunResult {
  return {
    image,
    test,
    runtime: 'runc',
    runtimeKind: 'runc',
    baseline: true,
    outcome: 'passed',
    attempts: ['passed'],
    durationMs: 1500,
    source: 'matrix',
    evidence: evidence(),
    ...overrides,
  };
}

/** Builds a passing result under runsc for `image › test`, with the overrides a case needs. */
export function sandboxResult(image: string, test: string, overrides: Partial<TestRunResult> = {}): TestRunResult {
  return {
    image,
    test,
    runtime: 'runsc',
    runtimeKind: 'runsc',
    baseline: false,
    outcome: 'passed',
    attempts: ['passed'],
    durationMs: 1700,
    source: 'matrix',
    evidence: evidence({ logFiles: [LOG_FILE] }),
    ...overrides,
  };
}

export function knownEntry(image: string, test: string, runtime: KnownIncompatibility['runtime']): KnownIncompatibility {
  return {
    image,
    test,
    runtime,
    reason: 'io_uring is off by default in runsc',
    link: 'https://gvisor.dev/docs/user_guide/compatibility/',
    location: { file: '/work/matrix.yaml', line: 42, column: 5 },
  };
}

export const RUNTIMES: RuntimeInfo[] = [
  { name: 'runc', kind: 'runc', baseline: true, path: '/usr/bin/runc', version: 'runc version 1.1.5+ds1', flags: [] },
  {
    name: 'runsc',
    kind: 'runsc',
    baseline: false,
    path: '/usr/local/bin/runsc',
    version: 'runsc version release-20240729.0',
    flags: ['--network=host'],
  },
];

export const EXPECT_FAILURE = [
  'Error: expect(received).toBe(expected) // Object.is equality',
  '',
  'Expected: 0',
  'Received: 1',
].join('\n');

/**
 * Builds a compared value as the driver records it. The built-in normalizers are off
 * unless asked for, so the normalized text equals the text given.
 */
export function comparedValue(observable: string, text: string, builtinNormalizers = false): ComparedValue {
  return recordComparedValue(observable, { text }, { builtinNormalizers, normalize: [] }, {});
}

/** Builds a compared value that could not be read. */
export function unreadValue(observable: string, error: string): ComparedValue {
  return recordComparedValue(observable, { error }, { builtinNormalizers: true, normalize: [] }, {});
}

/** One JSON line per syscall, as images/syscall-probe prints them; an empty errno means the call succeeded. */
export function probeLines(errnos: Record<string, string>): string {
  return Object.entries(errnos)
    .map(([call, errno]) => JSON.stringify({ call, args: '0x0', ret: errno === '' ? 0 : -1, errno }))
    .join('\n');
}
