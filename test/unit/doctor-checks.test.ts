import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { CAP_SYS_RESOURCE, checkResourceCapability, hasCapability, parseEffectiveCapabilities, parseHardLimits } from '../../src/cli/doctor/capabilities.js';
import { diskStatus } from '../../src/cli/doctor/disk.js';
import { formatDoctor, formatFailures } from '../../src/cli/doctor/format.js';
import { hostPaths, type HostPaths } from '../../src/cli/doctor/host-paths.js';
import { parseDefaultPlatform, platformCheck, type PlatformProbe } from '../../src/cli/doctor/platforms.js';
import { isRlimitFailure } from '../../src/cli/doctor/podman-checks.js';
import {
  checkRootlessPrerequisites,
  grantsReadWrite,
  groupIdsOf,
  nextFreeSubordinateStart,
  parseSubordinateRanges,
  subordinateIdCount,
} from '../../src/cli/doctor/rootless-prerequisites.js';
import { checkNetstack } from '../../src/cli/doctor/runtime-checks.js';
import { probeFailureReason } from '../../src/engine/probe-container.js';
import { flagErrorLine } from '../../src/engine/runtimes.js';
import type { RuntimeInfo } from '../../src/report/types.js';

const folders: string[] = [];

after(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function folder(): string {
  const created = mkdtempSync(path.join(tmpdir(), 'gvmatrix-doctor-test-'));
  folders.push(created);
  return created;
}

/** CapEff of root on the build machines: everything but CAP_SYS_RESOURCE. */
const CAP_EFF_WITHOUT_SYS_RESOURCE = '000001fffeffffff';

const PROC_LIMITS = [
  'Limit                     Soft Limit           Hard Limit           Units     ',
  'Max processes             96368                96368                processes ',
  'Max open files            20000                20000                files     ',
  '',
].join('\n');

describe('capabilities', () => {
  test('CapEff parses as hex', () => {
    const capabilities = parseEffectiveCapabilities(`Name:\tnode\nCapPrm:\t0\nCapEff:\t${CAP_EFF_WITHOUT_SYS_RESOURCE}\n`);
    assert.equal(capabilities, 0x1fffeffffffn);
  });

  test('missing CapEff is undefined', () => {
    assert.equal(parseEffectiveCapabilities('Name:\tnode\n'), undefined);
  });

  test('CAP_SYS_RESOURCE bit detected', () => {
    assert.equal(hasCapability(0x1fffeffffffn, CAP_SYS_RESOURCE), false);
    assert.equal(hasCapability(0x1ffffffffffn, CAP_SYS_RESOURCE), true);
  });

  test('hard limits parse', () => {
    assert.deepEqual(parseHardLimits(PROC_LIMITS), { nofile: '20000', nproc: '96368' });
  });
});

/** Writes the given host files into a fresh folder and returns paths that point at them. */
function injectedPaths(files: Partial<Record<keyof HostPaths, string>>): HostPaths {
  const dir = folder();
  const paths = { ...hostPaths({}) };
  for (const [key, content] of Object.entries(files) as [keyof HostPaths, string][]) {
    paths[key] = path.join(dir, key);
    writeFileSync(paths[key], content);
  }
  return paths;
}

describe('capability check', () => {
  test('missing capability warns', async () => {
    const paths = injectedPaths({ procStatus: `CapEff:\t${CAP_EFF_WITHOUT_SYS_RESOURCE}\n`, procLimits: PROC_LIMITS });
    const check = await checkResourceCapability(paths);
    assert.equal(check.status, 'warn');
    assert.match(check.detail, /missing from the effective set/);
    assert.match(check.detail, /nofile 20000/);
    assert.match(check.fix ?? '', /default_ulimits/);
  });

  test('present capability is ok', async () => {
    const paths = injectedPaths({ procStatus: 'CapEff:\t000001ffffffffff\n', procLimits: PROC_LIMITS });
    const check = await checkResourceCapability(paths);
    assert.equal(check.status, 'ok');
  });

  test('unreadable status warns', async () => {
    const paths = { ...hostPaths({}), procStatus: path.join(folder(), 'absent') };
    const check = await checkResourceCapability(paths);
    assert.equal(check.status, 'warn');
    assert.match(check.detail, /cannot read/);
  });
});

describe('host paths', () => {
  test('environment overrides a path', () => {
    const paths = hostPaths({ GVMATRIX_SUBUID_FILE: '/tmp/subuid' });
    assert.equal(paths.subuid, '/tmp/subuid');
    assert.equal(paths.subgid, '/etc/subgid');
  });
});

describe('subordinate ids', () => {
  const ranges = parseSubordinateRanges('gvmatrix:100000:65536\n# comment\n1002:165536:1000\nbroken line\nother:300000:65536\n');

  test('ranges parse', () => {
    assert.equal(ranges.length, 3);
    assert.deepEqual(ranges[0], { owner: 'gvmatrix', start: 100000, count: 65536 });
  });

  test('count by name', () => {
    assert.equal(subordinateIdCount(ranges, { name: 'gvmatrix', uid: 1001, gid: 1001 }), 65536);
  });

  test('count by uid', () => {
    assert.equal(subordinateIdCount(ranges, { name: 'tester', uid: 1002, gid: 1002 }), 1000);
  });

  test('next free start', () => {
    assert.equal(nextFreeSubordinateStart(ranges), 393216);
    assert.equal(nextFreeSubordinateStart([]), 131072);
  });
});

describe('device permissions', () => {
  test('others bits for strangers', () => {
    assert.equal(grantsReadWrite(0o20666, 0, 0, 1001, [1001]), true);
    assert.equal(grantsReadWrite(0o20600, 0, 0, 1001, [1001]), false);
  });

  test('group bits for members', () => {
    assert.equal(grantsReadWrite(0o660, 0, 108, 1001, [1001, 108]), true);
  });

  test('owner bits win', () => {
    assert.equal(grantsReadWrite(0o066, 1001, 1001, 1001, [1001]), false);
  });

  test('group membership from group file', () => {
    const groups = groupIdsOf('root:x:0:\nkvm:x:108:gvmatrix,other\naudio:x:29:other\n', { name: 'gvmatrix', uid: 1001, gid: 1001 });
    assert.deepEqual(groups.sort(), [1001, 108]);
  });
});

describe('rootless prerequisites', () => {
  // The user "tester" is the current user, or uid 4242 under root, since root cannot be the rootless user.
  const runningAsRoot = process.getuid?.() === 0;
  const uid = runningAsRoot ? 4242 : (process.getuid?.() ?? 1000);
  const gid = runningAsRoot ? 4242 : (process.getgid?.() ?? 1000);
  const passwd = `root:x:0:0:root:/root:/bin/bash\ntester:x:${uid}:${gid}::/home/tester:/bin/sh\n`;

  /** Paths for user "tester": injected account files, a stand-in tun device and a runtime folder it owns. */
  function testerPaths(subuid: string, tunMode: number): HostPaths {
    const paths = injectedPaths({ passwd, group: '', subuid, subgid: 'tester:100000:65536\n', tunDevice: '' });
    chmodSync(paths.tunDevice, tunMode);
    paths.userRuntimeRoot = folder();
    const runtimeDir = path.join(paths.userRuntimeRoot, String(uid));
    mkdirSync(runtimeDir);
    if (runningAsRoot) chownSync(runtimeDir, uid, gid);
    return paths;
  }

  function statusOf(checks: { name: string; status: string }[], prefix: string): string | undefined {
    return checks.find((check) => check.name.startsWith(prefix))?.status;
  }

  test('complete setup passes', async () => {
    const checks = await checkRootlessPrerequisites('tester', testerPaths('tester:100000:65536\n', 0o666), 'fail');
    assert.deepEqual(
      checks.map((check) => check.status),
      ['ok', 'ok', 'ok', 'ok', 'ok'],
    );
  });

  test('missing subuid entry fails', async () => {
    const checks = await checkRootlessPrerequisites('tester', testerPaths('other:100000:65536\n', 0o666), 'fail');
    const subuid = checks.find((check) => check.name === 'rootless subuid of tester');
    assert.equal(subuid?.status, 'fail');
    assert.match(subuid?.detail ?? '', /gives tester 0 subordinate ids/);
    assert.match(subuid?.fix ?? '', /usermod --add-subuids 196608-262143 tester/);
  });

  test('small subuid range fails', async () => {
    const checks = await checkRootlessPrerequisites('tester', testerPaths('tester:100000:1000\n', 0o666), 'fail');
    assert.equal(statusOf(checks, 'rootless subuid'), 'fail');
    assert.equal(statusOf(checks, 'rootless subgid'), 'ok');
  });

  test('severity warn when optional', async () => {
    const checks = await checkRootlessPrerequisites('tester', testerPaths('', 0o666), 'warn');
    assert.equal(statusOf(checks, 'rootless subuid'), 'warn');
  });

  test('closed tun device fails', async () => {
    const paths = testerPaths('tester:100000:65536\n', 0o000);
    const checks = await checkRootlessPrerequisites('tester', paths, 'fail');
    const tun = checks.find((check) => check.name === `rootless ${paths.tunDevice} for tester`);
    assert.equal(tun?.status, 'fail');
    assert.match(tun?.fix ?? '', /chmod 0666/);
  });

  test('root account is refused', async () => {
    const checks = await checkRootlessPrerequisites('root', testerPaths('', 0o666), 'fail');
    assert.equal(checks[0]?.status, 'fail');
    assert.match(checks[0]?.detail ?? '', /is root/);
  });

  test('unknown user fails', async () => {
    const checks = await checkRootlessPrerequisites('nobody-here', testerPaths('', 0o666), 'fail');
    assert.equal(checks.length, 1);
    assert.equal(checks[0]?.status, 'fail');
    assert.match(checks[0]?.detail ?? '', /has no user "nobody-here"/);
  });

  test('missing runtime folder warns', async () => {
    const paths = testerPaths('tester:100000:65536\n', 0o666);
    paths.userRuntimeRoot = path.join(folder(), 'absent');
    const checks = await checkRootlessPrerequisites('tester', paths, 'fail');
    assert.equal(statusOf(checks, 'rootless XDG_RUNTIME_DIR'), 'warn');
  });
});

describe('disk thresholds', () => {
  const gib = 1024 ** 3;

  test('below 2 GiB fails', () => {
    assert.equal(diskStatus(1.5 * gib), 'fail');
  });

  test('below 10 GiB warns', () => {
    assert.equal(diskStatus(9 * gib), 'warn');
  });

  test('10 GiB is ok', () => {
    assert.equal(diskStatus(10 * gib), 'ok');
  });
});

describe('platform check', () => {
  /** Real `runsc flags` lines of runsc 20240729. */
  const FLAGS_HELP = [
    '  -overlay2 string',
    '    \toverlay configuration',
    '  -platform string',
    '    \tspecifies which platform to use: systrap (default), ptrace, kvm. (default "systrap")',
    '  -platform_device_path string',
  ].join('\n');

  function probe(platform: 'ptrace' | 'systrap' | 'kvm', outcome: 'exited-0' | 'failed' | 'timed-out', reason = ''): PlatformProbe {
    return { platform, result: { outcome, containerId: 'c'.repeat(64), message: reason, reason, killedProcesses: outcome === 'timed-out' ? 4 : 0 } };
  }

  const probes = [
    probe('ptrace', 'exited-0'),
    probe('systrap', 'failed', 'OCI runtime error: /usr/bin/runsc: unknown platform: systrap'),
    probe('kvm', 'timed-out', 'the container did not exit within 20 s'),
  ];

  test('default platform from flags', () => {
    assert.equal(parseDefaultPlatform(FLAGS_HELP), 'systrap');
  });

  test('working platform is ok', () => {
    const check = platformCheck('/usr/bin/runsc', [{ runtime: 'runsc', platform: 'ptrace' }], probes);
    assert.equal(check.status, 'ok');
    assert.match(check.detail, /ptrace starts/);
    assert.match(check.detail, /systrap failed: OCI runtime error: \/usr\/bin\/runsc: unknown platform: systrap/);
    assert.match(check.detail, /kvm timed out: .*4 leftover processes killed/);
  });

  test('broken platform fails', () => {
    const check = platformCheck('/usr/bin/runsc', [{ runtime: 'runsc-kvm', platform: 'kvm' }], probes);
    assert.equal(check.status, 'fail');
    assert.equal(check.fix, 'set platform: ptrace on runtime "runsc-kvm"');
  });

  test('no working platform fails', () => {
    const check = platformCheck('/usr/bin/runsc', [{ runtime: 'runsc', platform: 'ptrace' }], [probe('ptrace', 'failed', 'boom')]);
    assert.equal(check.status, 'fail');
    assert.match(check.fix ?? '', /no platform starts/);
  });
});

describe('failure text', () => {
  test('probe reason is the Error line', () => {
    assert.equal(probeFailureReason('`podman start` failed\nstderr:\nW1204 FATAL\nError: OCI runtime error: unknown platform: systrap\n'), 'OCI runtime error: unknown platform: systrap');
  });

  test('probe reason names a bad flag', () => {
    const message = '`podman start --attach ID` failed with exit code 125\nstderr:\nflag provided but not defined: -no-such-flag\nUsage: runsc <flags>\nUse "runsc flags" for a list of top-level flags';
    assert.equal(probeFailureReason(message), 'flag provided but not defined: -no-such-flag');
  });

  test('probe reason falls back to last line', () => {
    assert.equal(probeFailureReason('first\nlast words\n'), 'last words');
  });

  test('runsc flag error line', () => {
    assert.equal(flagErrorLine('flag provided but not defined: -no-such-flag\nUsage: runsc <flags> <subcommand>', ''), 'flag provided but not defined: -no-such-flag');
  });

  test('runc flag error line', () => {
    const stderr = 'time="2026-12-04T20:38:28Z" level=error msg="flag provided but not defined: -no-such-flag"';
    assert.equal(flagErrorLine(stderr, 'Incorrect Usage. flag provided but not defined: -no-such-flag\n\nNAME:'), 'flag provided but not defined: -no-such-flag');
  });

  test('rlimit failure recognised', () => {
    const message = 'Error: runc: runc create failed: unable to start container process: error during container init: error setting rlimits for ready process: error setting rlimit type 7: operation not permitted: OCI permission denied';
    assert.equal(isRlimitFailure(message), true);
    assert.equal(isRlimitFailure('Error: unknown platform: kvm'), false);
  });
});

describe('netstack check', () => {
  function runsc(flags: string[], netstack?: 'hide-proc-sys-net'): RuntimeInfo {
    const info: RuntimeInfo = { name: 'runsc', kind: 'runsc', baseline: false, path: '/usr/bin/runsc', version: 'runsc version 0.0~20221219.0', flags };
    if (netstack) info.netstack = netstack;
    return info;
  }

  test('old netstack fails', () => {
    assert.equal(checkNetstack(runsc([]), '6.18.44')?.status, 'fail');
  });

  test('workaround passes', () => {
    const check = checkNetstack(runsc([], 'hide-proc-sys-net'), '6.18.44');
    assert.equal(check?.status, 'ok');
    assert.match(check?.detail ?? '', /sandbox through the hide-proc-sys-net wrapper/);
  });

  test('runc has no network check', () => {
    assert.equal(checkNetstack({ ...runsc([]), kind: 'runc' }, '6.18.44'), undefined);
  });
});

describe('doctor output', () => {
  const checks = [
    { name: 'podman', status: 'ok' as const, detail: 'podman version 4.3.1' },
    { name: 'runtime x', status: 'fail' as const, detail: 'first line\nsecond line', fix: 'do this' },
  ];

  test('fix under a problem', () => {
    assert.equal(formatDoctor(checks), 'OK    podman: podman version 4.3.1\nFAIL  runtime x: first line\n      second line\n      fix: do this');
  });

  test('failures as a list', () => {
    assert.equal(formatFailures([checks[1]!]), '- first line\nsecond line\n  fix: do this');
  });
});
