import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import {
  containerIdOfLog,
  exitStatusOfLog,
  logKind,
  messageOfLine,
  parseRunscLog,
} from '../../src/evidence/runsc-log.js';

/** Real runsc debug logs; test/fixtures/runsc-logs/README.md describes how each was made. */
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/runsc-logs/', import.meta.url));

/** Containers of three fixture folders, as their Args lines name them. */
const PROBE_1221_ID = '8b8e8766b814a1f75f2463dba3270ba78cb092f181e625453c072a1befd9df2c';
const EXEC_0729_ID = 'aefe17aaa2bcd320e8e20db2fe576dd541a83ba6afa1e2413cbe7b7f3be59278';
const ABORT_1221_ID = '9176ad52d3d342d41e0bdbd305a65fb0c0d3968956c63d7d2ec122a858b823ca';

const SOURCE = { containerId: 'c0ffee', logFile: '/logs/runsc.log.test.boot.txt' };

/** Returns the text of the only log of `kind` in a fixture folder, or the `index`th in name order. */
function fixture(folder: string, kind: string, index = 0): string {
  const names = readdirSync(FIXTURES + folder)
    .filter((name) => name.endsWith(`.${kind}.txt`))
    .sort();
  const name = names[index];
  assert.ok(name !== undefined, `no ${kind} log number ${index} in ${folder}`);
  return readFileSync(`${FIXTURES}${folder}/${name}`, 'utf8');
}

function names(text: string): string[] {
  return parseRunscLog(text, SOURCE).unsupportedSyscalls.map((finding) => finding.name);
}

describe('logKind', () => {
  test('boot log name', () => {
    assert.equal(logKind('runsc.log.20261204-195646.090582.boot.txt'), 'boot');
  });

  test('gofer log path', () => {
    assert.equal(logKind('/tmp/logs/runsc.log.20261204-195646.089167.gofer.txt'), 'gofer');
  });

  test('exec and kill names', () => {
    assert.equal(logKind('runsc.log.20261204-201606.992447.exec.txt'), 'exec');
    assert.equal(logKind('runsc.log.20261204-201607.680021.kill.txt'), 'kill');
  });

  test('name without txt suffix', () => {
    assert.equal(logKind('runsc.log.20190305-121207.361581.boot'), 'boot');
  });

  test('unlisted command is other', () => {
    assert.equal(logKind('runsc.log.20261204-201607.680021.debug.txt'), 'other');
  });

  test('foreign file is undefined', () => {
    assert.equal(logKind('oci-log'), undefined);
    assert.equal(logKind('runsc.log.boot'), undefined);
    assert.equal(logKind('runsc.log.20261204-195618.991519.boot.txt.orig'), undefined);
  });
});

describe('messageOfLine', () => {
  test('glog line', () => {
    const line = 'W1204 20:12:40.381175   28125 util.go:64] FATAL ERROR: starting container';
    assert.equal(messageOfLine(line), 'FATAL ERROR: starting container');
  });

  test('json line', () => {
    const line = '{"msg":"Exiting with status: 0","level":"info","time":"2026-12-04T20:12:54.725524255Z"}';
    assert.equal(messageOfLine(line), 'Exiting with status: 0');
  });

  test('json fields in any order', () => {
    const line = '{"level":"info","time":"2026-12-04T20:12:54.725524255Z","msg":"Exiting with status: 0"}';
    assert.equal(messageOfLine(line), 'Exiting with status: 0');
  });

  test('json line cut short', () => {
    assert.equal(messageOfLine('{"msg":"Unsupported syscall rseq(0x7f20605694a0,'), undefined);
  });

  test('platform prefix after timestamp', () => {
    const line = '2026-12-04 19:56:46.261 UTC Container Sandbox: Unsupported syscall prctl(0x21,0x0)';
    assert.equal(messageOfLine(line), 'Unsupported syscall prctl(0x21,0x0)');
  });

  test('platform prefix in json msg', () => {
    const line = '{"msg":"Container Sandbox: Unsupported syscall prctl(0x21,0x0)","level":"debug"}';
    assert.equal(messageOfLine(line), 'Unsupported syscall prctl(0x21,0x0)');
  });

  test('go runtime line', () => {
    assert.equal(messageOfLine('SIGABRT: abort'), undefined);
    assert.equal(messageOfLine('\tsyscall/syscall_linux.go:90 +0x36'), undefined);
  });
});

describe('containerIdOfLog', () => {
  test('boot log 20221219', () => {
    assert.equal(containerIdOfLog(fixture('20221219-probe', 'boot')), PROBE_1221_ID);
  });

  test('boot log 20240729', () => {
    assert.equal(containerIdOfLog(fixture('20240729-exec', 'boot')), EXEC_0729_ID);
  });

  test('gofer bundle fallback', () => {
    // runsc 20221219's gofer Args name the container only inside --bundle.
    const gofer = fixture('20221219-probe', 'gofer');
    assert.doesNotMatch(gofer.split('\n')[1] ?? '', new RegExp(` ${PROBE_1221_ID}[ \\]]`));
    assert.equal(containerIdOfLog(gofer), PROBE_1221_ID);
  });

  test('exec parent and child', () => {
    assert.equal(containerIdOfLog(fixture('20240729-exec', 'exec', 0)), EXEC_0729_ID);
    assert.equal(containerIdOfLog(fixture('20240729-exec', 'exec', 1)), EXEC_0729_ID);
  });

  test('kill with trailing signal', () => {
    const kill = fixture('20240729-exec', 'kill');
    assert.match(kill, new RegExp(`kill ${EXEC_0729_ID} 9\\]`));
    assert.equal(containerIdOfLog(kill), EXEC_0729_ID);
  });

  test('json boot log', () => {
    const json = fixture('20221219-json', 'boot');
    assert.equal(containerIdOfLog(json), '16158baafbaf7adcf1cd0f879b478034f389ef1fa664c88349d056558e5b4abe');
  });

  test('log without Args', () => {
    assert.equal(containerIdOfLog('I1204 19:56:19.010493    8063 main.go:216] ***\n'), undefined);
  });

  test('partial Args line', () => {
    const head = fixture('20221219-probe', 'boot').split('\n').slice(0, 2).join('\n');
    assert.equal(containerIdOfLog(head.slice(0, 300)), undefined);
  });
});

describe('parseRunscLog syscalls', () => {
  test('probe names 20221219', () => {
    const expected = ['rseq', 'prctl', 'ioctl', 'fanotify_init', 'perf_event_open', 'process_vm_readv'];
    assert.deepEqual(names(fixture('20221219-probe', 'boot')), expected);
  });

  test('probe names 20240729', () => {
    const expected = ['rseq', 'prctl', 'ioctl', 'fanotify_init', 'perf_event_open'];
    assert.deepEqual(names(fixture('20240729-probe', 'boot')), expected);
  });

  test('ioctl args and number', () => {
    const found = parseRunscLog(fixture('20221219-probe', 'boot'), SOURCE).unsupportedSyscalls;
    const ioctl = found.find((finding) => finding.name === 'ioctl');
    assert.ok(ioctl !== undefined);
    assert.deepEqual(ioctl.args, ['0x1', '0x5412', '0x0', '0x55ab6f3f22a0', '0x8000000000001', '0x55ab6f5233d0']);
    assert.equal(ioctl.number, 16);
  });

  test('numbers of named calls', () => {
    const found = parseRunscLog(fixture('20221219-probe', 'boot'), SOURCE).unsupportedSyscalls;
    const numbers = Object.fromEntries(found.map((finding) => [finding.name, finding.number]));
    assert.equal(numbers['rseq'], 334);
    assert.equal(numbers['prctl'], 157);
    assert.equal(numbers['fanotify_init'], 300);
    assert.equal(numbers['perf_event_open'], 298);
    assert.equal(numbers['process_vm_readv'], 310);
  });

  test('numbered sys_ form', () => {
    // runsc 20221219 has no name for 460 (lsm_set_self_attr since Linux 6.8) or for 999.
    const found = parseRunscLog(fixture('20221219-numbered', 'boot'), SOURCE).unsupportedSyscalls;
    const numbered = found.filter((finding) => /^sys_/.test(finding.loggedName ?? finding.name));
    assert.deepEqual(
      numbered.map((finding) => [finding.loggedName ?? finding.name, finding.number]),
      [
        ['sys_460', 460],
        ['sys_999', 999],
      ],
    );
  });

  test('sys_ number gets kernel name', () => {
    const found = parseRunscLog(fixture('20221219-numbered', 'boot'), SOURCE).unsupportedSyscalls;
    const numbered = found.find((finding) => finding.loggedName === 'sys_460');
    assert.equal(numbered?.name, 'lsm_set_self_attr');
  });

  test('unnamed number keeps sys_ name', () => {
    const found = parseRunscLog(fixture('20221219-numbered', 'boot'), SOURCE).unsupportedSyscalls;
    const unnamed = found.find((finding) => finding.number === 999);
    assert.equal(unnamed?.name, 'sys_999');
    assert.equal(unnamed?.loggedName, undefined);
  });

  test('named call has no loggedName', () => {
    const found = parseRunscLog(fixture('20221219-numbered', 'boot'), SOURCE).unsupportedSyscalls;
    const named = found.find((finding) => finding.name === 'fanotify_init');
    assert.ok(named !== undefined);
    assert.equal('loggedName' in named, false);
  });

  test('line and source kept', () => {
    const found = parseRunscLog(fixture('20221219-probe', 'boot'), SOURCE).unsupportedSyscalls;
    const prctl = found.find((finding) => finding.name === 'prctl');
    assert.ok(prctl !== undefined);
    assert.match(prctl.line, /^I1204 19:56:46\.261192 +8562 compat\.go:123\] Unsupported syscall prctl\(0x21,/);
    assert.equal(prctl.containerId, SOURCE.containerId);
    assert.equal(prctl.logFile, SOURCE.logFile);
  });

  test('exec process in boot log', () => {
    // The fanotify_init call came from a `podman exec` process, and it lands in the boot log.
    assert.deepEqual(names(fixture('20240729-exec', 'boot')), ['rseq', 'fanotify_init']);
    assert.deepEqual(names(fixture('20240729-exec', 'exec', 0)), []);
  });

  test('json format names', () => {
    const found = parseRunscLog(fixture('20221219-json', 'boot'), SOURCE).unsupportedSyscalls;
    assert.deepEqual(
      found.map((finding) => finding.name),
      ['rseq', 'fanotify_init'],
    );
    assert.ok(found[1]?.line.startsWith('{"msg":"Unsupported syscall fanotify_init('));
  });

  test('clean logs have no panics', () => {
    assert.deepEqual(parseRunscLog(fixture('20221219-probe', 'boot'), SOURCE).panics, []);
    assert.deepEqual(parseRunscLog(fixture('20240729-exec', 'gofer'), SOURCE).panics, []);
  });

  test('decode probe 20240729', () => {
    const found = parseRunscLog(fixture('20240729-decode', 'boot'), SOURCE).unsupportedSyscalls;
    const prctlOptions = found.filter((finding) => finding.name === 'prctl').map((finding) => finding.args[0]);
    assert.deepEqual(prctlOptions, [
      '0xd', '0xe', '0x19', '0x1a', '0x1d', '0x1e', '0x1f', '0x20', '0x21', '0x22', '0x28', '0x29', '0x2a', '0x2b', '0x2c',
    ]);
  });

  test('decode probe ioctl requests', () => {
    const found = parseRunscLog(fixture('20240729-decode', 'boot'), SOURCE).unsupportedSyscalls;
    const requests = found.filter((finding) => finding.name === 'ioctl').map((finding) => finding.args[1]);
    assert.deepEqual(requests, ['0x5415', '0x5424', '0x5429', '0x80045432', '0x80045440', '0x545d']);
  });

  test('json decode probe 20221219', () => {
    const found = parseRunscLog(fixture('20221219-decode-json', 'boot'), SOURCE).unsupportedSyscalls;
    assert.equal(found.length, 24);
    assert.equal(found.filter((finding) => finding.name === 'prctl').length, 17);
    assert.equal(found.filter((finding) => finding.name === 'ioctl').length, 6);
  });

  test('json line keeps its text', () => {
    const found = parseRunscLog(fixture('20221219-decode-json', 'boot'), SOURCE).unsupportedSyscalls;
    const ioctl = found.find((finding) => finding.name === 'ioctl');
    assert.match(ioctl?.line ?? '', /^\{"msg":"Unsupported syscall ioctl\(0x0,0x5415,/);
    assert.match(ioctl?.line ?? '', /"level":"info","time":"2026-12-04T20:36:45\.\d+Z"\}$/);
  });
});

describe('parseRunscLog platform lines', () => {
  /** Lines derived from real runsc 20221219 lines as the fixtures README describes. */
  const platform = (): string => readFileSync(`${FIXTURES}20221219-container-sandbox/container-sandbox.log`, 'utf8');

  test('every wrapper parsed', () => {
    assert.deepEqual(names(platform()), [
      'rseq',
      'prctl',
      'ioctl',
      'fanotify_init',
      'rseq',
      'clone3',
      'lsm_set_self_attr',
      'sys_999',
    ]);
  });

  test('UNKNOWN form gets kernel name', () => {
    const found = parseRunscLog(platform(), SOURCE).unsupportedSyscalls;
    const clone3 = found.find((finding) => finding.name === 'clone3');
    assert.equal(clone3?.number, 435);
    assert.equal(clone3?.loggedName, 'UNKNOWN[435/0x1b3]');
  });

  test('UNKNOWN form without name', () => {
    const found = parseRunscLog(platform(), SOURCE).unsupportedSyscalls;
    const unnamed = found.find((finding) => finding.number === 999);
    assert.equal(unnamed?.name, 'sys_999');
    assert.equal(unnamed?.loggedName, 'UNKNOWN[999/0x3e7]');
  });

  test('UNKNOWN form args', () => {
    const found = parseRunscLog(platform(), SOURCE).unsupportedSyscalls;
    const clone3 = found.find((finding) => finding.name === 'clone3');
    assert.deepEqual(clone3?.args, ['0x7fe9a89cf5b0', '0x58', '0x7ff8d7d71ef0', '0x8', '0x7ff8d16006c0', '0x7fe9a89cf6a7']);
  });

  test('timestamp touching the prefix', () => {
    const found = parseRunscLog(platform(), SOURCE).unsupportedSyscalls;
    const ioctl = found.find((finding) => finding.name === 'ioctl');
    assert.match(ioctl?.line ?? '', /^2026-12-04 19:56:46\.261 UTCContainer Sandbox: /);
    assert.equal(ioctl?.args[1], '0x5412');
  });

  test('logging JSON entry', () => {
    const found = parseRunscLog(platform(), SOURCE).unsupportedSyscalls;
    const lsm = found.find((finding) => finding.number === 460);
    assert.match(lsm?.line ?? '', /^\{"textPayload":"Container Sandbox: Unsupported syscall UNKNOWN\[460\/0x1cc\]\(/);
    assert.equal(lsm?.loggedName, 'UNKNOWN[460/0x1cc]');
  });

  test('application lines ignored', () => {
    assert.equal(messageOfLine('2026-12-04 19:56:46.262 UTC Listening on :8080'), undefined);
  });
});

describe('parseRunscLog panics', () => {
  test('gofer abort 20221219', () => {
    const panics = parseRunscLog(fixture('20221219-gofer-abort', 'gofer'), SOURCE).panics;
    assert.equal(panics.length, 1);
    assert.equal(panics[0]?.message, 'SIGABRT: abort');
  });

  test('gofer abort frames 20221219', () => {
    const frames = parseRunscLog(fixture('20221219-gofer-abort', 'gofer'), SOURCE).panics[0]?.frames ?? [];
    assert.equal(frames.length, 12);
    assert.match(frames[0] ?? '', /^syscall\.Syscall6\(/);
    assert.match(frames[1] ?? '', /^\tsyscall\/syscall_linux\.go:90 /);
    assert.equal(frames[4], 'gvisor.dev/gvisor/pkg/unet.(*Socket).wait(0xc000409650, 0x0)');
  });

  test('gofer abort frames 20240729', () => {
    // Go 1.24 writes `goroutine 13 gp=0x... m=0 mp=0x... [syscall]:` as the stack header.
    const panics = parseRunscLog(fixture('20240729-gofer-abort', 'gofer'), SOURCE).panics;
    assert.equal(panics.length, 1);
    assert.equal(panics[0]?.frames[0], 'syscall.Syscall6(0x10f, 0xc0004afca8, 0x2, 0x0, 0x0, 0x0, 0x0)');
    assert.equal(panics[0]?.frames.length, 12);
  });

  test('gofer abort leaves boot clean', () => {
    const boot = fixture('20221219-gofer-abort', 'boot');
    assert.equal(containerIdOfLog(boot), ABORT_1221_ID);
    assert.deepEqual(parseRunscLog(boot, SOURCE).panics, []);
  });

  test('runsc fatal error line', () => {
    const panics = parseRunscLog(fixture('20221219-netstack-failure', 'start'), SOURCE).panics;
    assert.equal(panics.length, 1);
    assert.match(panics[0]?.message ?? '', /^FATAL ERROR: starting container: setting up network: /);
    assert.deepEqual(panics[0]?.frames, []);
  });

  test('application fatal error line', () => {
    const panics = parseRunscLog(fixture('20221219-missing-command', 'start'), SOURCE).panics;
    assert.equal(panics.length, 1);
    assert.match(panics[0]?.message ?? '', /creating process: failed to load \/no\/such\/cmd: no such file or directory$/);
  });

  // NOTE: these cases are hand-written in the format of Go's runtime and of gVisor's task
  // goroutine check, because the fixtures hold no real sentry `panic:` (their README lists
  // what was run to get one).
  const HANDWRITTEN_PANIC = [
    'I1204 20:30:01.000001    4242 compat.go:120] Unsupported syscall rseq(0x7f00,0x20,0x0,0x53053053,0x0,0x0).',
    'panic: running on goroutine 1042 (task goroutine for kernel.Task 0xc000a1b000 is 1038)',
    '',
    'goroutine 1042 gp=0xc000682a80 m=4 mp=0xc000100808 [running]:',
    'panic({0x1a2b3c0?, 0xc0004a2f10?})',
    '\tGOROOT/src/runtime/panic.go:791 +0x132',
    'I1204 20:30:01.000002    4242 loader.go:1215] Gofer socket disconnected',
    'gvisor.dev/gvisor/pkg/sentry/kernel.(*Task).assertTaskGoroutine(...)',
    '\tpkg/sentry/kernel/task_run.go:380',
    'gvisor.dev/gvisor/pkg/sentry/kernel.(*Task).Start(0xc000a1b000, 0x5)',
    '\tpkg/sentry/kernel/task_start.go:360 +0x7a',
    '',
    'goroutine 1 gp=0xc000002380 m=nil [semacquire]:',
    'sync.runtime_Semacquire(0xc0000a4030?)',
  ].join('\n');

  test('handwritten panic message', () => {
    const panics = parseRunscLog(HANDWRITTEN_PANIC, SOURCE).panics;
    assert.equal(panics.length, 1);
    assert.equal(
      panics[0]?.message,
      'panic: running on goroutine 1042 (task goroutine for kernel.Task 0xc000a1b000 is 1038)',
    );
  });

  test('handwritten panic frames', () => {
    const frames = parseRunscLog(HANDWRITTEN_PANIC, SOURCE).panics[0]?.frames ?? [];
    assert.deepEqual(frames, [
      'panic({0x1a2b3c0?, 0xc0004a2f10?})',
      '\tGOROOT/src/runtime/panic.go:791 +0x132',
      'gvisor.dev/gvisor/pkg/sentry/kernel.(*Task).assertTaskGoroutine(...)',
      '\tpkg/sentry/kernel/task_run.go:380',
      'gvisor.dev/gvisor/pkg/sentry/kernel.(*Task).Start(0xc000a1b000, 0x5)',
      '\tpkg/sentry/kernel/task_start.go:360 +0x7a',
    ]);
  });

  test('panic source fields', () => {
    const panic = parseRunscLog(HANDWRITTEN_PANIC, SOURCE).panics[0];
    assert.equal(panic?.containerId, SOURCE.containerId);
    assert.equal(panic?.logFile, SOURCE.logFile);
  });

  test('fatal error runtime stack', () => {
    const text = [
      'fatal error: unexpected signal during runtime execution',
      '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x46b2c1]',
      '',
      'runtime stack:',
      'runtime.throw({0x12ab34c?, 0x0?})',
      '\truntime/panic.go:1101 +0x48 fp=0x7ffd5c8 sp=0x7ffd598 pc=0x46b2c1',
      '',
      'goroutine 7 [running]:',
    ].join('\n');
    const panics = parseRunscLog(text, SOURCE).panics;
    assert.equal(panics[0]?.message, 'fatal error: unexpected signal during runtime execution');
    assert.deepEqual(panics[0]?.frames, [
      'runtime.throw({0x12ab34c?, 0x0?})',
      '\truntime/panic.go:1101 +0x48 fp=0x7ffd5c8 sp=0x7ffd598 pc=0x46b2c1',
    ]);
  });

  test('recovered panic counts once', () => {
    const text = [
      'panic: first failure [recovered]',
      '\tpanic: second failure',
      '',
      'goroutine 9 [running]:',
      'main.main()',
    ].join('\n');
    const panics = parseRunscLog(text, SOURCE).panics;
    assert.equal(panics.length, 1);
    assert.deepEqual(panics[0]?.frames, ['main.main()']);
  });

  test('panic without stack', () => {
    const panics = parseRunscLog('panic: cut short\n', SOURCE).panics;
    assert.equal(panics[0]?.message, 'panic: cut short');
    assert.deepEqual(panics[0]?.frames, []);
  });
});

describe('exitStatusOfLog', () => {
  test('clean exit', () => {
    assert.equal(exitStatusOfLog(fixture('20221219-probe', 'boot')), 0);
  });

  test('stopped with SIGKILL', () => {
    assert.equal(exitStatusOfLog(fixture('20221219-stopped', 'boot')), 9);
  });

  test('killed sandbox has none', () => {
    assert.equal(exitStatusOfLog(fixture('20221219-killed', 'boot')), undefined);
  });

  test('json exit line', () => {
    assert.equal(exitStatusOfLog(fixture('20221219-json', 'boot')), 0);
  });
});
