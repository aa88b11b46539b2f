/**
 * `gvmatrix doctor` and its checks against the real Podman, runc and runsc of this host.
 * Each test induces a problem the way a user would meet it: a runtime path that does not
 * exist, a flag runsc rejects, a user without subordinate ids (in an injected subuid
 * file), a process without CAP_SYS_RESOURCE (in an injected status file), SELinux
 * enforcing (in an injected enforce file), an image with userns: auto and no `containers`
 * subuid range, or a --ulimit above the hard limit. Needs root, podman, runc, runsc and
 * the base image.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { DoctorCheck } from '../../src/cli/doctor/check.js';
import { checkContainerStart } from '../../src/cli/doctor/podman-checks.js';
import { checkRuntimeContainer } from '../../src/cli/doctor/runtime-checks.js';
import { hostPaths } from '../../src/cli/doctor/host-paths.js';
import { checkSelinux, hostSelinuxReader } from '../../src/cli/doctor/selinux.js';
import { checkUsernsAuto } from '../../src/cli/doctor/userns-auto.js';
import { startEndpoint } from '../../src/engine/endpoint.js';
import { BASE_IMAGE } from '../../src/engine/images.js';
import { findProcessesNaming, runProbeContainer } from '../../src/engine/probe-container.js';
import type { RuntimeInfo } from '../../src/report/types.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const cli = join(repoRoot, 'dist/src/cli/main.js');

/** CapEff of root on the build machines: everything but CAP_SYS_RESOURCE (bit 24). */
const CAP_EFF_WITHOUT_SYS_RESOURCE = '000001fffeffffff';

const BROKEN_MATRIX = `version: 1
runtimes:
  runc: { oci: runc, baseline: true }
  missing: { oci: /nonexistent/runsc }
  badflag: { oci: runsc, flags: ["--no-such-flag"], network: none }
images:
  app: { image: ${BASE_IMAGE}, tests: [{ name: t, exec: [true] }] }
  mapped: { image: ${BASE_IMAGE}, userns: auto, tests: [{ name: t, exec: [true] }] }
`;

function checkNamed(checks: DoctorCheck[], name: string): DoctorCheck {
  const check = checks.find((candidate) => candidate.name === name);
  assert.ok(check, `no check named "${name}" in: ${checks.map((candidate) => candidate.name).join(', ')}`);
  return check;
}

describe('gvmatrix doctor with induced problems', () => {
  let dir: string;
  let exitCode: number | undefined;
  let stderr: string;
  let checks: DoctorCheck[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gvmatrix-doctor-it-'));
    const matrix = join(dir, 'matrix.yaml');
    await writeFile(matrix, BROKEN_MATRIX);
    await writeFile(join(dir, 'subuid'), 'someone:100000:65536\n');
    await writeFile(join(dir, 'status'), `Name:\tnode\nCapEff:\t${CAP_EFF_WITHOUT_SYS_RESOURCE}\n`);
    await writeFile(join(dir, 'enforce'), '1');

    const result = await execa(process.execPath, [cli, 'doctor', '--matrix', matrix, '--json', '--user', 'gvmatrix', '--workers', '2'], {
      reject: false,
      env: { GVMATRIX_SUBUID_FILE: join(dir, 'subuid'), GVMATRIX_PROC_STATUS: join(dir, 'status'), GVMATRIX_SELINUX_ENFORCE: join(dir, 'enforce') },
    });
    exitCode = result.exitCode;
    stderr = result.stderr;
    checks = JSON.parse(result.stdout) as DoctorCheck[];
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('exits 3 on failures', () => {
    assert.equal(exitCode, 3, stderr);
  });

  test('missing runtime path fails', () => {
    const check = checkNamed(checks, 'runtime missing');
    assert.equal(check.status, 'fail');
    assert.match(check.detail, /\/nonexistent\/runsc was not found/);
    assert.match(check.fix ?? '', /oci:/);
  });

  test('rejected runsc flag fails', () => {
    const check = checkNamed(checks, 'runtime badflag');
    assert.equal(check.status, 'fail');
    assert.match(check.detail, /flag provided but not defined: -no-such-flag/);
    assert.match(check.fix ?? '', /runsc flags/);
  });

  test('baseline runtime starts a container', () => {
    assert.equal(checkNamed(checks, 'runtime runc starts a container').status, 'ok');
  });

  test('missing subuid entry fails', () => {
    const check = checkNamed(checks, 'rootless subuid of gvmatrix');
    assert.equal(check.status, 'fail');
    assert.match(check.detail, /gives gvmatrix 0 subordinate ids/);
    assert.match(check.fix ?? '', /usermod --add-subuids/);
  });

  test('injected status lacks CAP_SYS_RESOURCE', () => {
    const check = checkNamed(checks, 'CAP_SYS_RESOURCE');
    assert.equal(check.status, 'warn');
    assert.match(check.detail, new RegExp(CAP_EFF_WITHOUT_SYS_RESOURCE));
  });

  test('enforcing SELinux warns for runsc', () => {
    const check = checkNamed(checks, 'SELinux');
    assert.equal(check.status, 'warn');
    assert.match(check.detail, /^enforcing \(.*\/enforce\)/);
    assert.match(check.detail, /runtimes missing, badflag/);
    assert.match(check.detail, /SELinux is not supported/);
    assert.match(check.fix ?? '', /label = false/);
  });

  test('userns auto without containers range fails', () => {
    const check = checkNamed(checks, 'userns auto subuid of containers');
    assert.equal(check.status, 'fail');
    assert.match(check.detail, /gives containers 0 ids; rootful Podman \(owner "containers"\) needs at least 2048/);
    assert.match(check.detail, /3 image and runtime pairs use userns: auto \(mapped under runc, mapped under missing, mapped under badflag\)/);
    assert.match(check.fix ?? '', /echo containers:2147483647:2147483648 >> /);
  });

  test('every problem has a fix', () => {
    const withoutFix = checks.filter((check) => check.status !== 'ok' && !check.fix);
    assert.deepEqual(withoutFix, []);
  });
});

describe('doctor checks on this host', () => {
  test('too-high ulimit fails start', async () => {
    const check = await checkContainerStart({ ulimits: ['nofile=1048576:1048576'] });
    assert.equal(check.status, 'fail');
    assert.match(check.detail, /rlimit/);
    assert.match(check.fix ?? '', /CAP_SYS_RESOURCE/);
  });

  test('configured limits start', async () => {
    const check = await checkContainerStart();
    assert.equal(check.status, 'ok', check.detail);
  });

  test('rejected flag passes service start', async () => {
    // runsc checks its flags only when podman calls it, so the API service starts.
    const runtime: RuntimeInfo = { name: 'badflag', kind: 'runsc', baseline: false, path: '/usr/bin/runsc', version: '', flags: ['--no-such-flag'] };
    const dir = await mkdtemp(join(tmpdir(), 'gvmatrix-doctor-it-'));
    try {
      const endpoint = await startEndpoint({ runtime, socketDir: dir, startTimeoutMs: 20_000 });
      await endpoint.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    const check = await checkRuntimeContainer(runtime, runtime.path);
    assert.equal(check.status, 'fail');
    assert.match(check.detail, /flag provided but not defined: -no-such-flag/);
  });
});

describe('SELinux and userns auto on this host', () => {
  test('SELinux is absent here', async () => {
    // The build machines run no SELinux: no selinuxfs and no getenforce.
    const check = await checkSelinux(hostSelinuxReader(hostPaths({})), ['runsc']);
    assert.equal(check.status, 'ok', check.detail);
    assert.match(check.detail, /^absent \(no \/sys\/fs\/selinux\/enforce and no getenforce command\)/);
  });

  test('containers range from set-up suffices', async () => {
    // scripts/setup.sh adds a containers line to /etc/subuid and /etc/subgid when none exists.
    const uses = [
      { image: 'config-watch-userns', runtime: 'runc' },
      { image: 'config-watch-userns', runtime: 'runsc' },
    ];
    const checks = await checkUsernsAuto(uses, { rootless: false, user: 'gvmatrix', workers: 2 }, hostPaths({}));
    assert.deepEqual(
      checks.map((check) => [check.name, check.status]),
      [
        ['userns auto subuid of containers', 'ok'],
        ['userns auto subgid of containers', 'ok'],
      ],
      checks.map((check) => check.detail).join('\n'),
    );
  });

  test('runc starts a userns auto container', async () => {
    const result = await execa('podman', ['run', '--rm', '--userns=auto', BASE_IMAGE, 'cat', '/proc/self/uid_map'], { reject: false, timeout: 60_000 });
    assert.equal(result.exitCode, 0, result.stderr);
    const [containerId, hostId, size] = result.stdout.trim().split(/\s+/).map(Number);
    assert.equal(containerId, 0, result.stdout);
    assert.ok((hostId ?? 0) > 0, `root maps to host id ${hostId}: ${result.stdout}`);
    assert.ok((size ?? 0) >= 1024, `range of ${size} ids: ${result.stdout}`);
    assert.ok((size ?? Infinity) <= 65536, `range of ${size} ids: ${result.stdout}`);
  });
});

describe('run preflight for userns auto', () => {
  test('run stops without containers range', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gvmatrix-preflight-it-'));
    try {
      const matrix = join(dir, 'matrix.yaml');
      await writeFile(matrix, `version: 1
runtimes:
  runc: { oci: runc, baseline: true }
  runsc: { oci: runsc, network: none }
images:
  mapped: { image: ${BASE_IMAGE}, userns: auto, tests: [{ name: t, exec: [true] }] }
`);
      await writeFile(join(dir, 'subuid'), 'gvmatrix:100000:65536\n');
      const result = await execa(process.execPath, [cli, 'run', '--matrix', matrix, '--reports', join(dir, 'reports'), '--no-build', '--workers', '2'], {
        reject: false,
        env: { GVMATRIX_SUBUID_FILE: join(dir, 'subuid') },
      });
      const output = `${result.stdout}\n${result.stderr}`;
      assert.equal(result.exitCode, 3, output);
      assert.match(output, /gives containers 0 ids; rootful Podman \(owner "containers"\) needs at least 2048/);
      assert.match(output, /echo containers:2147483647:2147483648 >> /);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('probe container timeout', () => {
  test('hung kvm probe is cleaned', async () => {
    // runsc's kvm platform hangs on these machines; the probe must leave nothing behind.
    const result = await runProbeContainer({
      image: BASE_IMAGE,
      command: ['true'],
      timeoutMs: 8_000,
      runtimeBinary: '/usr/bin/runsc',
      runtimeFlags: ['platform=kvm', 'network=none'],
      createOptions: ['--network=none'],
    });
    assert.notEqual(result.outcome, 'exited-0', 'kvm started here: this test needs a host where kvm hangs or fails');
    assert.match(result.containerId, /^[0-9a-f]{64}$/);

    assert.deepEqual(await findProcessesNaming(result.containerId), []);
    const exists = await execa('podman', ['container', 'exists', result.containerId], { reject: false });
    assert.equal(exists.exitCode, 1);
    const state = existsSync('/var/run/runsc') ? (await readdir('/var/run/runsc')).filter((entry) => entry.includes(result.containerId)) : [];
    assert.deepEqual(state, []);
  });
});
