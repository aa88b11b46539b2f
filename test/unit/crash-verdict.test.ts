import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SandboxError, SandboxPanic } from '../../src/evidence/types.js';
import { ENGINE_ERROR_SOURCE, engineSandboxErrors } from '../../src/evidence/sandbox-errors.js';
import type { TestRunResult } from '../../src/report/types.js';
import { classify } from '../../src/report/verdict.js';
import { EXPECT_FAILURE, FANOTIFY, SENTRY_PANIC, baselineResult, evidence, knownEntry, sandboxResult } from './report-fixtures.js';

/** Lines from test/fixtures/runsc-logs/20221219-sandbox-killed-exec and 20221219-gofer-abort. */
const KILLED_ID = '69f2a72614184bdaefe20eda4df09559abc825ea069091525aa093c4ac2c4efa';
const LOGS = '/run/gvmatrix/run-1/runsc';
const URPC_ERROR = `waiting on pid 2: waiting on PID 2 in sandbox "${KILLED_ID}": urpc method "containerManager.WaitPID" failed: EOF`;

const SANDBOX_KILLED: SandboxError = {
  kind: 'sandbox-killed',
  message: 'runsc sandbox process was killed before anything stopped the container: its log ends without an exit status',
  lines: [
    'boot log ends: I1204 21:12:45.884888   12880 kernel.go:791] EXEC: [sleep 30]',
    'gofer exited: I1204 21:12:48.822473       1 main.go:266] Exiting with status: 0',
  ],
  containerId: KILLED_ID,
  logFile: `${LOGS}/runsc.log.20261204-211243.444341.boot.txt`,
};

const SANDBOX_LOST: SandboxError = {
  kind: 'sandbox-lost',
  message: `runsc exec lost the sandbox: ${URPC_ERROR}`,
  lines: [`exec: W1204 21:12:48.821171   13349 util.go:64] FATAL ERROR: ${URPC_ERROR}`],
  containerId: KILLED_ID,
  logFile: `${LOGS}/runsc.log.20261204-211245.882026.exec.txt`,
};

const GOFER_ID = '9176ad52d3d342d41e0bdbd305a65fb0c0d3968956c63d7d2ec122a858b823ca';
const GOFER_LOG = `${LOGS}/runsc.log.20261204-201630.322364.gofer.txt`;

const GOFER_DIED: SandboxError = {
  kind: 'gofer-died',
  message: 'runsc gofer process died while the sandbox ran: SIGABRT: abort',
  lines: ['gofer: SIGABRT: abort', `boot: I1204 20:16:31.819075   18057 loader.go:924] Gofer socket disconnected, killing container "${GOFER_ID}"`],
  containerId: GOFER_ID,
  logFile: GOFER_LOG,
};

const GOFER_ABORT: SandboxPanic = {
  message: 'SIGABRT: abort',
  frames: ['syscall.Syscall6(0x10f, 0xc000453c48, 0x2, 0x0, 0x0, 0x0, 0x0)'],
  containerId: GOFER_ID,
  logFile: GOFER_LOG,
};

/** The error of `podman exec` when runsc exec lost the sandbox, as a suite's expect() reports it. */
const EXEC_ERROR = ['Error: exec `sleep 30` exited with 128', '', URPC_ERROR].join('\n');

const IMAGE = 'app';
const TEST = 'exec after a crash';

function failedSandbox(overrides: Partial<TestRunResult> = {}): TestRunResult {
  return sandboxResult(IMAGE, TEST, { outcome: 'failed', attempts: ['failed'], error: EXPECT_FAILURE, ...overrides });
}

const failedBaseline = baselineResult(IMAGE, TEST, { outcome: 'failed', attempts: ['failed'], error: 'Error: exec exited with 137' });

describe('classify sandbox deaths', () => {
  test('killed sandbox is a crash', () => {
    const record = classify(failedSandbox({ evidence: evidence({ sandboxErrors: [SANDBOX_KILLED] }) }), baselineResult(IMAGE, TEST), []);
    assert.equal(record.verdict, 'sandbox-crash');
  });

  test('killed sandbox message', () => {
    const record = classify(failedSandbox({ evidence: evidence({ sandboxErrors: [SANDBOX_KILLED] }) }), baselineResult(IMAGE, TEST), []);
    assert.equal(record.message, SANDBOX_KILLED.message);
  });

  test('killed sandbox details', () => {
    const record = classify(failedSandbox({ evidence: evidence({ sandboxErrors: [SANDBOX_KILLED] }) }), baselineResult(IMAGE, TEST), []);
    assert.ok(record.details.includes(`(container ${KILLED_ID}, ${SANDBOX_KILLED.logFile})`), record.details);
    assert.ok(record.details.includes(`  ${SANDBOX_KILLED.lines[1]}`), record.details);
  });

  test('killed sandbox beats baseline failure', () => {
    const record = classify(failedSandbox({ evidence: evidence({ sandboxErrors: [SANDBOX_KILLED] }) }), failedBaseline, []);
    assert.equal(record.verdict, 'sandbox-crash');
  });

  test('killed sandbox beats syscalls', () => {
    const sandbox = failedSandbox({ evidence: evidence({ sandboxErrors: [SANDBOX_KILLED], unsupportedSyscalls: [FANOTIFY] }) });
    const record = classify(sandbox, baselineResult(IMAGE, TEST), []);
    assert.equal(record.verdict, 'sandbox-crash');
  });

  test('killed sandbox leads lost exec', () => {
    const sandbox = failedSandbox({ evidence: evidence({ sandboxErrors: [SANDBOX_LOST, SANDBOX_KILLED] }) });
    const record = classify(sandbox, baselineResult(IMAGE, TEST), []);
    assert.equal(record.message, SANDBOX_KILLED.message);
    assert.ok(record.details.includes(SANDBOX_LOST.lines[0] ?? '-'), record.details);
  });

  test('gofer death names the gofer', () => {
    const sandbox = failedSandbox({ evidence: evidence({ panics: [GOFER_ABORT], sandboxErrors: [GOFER_DIED] }) });
    const record = classify(sandbox, baselineResult(IMAGE, TEST), []);
    assert.equal(record.message, 'runsc gofer process died while the sandbox ran: SIGABRT: abort');
  });

  test('gofer panic alone names the gofer', () => {
    const record = classify(failedSandbox({ evidence: evidence({ panics: [GOFER_ABORT] }) }), baselineResult(IMAGE, TEST), []);
    assert.equal(record.message, 'runsc gofer process died: SIGABRT: abort');
  });

  test('gofer death details keep frames', () => {
    const sandbox = failedSandbox({ evidence: evidence({ panics: [GOFER_ABORT], sandboxErrors: [GOFER_DIED] }) });
    const record = classify(sandbox, baselineResult(IMAGE, TEST), []);
    assert.ok(record.details.includes(`  ${GOFER_ABORT.frames[0]}`), record.details);
  });

  test('sentry panic beats lost exec', () => {
    const sandbox = failedSandbox({ evidence: evidence({ panics: [SENTRY_PANIC], sandboxErrors: [SANDBOX_LOST] }) });
    const record = classify(sandbox, baselineResult(IMAGE, TEST), []);
    assert.equal(record.message, `runsc sandbox process died: ${SENTRY_PANIC.message}`);
  });

  test('evidence without sandboxErrors', () => {
    const older = evidence();
    assert.equal('sandboxErrors' in older, false);
    const record = classify(failedSandbox({ evidence: older }), baselineResult(IMAGE, TEST), []);
    assert.equal(record.verdict, 'behavior-diff');
  });

  test('known entry covers a killed sandbox', () => {
    const sandbox = failedSandbox({ evidence: evidence({ sandboxErrors: [SANDBOX_KILLED] }) });
    const known = [knownEntry(IMAGE, TEST, { kind: 'literal', text: 'runsc' })];
    const record = classify(sandbox, baselineResult(IMAGE, TEST), known);
    assert.equal(record.verdict, 'known');
  });
});

describe('classify lost sandboxes', () => {
  test('lost exec is a crash', () => {
    const record = classify(failedSandbox({ evidence: evidence({ sandboxErrors: [SANDBOX_LOST] }) }), baselineResult(IMAGE, TEST), []);
    assert.equal(record.verdict, 'sandbox-crash');
  });

  test('lost exec message', () => {
    const record = classify(failedSandbox({ evidence: evidence({ sandboxErrors: [SANDBOX_LOST] }) }), baselineResult(IMAGE, TEST), []);
    assert.equal(record.message, SANDBOX_LOST.message);
  });

  test('lost exec, baseline failed too', () => {
    // An application whose container exits during an exec fails under runc as well.
    const record = classify(failedSandbox({ evidence: evidence({ sandboxErrors: [SANDBOX_LOST] }) }), failedBaseline, []);
    assert.equal(record.verdict, 'baseline-failure');
  });

  test('error text alone is no crash', () => {
    // The test's error may quote the container's output, which can print any runsc line.
    const record = classify(failedSandbox({ error: EXEC_ERROR }), baselineResult(IMAGE, TEST), []);
    assert.equal(record.verdict, 'behavior-diff');
  });

  test('engine exec error is a crash', () => {
    const engineError = 'Error: urpc method "containerManager.ExecuteAsync" failed: EOF';
    const sandboxErrors = engineSandboxErrors(KILLED_ID, [engineError]);
    const record = classify(failedSandbox({ error: EXEC_ERROR, evidence: evidence({ sandboxErrors }) }), baselineResult(IMAGE, TEST), []);
    assert.equal(record.verdict, 'sandbox-crash');
    assert.equal(record.message, 'runsc lost the sandbox during the test: Error: urpc method "containerManager.ExecuteAsync" failed: EOF');
    assert.match(record.details, new RegExp(`\\(container ${KILLED_ID}, ${ENGINE_ERROR_SOURCE}\\)`));
  });

  test('error text left out beside logs', () => {
    const sandbox = failedSandbox({ error: EXEC_ERROR, evidence: evidence({ sandboxErrors: [SANDBOX_LOST] }) });
    const record = classify(sandbox, baselineResult(IMAGE, TEST), []);
    assert.doesNotMatch(record.details, /as the error under runsc reports/);
  });

  test('error text, baseline failed too', () => {
    const record = classify(failedSandbox({ error: EXEC_ERROR }), failedBaseline, []);
    assert.equal(record.verdict, 'baseline-failure');
  });

  test('missing command is no crash', () => {
    const error = 'Error: OCI runtime error: runsc: FATAL ERROR: starting container: creating process: failed to load /no/such/cmd: no such file or directory';
    const record = classify(failedSandbox({ error }), baselineResult(IMAGE, TEST), []);
    assert.equal(record.verdict, 'behavior-diff');
  });

  test('exited container is no crash', () => {
    const error = 'Error: can only create exec sessions on running containers: container state improper';
    const record = classify(failedSandbox({ error }), baselineResult(IMAGE, TEST), []);
    assert.equal(record.verdict, 'behavior-diff');
  });
});
