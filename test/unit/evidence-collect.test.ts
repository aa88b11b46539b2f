import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { collectEvidence } from '../../src/evidence/collect.js';

/** Real runsc debug logs; test/fixtures/runsc-logs/README.md describes how each was made. */
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/runsc-logs/', import.meta.url));

const PROBE_1221_ID = '8b8e8766b814a1f75f2463dba3270ba78cb092f181e625453c072a1befd9df2c';
const EXEC_0729_ID = 'aefe17aaa2bcd320e8e20db2fe576dd541a83ba6afa1e2413cbe7b7f3be59278';
const ABORT_0729_ID = '1bce42bd092520d43b865340dd9086fc974f52abf4492b0b18bd907ee28f5bfc';
const KILLED_1221_ID = '14c214d4bf808347eb64d18fb221b5921e0ae4224447eb21e7b8311d8df4b597';
const MISSING_COMMAND_1221_ID = 'e0c6da1b4254368af9706b2e56e0ca7343868a2b7a2ff35c47e7a3a46d808dd2';
const NETSTACK_1221_ID = '58f5edbc58facb2e40b5fb8975dda69f78f03741bdcdb2cbcfc7eec38841c4e2';
const KILLED_EXEC_1221_ID = '69f2a72614184bdaefe20eda4df09559abc825ea069091525aa093c4ac2c4efa';
const KILLED_EXEC_0729_ID = '31cd557b09b64b1f1fbb9b1a5f941fe36c04cca80f312a9a319f02d8a3f01fdb';
const GOFER_KILLED_1221_ID = '385c4e4fd4067a1cdb88ab089fbe15a5184b6eb2a43469fb471570234b8eac08';
const STOPPED_1221_ID = '66377fbe22aacde9f98c6b1879873a789171941c5e94128024285f794fac9ba4';

let scratch: string;

/** Copies every log of the named fixture folders into a new folder under the scratch folder. */
function logFolder(name: string, ...fixtureFolders: string[]): string {
  const folder = join(scratch, name);
  mkdirSync(folder);
  for (const fixtureFolder of fixtureFolders) {
    for (const file of readdirSync(FIXTURES + fixtureFolder)) {
      copyFileSync(join(FIXTURES, fixtureFolder, file), join(folder, file));
    }
  }
  return folder;
}

function logNames(paths: string[]): string[] {
  return paths.map((path) => path.slice(path.lastIndexOf('/') + 1)).sort();
}

before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'gvmatrix-evidence-'));
});

after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('collectEvidence', () => {
  test('missing folder is empty', async () => {
    const evidence = await collectEvidence(join(scratch, 'never-created'), [PROBE_1221_ID]);
    assert.deepEqual(evidence, {
      containerIds: [PROBE_1221_ID],
      logFiles: [],
      unsupportedSyscalls: [],
      panics: [],
      sandboxErrors: [],
    });
  });

  test('only requested container', async () => {
    const folder = logFolder('two-containers', '20221219-probe', '20240729-exec');

    const evidence = await collectEvidence(folder, [EXEC_0729_ID]);

    assert.deepEqual(
      evidence.unsupportedSyscalls.map((finding) => finding.name),
      ['rseq', 'fanotify_init'],
    );
    assert.ok(evidence.unsupportedSyscalls.every((finding) => finding.containerId === EXEC_0729_ID));
  });

  test('other container separately', async () => {
    const folder = logFolder('two-containers-again', '20221219-probe', '20240729-exec');

    const evidence = await collectEvidence(folder, [PROBE_1221_ID]);

    assert.deepEqual(
      evidence.unsupportedSyscalls.map((finding) => finding.name),
      ['rseq', 'prctl', 'ioctl', 'fanotify_init', 'perf_event_open', 'process_vm_readv'],
    );
    assert.ok(evidence.unsupportedSyscalls.every((finding) => finding.containerId === PROBE_1221_ID));
  });

  test('log files of the container', async () => {
    const folder = logFolder('log-files', '20221219-probe', '20240729-exec');

    const evidence = await collectEvidence(folder, [EXEC_0729_ID]);

    // The create and delete logs are left out: they carry no finding and show no stop.
    assert.deepEqual(logNames(evidence.logFiles), [
      'runsc.log.20261204-201602.393717.boot.txt',
      'runsc.log.20261204-201602.393717.gofer.txt',
      'runsc.log.20261204-201603.205233.start.txt',
      'runsc.log.20261204-201606.992447.exec.txt',
      'runsc.log.20261204-201607.012525.exec.txt',
      'runsc.log.20261204-201607.680021.kill.txt',
    ]);
    assert.ok(evidence.logFiles.every((path) => path.startsWith(folder)));
  });

  test('finding names its log file', async () => {
    const folder = logFolder('finding-file', '20240729-exec');

    const evidence = await collectEvidence(folder, [EXEC_0729_ID]);

    assert.equal(evidence.unsupportedSyscalls[1]?.logFile, join(folder, 'runsc.log.20261204-201602.393717.boot.txt'));
  });

  test('both containers together', async () => {
    const folder = logFolder('both', '20221219-probe', '20240729-exec');

    const evidence = await collectEvidence(folder, [PROBE_1221_ID, EXEC_0729_ID]);

    assert.equal(evidence.unsupportedSyscalls.length, 8);
    assert.equal(evidence.logFiles.length, 9);
  });

  test('unknown container is empty', async () => {
    const folder = logFolder('unknown', '20221219-probe');

    const evidence = await collectEvidence(folder, ['0'.repeat(64)]);

    assert.deepEqual(evidence.logFiles, []);
    assert.deepEqual(evidence.unsupportedSyscalls, []);
  });

  test('gofer panic collected', async () => {
    const folder = logFolder('gofer-abort', '20240729-gofer-abort', '20221219-probe');

    const evidence = await collectEvidence(folder, [ABORT_0729_ID]);

    assert.equal(evidence.panics.length, 1);
    assert.equal(evidence.panics[0]?.message, 'SIGABRT: abort');
    assert.equal(evidence.panics[0]?.containerId, ABORT_0729_ID);
    assert.match(evidence.panics[0]?.logFile ?? '', /\.gofer\.txt$/);
  });

  test('start fatal errors ignored', async () => {
    const folder = logFolder('start-errors', '20221219-netstack-failure', '20221219-missing-command');

    const evidence = await collectEvidence(folder, [NETSTACK_1221_ID, MISSING_COMMAND_1221_ID]);

    assert.equal(evidence.logFiles.length, 4);
    assert.deepEqual(evidence.panics, []);
  });

  test('start fatal errors not sandbox errors', async () => {
    const folder = logFolder('start-errors-again', '20221219-netstack-failure', '20221219-missing-command');

    const evidence = await collectEvidence(folder, [NETSTACK_1221_ID, MISSING_COMMAND_1221_ID]);

    assert.deepEqual(evidence.sandboxErrors, []);
  });

  test('duplicate logs deduplicated', async () => {
    const folder = logFolder('duplicates', '20240729-exec');
    const boot = join(folder, 'runsc.log.20261204-201602.393717.boot.txt');
    copyFileSync(boot, join(folder, 'runsc.log.20261204-211602.000001.boot.txt'));

    const evidence = await collectEvidence(folder, [EXEC_0729_ID]);

    assert.equal(evidence.logFiles.length, 7);
    assert.deepEqual(
      evidence.unsupportedSyscalls.map((finding) => finding.name),
      ['rseq', 'fanotify_init'],
    );
  });

  test('growing log read again', async () => {
    const folder = logFolder('growing', '20240729-exec');
    const boot = join(folder, 'runsc.log.20261204-201602.393717.boot.txt');
    await collectEvidence(folder, [EXEC_0729_ID]);

    const probeLine = readFileSync(FIXTURES + '20221219-probe/runsc.log.20261204-195646.090582.boot.txt', 'utf8')
      .split('\n')
      .find((line) => line.includes('Unsupported syscall perf_event_open('));
    appendFileSync(boot, `${probeLine}\n`);
    const evidence = await collectEvidence(folder, [EXEC_0729_ID]);

    assert.deepEqual(
      evidence.unsupportedSyscalls.map((finding) => finding.name),
      ['rseq', 'fanotify_init', 'perf_event_open'],
    );
  });

  test('replaced log probed again', async () => {
    const folder = logFolder('replaced', '20240729-exec');
    const boot = join(folder, 'runsc.log.20261204-201602.393717.boot.txt');
    await collectEvidence(folder, [EXEC_0729_ID]);

    // Another container's smaller log under the same name must not keep the old id.
    writeFileSync(boot, readFileSync(FIXTURES + '20221219-killed/runsc.log.20261204-201222.408663.boot.txt'));
    const exec = await collectEvidence(folder, [EXEC_0729_ID]);
    const killed = await collectEvidence(folder, [KILLED_1221_ID]);

    assert.deepEqual(exec.unsupportedSyscalls, []);
    assert.deepEqual(
      killed.unsupportedSyscalls.map((finding) => finding.name),
      ['rseq'],
    );
  });

  test('unreadable log names file', async () => {
    const folder = logFolder('unreadable', '20240729-exec');
    const broken = join(folder, 'runsc.log.20261204-221602.000001.boot.txt');
    mkdirSync(broken);

    await assert.rejects(collectEvidence(folder, [EXEC_0729_ID]), (error: Error) => {
      assert.match(error.message, /Failed to read the runsc debug log .*runsc\.log\.20261204-221602\.000001\.boot\.txt: /);
      return true;
    });
  });

  test('hundreds of foreign logs', async () => {
    const folder = logFolder('crowded', '20240729-exec');
    const foreign = readFileSync(FIXTURES + '20221219-probe/runsc.log.20261204-195646.090582.boot.txt');
    for (let index = 0; index < 300; index++) {
      const stamp = String(index).padStart(6, '0');
      writeFileSync(join(folder, `runsc.log.20261204-190000.${stamp}.boot.txt`), foreign);
    }

    const first = await collectEvidence(folder, [EXEC_0729_ID]);
    const second = await collectEvidence(folder, [EXEC_0729_ID]);

    assert.equal(first.logFiles.length, 6);
    assert.deepEqual(second, first);
  });
});

describe('collectEvidence sandbox errors', () => {
  test('killed sandbox 20221219', async () => {
    const folder = logFolder('killed-exec-1221', '20221219-sandbox-killed-exec', '20221219-stop-after-exec');

    const evidence = await collectEvidence(folder, [KILLED_EXEC_1221_ID]);

    assert.deepEqual(
      evidence.sandboxErrors?.map((error) => error.kind),
      ['sandbox-killed', 'sandbox-lost'],
    );
  });

  test('killed sandbox 20240729', async () => {
    const folder = logFolder('killed-exec-0729', '20240729-sandbox-killed-exec');

    const evidence = await collectEvidence(folder, [KILLED_EXEC_0729_ID]);

    assert.deepEqual(
      evidence.sandboxErrors?.map((error) => error.kind),
      ['sandbox-killed', 'sandbox-lost'],
    );
  });

  test('lost sandbox names exec log', async () => {
    const folder = logFolder('lost-exec', '20221219-sandbox-killed-exec');

    const evidence = await collectEvidence(folder, [KILLED_EXEC_1221_ID]);
    const lost = evidence.sandboxErrors?.find((error) => error.kind === 'sandbox-lost');

    assert.equal(lost?.logFile, join(folder, 'runsc.log.20261204-211245.882026.exec.txt'));
    assert.match(lost?.message ?? '', /^runsc exec lost the sandbox: waiting on pid 2: .*urpc method "containerManager\.WaitPID" failed: EOF$/);
  });

  test('killed sandbox without exec', async () => {
    const folder = logFolder('killed', '20221219-killed');

    const evidence = await collectEvidence(folder, [KILLED_1221_ID]);

    assert.deepEqual(
      evidence.sandboxErrors?.map((error) => error.kind),
      ['sandbox-killed'],
    );
  });

  test('killed gofer', async () => {
    const folder = logFolder('gofer-killed', '20221219-gofer-killed');

    const evidence = await collectEvidence(folder, [GOFER_KILLED_1221_ID]);

    assert.deepEqual(
      evidence.sandboxErrors?.map((error) => error.message),
      ['runsc gofer process died while the sandbox ran: its log ends without an exit status'],
    );
  });

  test('aborted gofer', async () => {
    const folder = logFolder('gofer-abort-errors', '20240729-gofer-abort');

    const evidence = await collectEvidence(folder, [ABORT_0729_ID]);

    assert.deepEqual(
      evidence.sandboxErrors?.map((error) => error.message),
      ['runsc gofer process died while the sandbox ran: SIGABRT: abort'],
    );
  });

  test('stopped containers have none', async () => {
    const folder = logFolder('stopped', '20221219-stop-after-exec', '20240729-exec', '20221219-stopped', '20221219-probe');

    const evidence = await collectEvidence(folder, [STOPPED_1221_ID, EXEC_0729_ID, PROBE_1221_ID]);

    assert.deepEqual(evidence.sandboxErrors, []);
  });

  test('other container unaffected', async () => {
    const folder = logFolder('killed-and-stopped', '20221219-sandbox-killed-exec', '20221219-stop-after-exec');

    const evidence = await collectEvidence(folder, [STOPPED_1221_ID]);

    assert.deepEqual(evidence.sandboxErrors, []);
  });
});
