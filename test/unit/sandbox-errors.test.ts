import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { logKind } from '../../src/evidence/runsc-log.js';
import { findSandboxErrors, sandboxLostLines, type ContainerLog } from '../../src/evidence/sandbox-errors.js';

/** Real runsc debug logs; test/fixtures/runsc-logs/README.md describes how each was made. */
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/runsc-logs/', import.meta.url));

const ID = 'c0ffee';

/** Returns every log of a fixture folder that has a runsc command kind, in name order. */
function fixtureLogs(folder: string): ContainerLog[] {
  return readdirSync(FIXTURES + folder)
    .sort()
    .map((name) => ({ kind: logKind(name) ?? 'other', logFile: `/logs/${name}`, text: readFileSync(`${FIXTURES}${folder}/${name}`, 'utf8') }));
}

/** Returns the logs with the lines that match `pattern` removed from the logs of one kind. */
function withoutLines(logs: ContainerLog[], kind: string, pattern: RegExp): ContainerLog[] {
  return logs.map((log) => {
    if (log.kind !== kind) {
      return log;
    }
    const text = log.text
      .split('\n')
      .filter((line) => !pattern.test(line))
      .join('\n');
    return { ...log, text };
  });
}

function kinds(logs: ContainerLog[]): string[] {
  return findSandboxErrors(ID, logs).map((error) => error.kind);
}

describe('findSandboxErrors', () => {
  test('killed sandbox', () => {
    assert.deepEqual(kinds(fixtureLogs('20221219-killed')), ['sandbox-killed']);
  });

  test('killed sandbox lines', () => {
    const [killed] = findSandboxErrors(ID, fixtureLogs('20221219-killed'));
    assert.equal(killed?.lines[0], 'boot log ends: I1204 20:12:23.666511   25449 calibrated_clock.go:74] CalibratedClock(Realtime): ready');
    assert.equal(killed?.lines[1], 'gofer exited: I1204 20:12:24.117073       1 main.go:266] Exiting with status: 0');
  });

  test('killed sandbox names boot log', () => {
    const [killed] = findSandboxErrors(ID, fixtureLogs('20221219-killed'));
    assert.equal(killed?.logFile, '/logs/runsc.log.20261204-201222.408663.boot.txt');
    assert.equal(killed?.containerId, ID);
  });

  test('killed sandbox, driver run', () => {
    assert.deepEqual(kinds(fixtureLogs('20221219-driver-sandbox-killed-exec')), ['sandbox-killed', 'sandbox-lost']);
  });

  test('cleanup delete is no stop', () => {
    // Podman's cleanup deletes a container that exited on its own. Here the real delete log
    // of another container is moved to 20:12:24.000, before the gofer's exit at .117.
    const deleteLog = fixtureLogs('20221219-driver-gofer-abort').find((log) => log.kind === 'delete');
    assert.ok(deleteLog !== undefined);
    const moved = { ...deleteLog, text: deleteLog.text.replace(/^([IWEF])1204 21:29:28\.\d+/gm, '$11204 20:12:24.000000') };
    assert.deepEqual(kinds([...fixtureLogs('20221219-killed'), moved]), ['sandbox-killed']);
  });

  test('normal stop', () => {
    assert.deepEqual(kinds(fixtureLogs('20221219-stop-after-exec')), []);
  });

  test('stop -t 0', () => {
    assert.deepEqual(kinds(fixtureLogs('20221219-stopped')), []);
  });

  test('sandbox still running', () => {
    // Without the gofer's exit status nothing shows that the sandbox ended.
    const logs = withoutLines(fixtureLogs('20221219-killed'), 'gofer', /All lisafs servers exited|Exiting with status/);
    assert.deepEqual(kinds(logs), []);
  });

  test('sandbox ended after a stop', () => {
    // A sandbox destroyed during a stop has no exit status either, but the kill log came first.
    const logs = withoutLines(fixtureLogs('20221219-stop-after-exec'), 'boot', /Exiting with status/);
    assert.deepEqual(kinds(logs), []);
  });

  test('panicked sandbox left to panics', () => {
    const logs = fixtureLogs('20221219-killed').map((log) =>
      log.kind === 'boot' ? { ...log, text: `${log.text}panic: running on goroutine 7: task goroutine\n\ngoroutine 7 [running]:\nmain.main()\n` } : log,
    );
    assert.deepEqual(kinds(logs), []);
  });

  test('killed gofer', () => {
    assert.deepEqual(kinds(fixtureLogs('20221219-gofer-killed')), ['gofer-died']);
  });

  test('killed gofer lines', () => {
    const [died] = findSandboxErrors(ID, fixtureLogs('20221219-gofer-killed'));
    assert.match(died?.lines[0] ?? '', /^gofer log ends: I1204 21:15:47\.307093 .*Serving "\/etc\/hostname"/);
    assert.match(died?.lines[1] ?? '', /^boot: I1204 21:15:49\.453205 .*loader\.go:924\] Gofer socket disconnected, killing container "385c4e4f/);
    assert.equal(died?.logFile, '/logs/runsc.log.20261204-211547.242035.gofer.txt');
  });

  test('aborted gofer 20221219', () => {
    const [died] = findSandboxErrors(ID, fixtureLogs('20221219-gofer-abort'));
    assert.equal(died?.message, 'runsc gofer process died while the sandbox ran: SIGABRT: abort');
    assert.equal(died?.lines[0], 'gofer: SIGABRT: abort');
  });

  test('aborted gofer, driver run', () => {
    assert.deepEqual(kinds(fixtureLogs('20221219-driver-gofer-abort')), ['gofer-died']);
  });

  test('aborted gofer 20240729', () => {
    assert.deepEqual(kinds(fixtureLogs('20240729-gofer-abort')), ['gofer-died']);
  });

  test('gofer gone after a stop', () => {
    // The stop's kill log starts before the sentry saw the gofer go.
    const logs = withoutLines(fixtureLogs('20221219-stop-after-exec'), 'gofer', /Exiting with status/);
    assert.deepEqual(kinds(logs), []);
  });

  test('lost sandbox in exec log', () => {
    assert.deepEqual(kinds(fixtureLogs('20240729-sandbox-killed-exec')), ['sandbox-killed', 'sandbox-lost']);
  });

  test('lost sandbox message', () => {
    const lost = findSandboxErrors(ID, fixtureLogs('20221219-sandbox-killed-exec')).find((error) => error.kind === 'sandbox-lost');
    assert.equal(
      lost?.message,
      'runsc exec lost the sandbox: waiting on pid 2: waiting on PID 2 in sandbox "69f2a72614184bdaefe20eda4df09559abc825ea069091525aa093c4ac2c4efa": urpc method "containerManager.WaitPID" failed: EOF',
    );
  });

  test('application error not lost', () => {
    assert.deepEqual(kinds(fixtureLogs('20221219-missing-command')), []);
  });

  test('netstack failure not lost', () => {
    assert.deepEqual(kinds(fixtureLogs('20221219-netstack-failure')), []);
  });

  test('no logs', () => {
    assert.deepEqual(findSandboxErrors(ID, []), []);
  });
});

describe('sandboxLostLines', () => {
  test('urpc failure', () => {
    const text = 'Error: exec failed\nurpc method "containerManager.ExecuteAsync" failed: EOF\n';
    assert.deepEqual(sandboxLostLines(text), ['urpc method "containerManager.ExecuteAsync" failed: EOF']);
  });

  test('control server gone', () => {
    const line = 'connecting to control server at PID 4242: dial unix /var/run/runsc/sandbox.sock: connect: connection refused';
    assert.deepEqual(sandboxLostLines(`  ${line}  `), [line]);
  });

  test('sandbox not running', () => {
    assert.deepEqual(sandboxLostLines('FATAL ERROR: container sandbox is not running'), ['FATAL ERROR: container sandbox is not running']);
  });

  test('repeated line once', () => {
    const line = 'urpc method "containerManager.WaitPID" failed: EOF';
    assert.deepEqual(sandboxLostLines(`${line}\n${line}`), [line]);
  });

  test('missing command not lost', () => {
    const text = 'FATAL ERROR: starting container: starting root container: starting sandbox: failed to start sandbox: creating process: failed to load /no/such/cmd: no such file or directory';
    assert.deepEqual(sandboxLostLines(text), []);
  });

  test('podman state error not lost', () => {
    // Podman's error for an exec into an exited container, the same for runc containers.
    const text = 'Error: can only create exec sessions on running containers: container state improper';
    assert.deepEqual(sandboxLostLines(text), []);
  });
});
