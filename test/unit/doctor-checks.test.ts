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
import { readSelinuxState, selinuxCheck, type SelinuxReader } from '../../src/cli/doctor/selinux.js';
import {
  checkUsernsAuto,
  overlapsAny,
  parseRootAutoUsernsUser,
  usernsAutoFileCheck,
  usernsAutoUses,
  type UsernsAutoUse,
} from '../../src/cli/doctor/userns-auto.js';
import type { ImageSpec, RuntimeVariant, UsernsSpec } from '../../src/matrix/types.js';
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

describe('SELinux state', () => {
  /** Returns a reader with the given enforce file content and getenforce output, undefined meaning absent. */
  function reader(enforce: string | undefined, getenforce: string | undefined): SelinuxReader {
    return {
      enforceFile: '/sys/fs/selinux/enforce',
      readEnforceFile: async () => enforce,
      runGetenforce: async () => getenforce,
    };
  }

  test('enforce file 1 is enforcing', async () => {
    assert.deepEqual(await readSelinuxState(reader('1\n', 'Permissive')), { mode: 'enforcing', source: '/sys/fs/selinux/enforce' });
  });

  test('enforce file 0 is permissive', async () => {
    assert.deepEqual(await readSelinuxState(reader('0', undefined)), { mode: 'permissive', source: '/sys/fs/selinux/enforce' });
  });

  test('getenforce without the file', async () => {
    assert.deepEqual(await readSelinuxState(reader(undefined, 'Enforcing\n')), { mode: 'enforcing', source: 'getenforce' });
    assert.deepEqual(await readSelinuxState(reader(undefined, 'Disabled\n')), { mode: 'disabled', source: 'getenforce' });
  });

  test('neither source is absent', async () => {
    const state = await readSelinuxState(reader(undefined, undefined));
    assert.equal(state.mode, 'absent');
    assert.match(state.source, /no \/sys\/fs\/selinux\/enforce and no getenforce/);
  });
});

describe('SELinux check', () => {
  const enforcing = { mode: 'enforcing' as const, source: '/sys/fs/selinux/enforce' };

  test('absent is ok', () => {
    const check = selinuxCheck({ mode: 'absent', source: 'no /sys/fs/selinux/enforce and no getenforce command' }, ['runsc']);
    assert.equal(check.status, 'ok');
    assert.match(check.detail, /^absent \(no \/sys\/fs\/selinux\/enforce/);
    assert.match(check.detail, /:z or :Z on a mount relabels nothing/);
  });

  test('disabled is ok', () => {
    const check = selinuxCheck({ mode: 'disabled', source: 'getenforce' }, ['runsc']);
    assert.equal(check.status, 'ok');
    assert.match(check.detail, /^disabled/);
  });

  test('enforcing with runsc warns', () => {
    const check = selinuxCheck(enforcing, ['runsc', 'runsc-20240729']);
    assert.equal(check.status, 'warn');
    assert.match(check.detail, /^enforcing \(\/sys\/fs\/selinux\/enforce\)/);
    assert.match(check.detail, /runtimes runsc, runsc-20240729/);
    assert.match(check.detail, /SELinux is not supported: LABEL/);
    assert.match(check.detail, /relabels nothing for :z or :Z/);
    assert.match(check.fix ?? '', /label = false/);
    assert.match(check.fix ?? '', /label=disable/);
  });

  test('permissive with runsc warns', () => {
    const check = selinuxCheck({ mode: 'permissive', source: 'getenforce' }, ['runsc']);
    assert.equal(check.status, 'warn');
    assert.match(check.detail, /^permissive \(getenforce\)/);
  });

  test('enforcing without a matrix warns', () => {
    const check = selinuxCheck(enforcing, undefined);
    assert.equal(check.status, 'warn');
    assert.match(check.detail, /and runsc does not apply it/);
  });

  test('enforcing without runsc is ok', () => {
    const check = selinuxCheck(enforcing, []);
    assert.equal(check.status, 'ok');
    assert.match(check.detail, /no runsc runtime/);
  });
});

describe('userns auto uses', () => {
  function runtime(name: string, userns?: UsernsSpec): RuntimeVariant {
    return { name, oci: name, kind: name === 'runc' ? 'runc' : 'runsc', baseline: name === 'runc', flags: [], userns, location: { file: 'm.yaml', line: 1, column: 1 } };
  }

  function image(name: string, userns?: UsernsSpec): ImageSpec {
    return { name, userns } as ImageSpec;
  }

  const runtimes = [runtime('runc'), runtime('runsc'), runtime('runsc-userns', { kind: 'auto' })];

  test('image auto under every runtime', () => {
    const uses = usernsAutoUses([image('watch', { kind: 'auto' })], runtimes);
    assert.deepEqual(uses.map((use) => use.runtime), ['runc', 'runsc', 'runsc-userns']);
  });

  test('runtime auto for plain images', () => {
    assert.deepEqual(usernsAutoUses([image('plain')], runtimes), [{ image: 'plain', runtime: 'runsc-userns' }]);
  });

  test('image userns wins over runtime', () => {
    assert.deepEqual(usernsAutoUses([image('hosted', { kind: 'host' })], runtimes), []);
  });
});

describe('userns auto ranges', () => {
  const uses: UsernsAutoUse[] = [
    { image: 'watch', runtime: 'runc' },
    { image: 'watch', runtime: 'runsc' },
  ];
  const subuid = (text: string | undefined) => ({ kind: 'subuid' as const, path: '/etc/subuid', text });
  const others = 'gvmatrix:100000:65536\ngvtest:165536:65536\n';

  test('storage.conf owner parses', () => {
    assert.equal(parseRootAutoUsernsUser('[storage]\n  root-auto-userns-user = "autoids"\n'), 'autoids');
    assert.equal(parseRootAutoUsernsUser('[storage]\n# root-auto-userns-user = "x"\n'), undefined);
  });

  test('range overlap', () => {
    assert.equal(overlapsAny(165536, 10, [{ owner: 'a', start: 100000, count: 65537 }]), true);
    assert.equal(overlapsAny(165536, 10, [{ owner: 'a', start: 100000, count: 65536 }]), false);
  });

  test('rootful without containers fails', () => {
    const check = usernsAutoFileCheck(subuid(others), { name: 'containers' }, false, 2, uses);
    assert.equal(check.name, 'userns auto subuid of containers');
    assert.equal(check.status, 'fail');
    assert.match(check.detail, /\/etc\/subuid gives containers 0 ids; rootful Podman \(owner "containers"\) needs at least 2048/);
    assert.match(check.detail, /could not find enough available IDs/);
    assert.match(check.detail, /2 image and runtime pairs use userns: auto \(watch under runc, watch under runsc\); up to 2 such containers run at once/);
    assert.equal(check.fix, 'add the line containers:2147483647:2147483648 to /etc/subuid (the account need not exist): `echo containers:2147483647:2147483648 >> /etc/subuid`; scripts/setup.sh adds this line when no containers line exists');
  });

  test('rootful with setup range is ok', () => {
    const check = usernsAutoFileCheck(subuid(`${others}containers:2147483647:2147483648\n`), { name: 'containers' }, false, 2, uses);
    assert.equal(check.status, 'ok');
    assert.match(check.detail, /gives containers 2147483648 ids, enough for 2 × 65536/);
  });

  test('rootful small range warns', () => {
    const check = usernsAutoFileCheck(subuid(`${others}containers:300000:65536\n`), { name: 'containers' }, false, 2, uses);
    assert.equal(check.status, 'warn');
    assert.match(check.detail, /needs 131072 \(2 × 65536\)/);
    assert.match(check.detail, /more than 32768 ids can fail to start/);
    assert.match(check.fix ?? '', /add the line containers:393216:65536 to \/etc\/subuid/);
    assert.doesNotMatch(check.fix ?? '', /scripts\/setup.sh/);
  });

  test('rootful overlapping default moves', () => {
    const check = usernsAutoFileCheck(subuid('big:2000000000:500000000\n'), { name: 'containers' }, false, 1, uses);
    assert.equal(check.status, 'fail');
    assert.match(check.fix ?? '', /add the line containers:2500001792:65536 /);
  });

  test('rootless user range warns', () => {
    const check = usernsAutoFileCheck(subuid(others), { name: 'gvmatrix', uid: 1001 }, true, 2, uses);
    assert.equal(check.status, 'warn');
    assert.match(check.detail, /rootless Podman as gvmatrix needs 131072/);
    assert.match(check.fix ?? '', /usermod --add-subuids 262144-327679 gvmatrix/);
    assert.match(check.fix ?? '', /podman system migrate/);
  });

  test('rootless by uid counts', () => {
    const check = usernsAutoFileCheck(subuid('1001:100000:131072\n'), { name: 'gvmatrix', uid: 1001 }, true, 2, uses);
    assert.equal(check.status, 'ok');
  });

  test('rootless tiny range fails', () => {
    const check = usernsAutoFileCheck(subuid('gvmatrix:100000:1000\n'), { name: 'gvmatrix', uid: 1001 }, true, 1, uses);
    assert.equal(check.status, 'fail');
    assert.match(check.detail, /needs at least 1024/);
  });

  test('unreadable file fails', () => {
    const check = usernsAutoFileCheck(subuid(undefined), { name: 'containers' }, false, 1, uses);
    assert.equal(check.status, 'fail');
    assert.match(check.detail, /^\/etc\/subuid cannot be read/);
  });

  test('no auto use, no check', async () => {
    assert.deepEqual(await checkUsernsAuto([], { rootless: false, user: 'gvmatrix', workers: 2 }, hostPaths({})), []);
  });

  test('storage.conf names the owner', async () => {
    const paths = injectedPaths({ subuid: 'autoids:2147483647:2147483648\n', subgid: '', storageConf: '[storage]\nroot-auto-userns-user = "autoids"\n' });
    const checks = await checkUsernsAuto(uses, { rootless: false, user: 'gvmatrix', workers: 4 }, paths);
    assert.deepEqual(
      checks.map((check) => [check.name, check.status]),
      [
        ['userns auto subuid of autoids', 'ok'],
        ['userns auto subgid of autoids', 'fail'],
      ],
    );
    assert.match(checks[0]?.detail ?? '', /up to 2 such containers/);
  });

  test('rootless plan uses the user', async () => {
    const paths = injectedPaths({ passwd: 'gvmatrix:x:1001:1001::/home/gvmatrix:/bin/sh\n', subuid: 'gvmatrix:100000:65536\n', subgid: '1001:100000:131072\n' });
    const checks = await checkUsernsAuto(uses, { rootless: true, user: 'gvmatrix', workers: 2 }, paths);
    assert.deepEqual(
      checks.map((check) => [check.name, check.status]),
      [
        ['userns auto subuid of gvmatrix', 'warn'],
        ['userns auto subgid of gvmatrix', 'ok'],
      ],
    );
  });
});
