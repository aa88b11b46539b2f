import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { formatIssue } from '../../src/matrix/errors.js';
import { MatrixError, parseMatrix, type MatrixIssue } from '../../src/matrix/loader.js';
import type { Check, Matrix, Step } from '../../src/matrix/types.js';
import { parseIdMapping } from '../../src/matrix/userns.js';
import { usernsFor, usernsMode } from '../../src/driver/userns.js';
import { composeMappings, containerIdOf } from '../../src/driver/id-mapping.js';
import { bindFor, folderName } from '../../src/driver/mount-dirs.js';

const FILE = '/srv/repo/matrix.yaml';

/** Lines 1-7 of every case: the image "app" starts on line 6, its first key on line 7. */
const HEAD = ['version: 1', 'runtimes:', '  runc: { oci: runc, baseline: true }', '  runsc: { oci: runsc }', 'images:', '  app:', '    image: app:1'];

/** The mounts every case of the steps tests can refer to, on lines 8-10. */
const MOUNTS = ['    mounts:', '      - { name: conf, source: conf, target: /etc/app, mode: ro }', '      - { name: data, target: /data, mode: rw }'];

function matrixText(...lines: string[]): string {
  return `${[...HEAD, ...lines].join('\n')}\n`;
}

/** Returns a matrix whose one test (named on line 12) has the given steps, from line 14 on. */
function withSteps(...stepLines: string[]): string {
  return matrixText(...MOUNTS, '    tests:', '      - name: t', '        steps:', ...stepLines);
}

function parse(text: string, file = FILE): Matrix {
  return parseMatrix(text, file, { checkFiles: false });
}

function issuesOf(text: string, file = FILE, checkFiles = false): MatrixIssue[] {
  try {
    parseMatrix(text, file, { checkFiles });
  } catch (error) {
    if (!(error instanceof MatrixError)) throw error;
    return error.issues;
  }
  assert.fail('expected a MatrixError, but the matrix parsed');
}

function singleIssue(text: string): MatrixIssue {
  const issues = issuesOf(text);
  assert.equal(issues.length, 1, `expected one issue, got:\n${issues.map(formatIssue).join('\n')}`);
  return issues[0]!;
}

function assertIssue(issue: MatrixIssue, line: number, column: number, message: RegExp): void {
  assert.match(issue.message, message);
  assert.equal(issue.location.line, line, formatIssue(issue));
  assert.equal(issue.location.column, column, formatIssue(issue));
}

function stepsOf(matrix: Matrix): Step[] {
  const check: Check | undefined = matrix.images[0]?.tests[0]?.check;
  assert.ok(check?.kind === 'steps', 'the first test is not a steps test');
  return check.steps;
}

describe('mounts: and userns: in the matrix', () => {
  test('mount forms read', () => {
    const matrix = parse(matrixText(...MOUNTS, '      - { name: shared, source: /srv/shared, target: /srv/shared/, mode: ro }', '    userns: auto', '    exec: [true]').replace('    exec: [true]\n', '    tests: [{ name: t, exec: [true] }]\n'));
    const mounts = matrix.images[0]!.mounts;
    assert.deepEqual(mounts.map((mount) => [mount.name, mount.source, mount.target, mount.mode]), [
      ['conf', { kind: 'repository', path: '/srv/repo/conf' }, '/etc/app', 'ro'],
      ['data', { kind: 'empty' }, '/data', 'rw'],
      ['shared', { kind: 'host', path: '/srv/shared' }, '/srv/shared', 'ro'],
    ]);
    assert.deepEqual(matrix.images[0]!.userns, { kind: 'auto' });
  });

  test('mount mode defaults to rw', () => {
    const matrix = parse(matrixText('    mounts: [{ name: data, target: /data }]', '    tests: [{ name: t, exec: [true] }]'));
    assert.equal(matrix.images[0]!.mounts[0]!.mode, 'rw');
  });

  test('runtime userns and explicit mapping', () => {
    const text = [
      'version: 1',
      'runtimes:',
      '  runc: { oci: runc, baseline: true }',
      '  runsc-userns: { oci: runsc, flags: ["--network=host"], userns: auto }',
      'images:',
      '  app:',
      '    image: app:1',
      '    userns: { uidmap: ["0:100000:65536"], gidmap: ["0:200000:1000", "1000:300000:1"] }',
      '    tests: [{ name: t, exec: [true] }]',
    ].join('\n');
    const matrix = parse(text);
    assert.deepEqual(matrix.runtimes[1]!.userns, { kind: 'auto' });
    assert.deepEqual(matrix.images[0]!.userns, {
      kind: 'mapping',
      uidmap: [{ containerId: 0, hostId: 100000, size: 65536 }],
      gidmap: [
        { containerId: 0, hostId: 200000, size: 1000 },
        { containerId: 1000, hostId: 300000, size: 1 },
      ],
    });
  });

  test('missing source folder names the path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gvmatrix-mounts-'));
    try {
      const file = join(dir, 'matrix.yaml');
      await mkdir(join(dir, 'present'));
      const text = matrixText('    mounts:', '      - { name: a, source: present, target: /a }', '      - { name: b, source: missing/conf, target: /b }', '    tests: [{ name: t, exec: [true] }]');
      await writeFile(file, text);
      const issues = issuesOf(text, file, true);
      assert.equal(issues.length, 1, issues.map(formatIssue).join('\n'));
      assertIssue(issues[0]!, 10, 28, new RegExp(`^mount source folder ${join(dir, 'missing/conf')} does not exist; create it`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  const mountCases: Array<[string, string, number, number, RegExp]> = [
    ['relative source escaping the folder', '      - { name: a, source: ../other, target: /a }', 9, 28, /^mount "a" source "\.\.\/other" resolves to \/srv\/other, outside the matrix file's folder \/srv\/repo; name a folder inside it/],
    ['source that is the folder itself', '      - { name: a, source: ., target: /a }', 9, 28, /is the matrix file's folder itself/],
    ['target not absolute', '      - { name: a, target: data }', 9, 28, /^mount target "data" is not an absolute path; write the path inside the container, such as \/data$/],
    ['target is root', '      - { name: a, target: / }', 9, 28, /must not be \//],
    ['mode other than ro or rw', '      - { name: a, target: /a, mode: rx }', 9, 38, /^mount mode "rx" is invalid; write ro \(read-only\) or rw \(read-write\)$/],
    ['mount without target', '      - { name: a }', 9, 9, /^mount 1 of image "app" has no target:/],
    ['unknown mount key', '      - { name: a, target: /a, readonly: true }', 9, 32, /^unknown key "readonly"; valid keys: "name", "source", "target", "mode"$/],
    ['mount key typo', '      - { name: a, traget: /a }', 9, 20, /^unknown key "traget"; did you mean "target"\?$/],
    ['mount name not a string', '      - { name: [a], target: /a }', 9, 17, /^mount name must be a string; got a list$/],
  ];
  for (const [name, line, expectedLine, column, message] of mountCases) {
    test(name, () => {
      const issues = issuesOf(matrixText('    mounts:', line, '    tests: [{ name: t, exec: [true] }]'));
      const issue = issues.find((candidate) => message.test(candidate.message));
      assert.ok(issue, `no issue matches ${message}; got:\n${issues.map(formatIssue).join('\n')}`);
      assertIssue(issue, expectedLine, column, message);
    });
  }

  test('duplicate mount name', () => {
    const issue = singleIssue(matrixText('    mounts:', '      - { name: a, target: /a }', '      - { name: a, target: /b }', '    tests: [{ name: t, exec: [true] }]'));
    assertIssue(issue, 10, 9, /^duplicate mount name "a" in image "app", first used on line 9; give each mount its own name$/);
  });

  test('duplicate mount target', () => {
    const issue = singleIssue(matrixText('    mounts:', '      - { name: a, target: /data }', '      - { name: b, target: /data/ }', '    tests: [{ name: t, exec: [true] }]'));
    assertIssue(issue, 10, 9, /^mount "b" has the target \/data of the mount on line 9; mount each container path once$/);
  });

  const usernsCases: Array<[string, string, number, RegExp]> = [
    ['unknown userns lists valid ones', 'userns: private', 13, /^unknown userns "private"; valid values: auto, keep-id, host or \{ uidmap: \["0:100000:65536"\], gidmap: \["0:100000:65536"\] \}$/],
    ['userns typo', 'userns: keepid', 13, /^unknown userns "keepid"; did you mean "keep-id"\? valid values:/],
    ['mapping not N:N:N', 'userns: { uidmap: ["0:100000"], gidmap: ["0:1:1"] }', 24, /^userns\.uidmap entry "0:100000" is not CONTAINER_ID:HOST_ID:SIZE/],
    ['mapping size zero', 'userns: { uidmap: ["0:1:0"], gidmap: ["0:1:1"] }', 24, /entry "0:1:0" is not CONTAINER_ID:HOST_ID:SIZE/],
    ['mapping without gidmap', 'userns: { uidmap: ["0:1:1"] }', 13, /^userns mapping has no gidmap:; give both uidmap: and gidmap:/],
    ['userns of wrong type', 'userns: 1', 13, /^userns must be one of auto, keep-id, host or .*; got the number 1$/],
  ];
  for (const [name, line, column, message] of usernsCases) {
    test(name, () => {
      const issue = singleIssue(matrixText(`    ${line}`, '    tests: [{ name: t, exec: [true] }]'));
      assertIssue(issue, 8, column, message);
    });
  }

  test('unknown runtime key suggests userns', () => {
    const text = ['version: 1', 'runtimes:', '  runc: { oci: runc, baseline: true, usrns: auto }', '  runsc: { oci: runsc }', 'images:', '  app: { image: app:1, tests: [{ name: t, exec: [true] }] }'].join('\n');
    assertIssue(singleIssue(text), 3, 38, /^unknown key "usrns"; did you mean "userns"\?$/);
  });

  test('parseIdMapping rejects overflow', () => {
    assert.deepEqual(parseIdMapping('0:100000:65536'), { containerId: 0, hostId: 100000, size: 65536 });
    assert.equal(parseIdMapping('0:4294967295:1'), undefined);
    assert.equal(parseIdMapping('-1:0:1'), undefined);
  });
});

describe('steps: in the matrix', () => {
  test('every step kind reads', () => {
    const matrix = parse(
      matrixText(
        '    ports: [8080]',
        ...MOUNTS,
        '    tests:',
        '      - name: t',
        '        timeout: 20s',
        '        steps:',
        '          - exec: [cat, /etc/app/app.conf]',
        '            name: first',
        '          - { exec: [watch], name: watcher, background: true }',
        '          - wait: { step: watcher, output: "/ready/", timeout: 10s }',
        '          - wait: { file: /data/out.txt }',
        '          - wait: { log: "/reloaded/", timeout: 5s }',
        '          - wait: { port: 8080, timeout: 5s }',
        '          - host: { mount: conf, write: app.conf, content: "level=2\\n" }',
        '          - host: { mount: conf, append: sub/app.conf, content: "x\\n" }',
        '          - host: { mount: data, remove: out.txt }',
        '          - host: { mount: data, chmod: out.txt, mode: "0600" }',
        '          - host: { mount: data, stat: out.txt, name: owner }',
        '          - expect: { step: owner, containerUid: 0, containerGid: 0 }',
        '          - expect: { step: watcher, exitCode: 0, stdout: "/MODIFY/" }',
        '        compare: [stdout, { step: first, value: stdout }, { step: owner, value: stdout }]',
      ),
    );

    const steps = stepsOf(matrix);
    assert.deepEqual(steps.map((step) => step.kind), ['exec', 'exec', 'wait', 'wait', 'wait', 'wait', 'host', 'host', 'host', 'host', 'host', 'expect', 'expect']);
    assert.deepEqual(steps[0], { kind: 'exec', name: 'first', command: ['cat', '/etc/app/app.conf'], background: false, expect: { exitCode: 0, stdout: [], stderr: [] }, location: steps[0]!.location });
    assert.equal(steps[1]!.kind === 'exec' && steps[1]!.background, true);
    assert.equal(steps[1]!.kind === 'exec' && steps[1]!.expect, undefined);

    assert.deepEqual(steps[2]!.kind === 'wait' && steps[2]!.target, { kind: 'step-output', step: 'watcher', pattern: { kind: 'regex', source: 'ready', flags: '' } });
    assert.equal(steps[2]!.kind === 'wait' && steps[2]!.timeoutMs, 10_000);
    // A wait without timeout: is bounded by the test's timeout.
    assert.equal(steps[3]!.kind === 'wait' && steps[3]!.timeoutMs, 20_000);
    assert.deepEqual(steps[5]!.kind === 'wait' && steps[5]!.target, { kind: 'port', port: 8080 });

    assert.deepEqual(steps[7]!.kind === 'host' && steps[7]!.action, { kind: 'append', path: 'sub/app.conf', content: 'x\n' });
    assert.deepEqual(steps[9]!.kind === 'host' && steps[9]!.action, { kind: 'chmod', path: 'out.txt', mode: 0o600 });
    assert.equal(steps[10]!.name, 'owner');
    assert.deepEqual(steps[11]!.kind === 'expect' && steps[11]!.expect, { stdout: [], stderr: [], containerUid: 0, containerGid: 0 });

    const compare = matrix.images[0]!.tests[0]!.check.compare;
    assert.deepEqual(compare?.observables, [
      { kind: 'stdout' },
      { kind: 'step', step: 'first', value: 'stdout' },
      { kind: 'step', step: 'owner', value: 'stdout' },
    ]);
  });

  const stepCases: Array<[string, string[], number, number, RegExp]> = [
    ['unknown mount in a host step', ['          - host: { mount: cnf, write: a, content: x }'], 14, 28, /^unknown mount "cnf"; did you mean "conf"\?$/],
    ['host path escaping the mount', ['          - host: { mount: data, write: ../etc/passwd, content: x }'], 14, 41, /^host\.write "\.\.\/etc\/passwd" leaves the mount's directory or names it itself; write a path relative to the mount/],
    ['absolute host path', ['          - host: { mount: data, remove: /etc/passwd }'], 14, 42, /^host\.remove "\/etc\/passwd" leaves the mount's directory/],
    ['host step without content', ['          - host: { mount: data, write: a }'], 14, 34, /^host: \{ write: a \} has no content:/],
    ['unquoted chmod mode', ['          - host: { mount: data, chmod: a, mode: 0600 }'], 14, 50, /^host\.mode must be a quoted octal string, such as "0600"; got the number 0600, which YAML reads as a decimal number$/],
    ['chmod mode not octal', ['          - host: { mount: data, chmod: a, mode: "0900" }'], 14, 50, /^host\.mode "0900" is not permission bits in octal/],
    ['two host actions', ['          - host: { mount: data, write: a, remove: b, content: x }'], 14, 19, /^host must name exactly one of write, append, remove, chmod or stat; found write and remove$/],
    ['background step without name', ['          - { exec: [sleep, "9"], background: true }'], 14, 13, /^step 1 of test "t" runs in the background but has no name; add one/],
    ['duplicate step names', ['          - { exec: [a], name: x }', '          - { exec: [b], name: x }'], 15, 13, /^duplicate step name "x" in test "t", first used on line 14; give each step its own name$/],
    ['wait on a later step', ['          - wait: { step: w, output: x, timeout: 1s }', '          - { exec: [a], name: w, background: true }'], 14, 27, /^wait\.step "w" refers to a later step; steps run in order, so move this after step "w"$/],
    ['wait on an unknown step', ['          - { exec: [a], name: watcher, background: true }', '          - wait: { step: wacher, output: x }'], 15, 27, /^wait\.step "wacher" is not the name of an earlier step; did you mean "watcher"\?$/],
    ['expect on a later step', ['          - expect: { step: late, exitCode: 0 }', '          - { exec: [a], name: late }'], 14, 29, /^expect\.step "late" refers to a later step/],
    ['expect of a value a step lacks', ['          - { exec: [a], name: first }', '          - expect: { step: first, containerUid: 0 }'], 15, 36, /^containerUid is not a result of step "first"; its results are exitCode, stdout, stderr$/],
    ['wait without a target', ['          - wait: { timeout: 1s }'], 14, 19, /^wait must name exactly one of step \(with output\), file, log or port; found none$/],
    ['wait on an unlisted port', ['          - wait: { port: 9000 }'], 14, 27, /^wait\.port 9000 is not exposed: image "app" lists no ports; add 9000 to its ports:$/],
    ['wait with an invalid timeout', ['          - wait: { file: /a, timeout: soon }'], 14, 40, /^wait\.timeout must be a duration such as 30s/],
    ['step with two actions', ['          - { exec: [a], host: { mount: data, stat: a } }'], 14, 26, /^step 1 of test "t" has both exec: and host:; write one action a step/],
    ['unknown step key', ['          - { exec: [a], backgroud: true, name: a }'], 14, 26, /^unknown key "backgroud"; did you mean "background"\?$/],
    ['background expect', ['          - { exec: [a], name: bg, background: true, expect: { exitCode: 0 } }'], 14, 54, /runs in the background, so its result is not known when it starts; check it with a later step, expect: \{ step: bg, stdout: \.\.\. \}$/],
  ];
  for (const [name, lines, line, column, message] of stepCases) {
    test(name, () => {
      const issues = issuesOf(withSteps(...lines));
      assert.ok(issues.length >= 1);
      assertIssue(issues[0]!, line, column, message);
    });
  }

  test('steps together with exec', () => {
    const issue = singleIssue(matrixText(...MOUNTS, '    tests:', '      - name: t', '        exec: [a]', '        steps: [{ exec: [b] }]'));
    assertIssue(issue, 14, 9, /^test "t" has both exec: and steps:; keep one check in this test and move the other into a test of its own$/);
  });

  test('steps together with http', () => {
    const issue = singleIssue(matrixText('    ports: [80]', ...MOUNTS, '    tests:', '      - name: t', '        steps: [{ exec: [b] }]', '        http: { port: 80 }'));
    assertIssue(issue, 15, 9, /^test "t" has both steps: and http:/);
  });

  test('compare on an unknown step', () => {
    const issue = singleIssue(withSteps('          - { exec: [a], name: first }', '        compare: [{ step: frist, value: stdout }]'));
    assertIssue(issue, 15, 27, /^compare step "frist" is not the name of an earlier step; did you mean "first"\?$/);
  });

  test('compare of a host write step', () => {
    const issue = singleIssue(withSteps('          - host: { mount: data, write: a, content: x, name: w }', '        compare: [{ step: w, value: stdout }]'));
    assertIssue(issue, 15, 37, /^step "w" is a host write step without a stdout/);
  });

  test('plain stdout needs a foreground exec', () => {
    const issue = singleIssue(withSteps('          - { exec: [a], name: bg, background: true }', '        compare: [stdout]'));
    assertIssue(issue, 15, 19, /^stdout in a steps test names the last foreground exec step's value, and this test has none/);
  });

  test('step compare in an exec test', () => {
    const issue = singleIssue(matrixText('    tests:', '      - name: t', '        exec: [a]', '        compare: [{ step: x, value: stdout }]'));
    assertIssue(issue, 11, 21, /^compare entry \{ step: \.\.\. \} belongs to steps tests; an exec test can compare/);
  });
});

describe('driver helpers for mounts and userns', () => {
  test('usernsMode for each form', () => {
    const rootful = { name: 'runc', rootless: false };
    assert.equal(usernsMode({ kind: 'auto' }, rootful, 'app'), 'auto');
    assert.equal(usernsMode({ kind: 'host' }, rootful, 'app'), 'host');
    assert.equal(usernsMode({ kind: 'keep-id' }, { name: 'runc', rootless: true }, 'app'), 'keep-id');
    assert.equal(
      usernsMode({ kind: 'mapping', uidmap: [{ containerId: 0, hostId: 100000, size: 65536 }], gidmap: [{ containerId: 0, hostId: 200000, size: 10 }] }, rootful, 'app'),
      'auto:uidmapping=0:100000:65536,gidmapping=0:200000:10',
    );
  });

  test('image userns wins over runtime', () => {
    const text = [
      'version: 1',
      'runtimes:',
      '  runc: { oci: runc, baseline: true }',
      '  runsc-userns: { oci: runsc, userns: auto }',
      'images:',
      '  plain: { image: app:1, tests: [{ name: t, exec: [true] }] }',
      '  shared: { image: app:1, userns: host, tests: [{ name: t, exec: [true] }] }',
    ].join('\n');
    const matrix = parse(text);
    const [plain, shared] = matrix.images;
    assert.equal(usernsFor(matrix, plain!, 'runc'), undefined);
    assert.deepEqual(usernsFor(matrix, plain!, 'runsc-userns'), { kind: 'auto' });
    assert.deepEqual(usernsFor(matrix, shared!, 'runsc-userns'), { kind: 'host' });
  });

  test('keep-id rejected on rootful Podman', () => {
    assert.throws(() => usernsMode({ kind: 'keep-id' }, { name: 'runc', rootless: false }, 'app'), /userns: keep-id of image "app" needs rootless Podman, and runtime "runc" runs rootful; run with --rootless, or use userns: auto/);
  });

  test('containerIdOf maps and reports unmapped', () => {
    const map = [{ containerId: 0, hostId: 100000, size: 65536 }];
    assert.equal(containerIdOf(100000, map), 0);
    assert.equal(containerIdOf(100042, map), 42);
    assert.equal(containerIdOf(0, map), -1);
    assert.equal(containerIdOf(1234, []), 1234);
  });

  test('composeMappings chains a rootless namespace', () => {
    // keep-id style: container 1000 is namespace 0 (the user, host 1000); the rest from subuids.
    const inner = [
      { containerId: 0, hostId: 1, size: 1000 },
      { containerId: 1000, hostId: 0, size: 1 },
    ];
    const outer = [
      { containerId: 0, hostId: 1000, size: 1 },
      { containerId: 1, hostId: 100000, size: 65536 },
    ];
    const composed = composeMappings(inner, outer);
    assert.equal(containerIdOf(1000, composed), 1000);
    assert.equal(containerIdOf(100000, composed), 0);
    assert.equal(containerIdOf(100999, composed), 999);
  });

  test('bindFor gives fresh directories U', () => {
    const location = { file: FILE, line: 1, column: 1 };
    assert.equal(bindFor({ name: 'd', source: { kind: 'empty' }, target: '/data', mode: 'rw', location }, '/run/x/d'), '/run/x/d:/data:rw,U');
    assert.equal(bindFor({ name: 'h', source: { kind: 'host', path: '/srv' }, target: '/srv', mode: 'ro', location }, '/srv'), '/srv:/srv:ro');
  });

  test('folderName of a test title', () => {
    assert.equal(folderName('Host change is seen!'), 'host-change-is-seen');
    assert.equal(folderName('***'), 'test');
  });
});
