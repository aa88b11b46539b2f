import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, test } from 'node:test';
import { formatIssue } from '../../src/matrix/errors.js';
import { loadMatrix, MatrixError, parseMatrix, type MatrixIssue } from '../../src/matrix/loader.js';
import { flagName, flagValue } from '../../src/matrix/runsc-options.js';
import type { Matrix, RuntimeVariant } from '../../src/matrix/types.js';

/** Path used for matrices parsed without file checks; nothing is read from it. */
const FILE = '/srv/gvmatrix/matrix.yaml';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** Returns a matrix whose line 4 is the runtime under test. */
function withRuntime(runtimeLine: string): string {
  return [
    'version: 1',
    'runtimes:',
    '  runc: { oci: runc, baseline: true }',
    runtimeLine,
    'images:',
    '  app: { image: app:1, tests: [{ name: t, exec: [true] }] }',
    '',
  ].join('\n');
}

function parse(text: string): Matrix {
  return parseMatrix(text, FILE, { checkFiles: false });
}

function runtime(matrix: Matrix, name: string): RuntimeVariant {
  const found = matrix.runtimes.find((candidate) => candidate.name === name);
  assert.ok(found, `runtime ${name} is missing`);
  return found;
}

function singleIssue(text: string): MatrixIssue {
  try {
    parse(text);
  } catch (error) {
    if (!(error instanceof MatrixError)) throw error;
    assert.equal(error.issues.length, 1, `expected one issue, got:\n${error.issues.map(formatIssue).join('\n')}`);
    return error.issues[0]!;
  }
  assert.fail('expected a MatrixError, but the matrix parsed');
}

function assertIssue(issue: MatrixIssue, line: number, column: number, message: string): void {
  assert.equal(issue.message, message);
  assert.equal(issue.location.line, line);
  assert.equal(issue.location.column, column);
}

describe('runsc variant keys', () => {
  test('platform becomes a flag', () => {
    const sandbox = runtime(parse(withRuntime('  runsc: { oci: runsc, platform: systrap }')), 'runsc');
    assert.equal(sandbox.platform, 'systrap');
    assert.deepEqual(sandbox.flags, ['--platform=systrap']);
  });

  test('network becomes a flag', () => {
    const sandbox = runtime(parse(withRuntime('  runsc: { oci: runsc, network: none }')), 'runsc');
    assert.equal(sandbox.network, 'none');
    assert.deepEqual(sandbox.flags, ['--network=none']);
  });

  test('derived flags follow written flags', () => {
    const sandbox = runtime(parse(withRuntime('  runsc: { oci: runsc, flags: ["--debug"], platform: kvm, network: host }')), 'runsc');
    assert.deepEqual(sandbox.flags, ['--debug', '--platform=kvm', '--network=host']);
  });

  test('netstack workaround is read', () => {
    const sandbox = runtime(parse(withRuntime('  runsc-netstack: { oci: runsc, netstack: hide-proc-sys-net }')), 'runsc-netstack');
    assert.equal(sandbox.netstack, 'hide-proc-sys-net');
    assert.deepEqual(sandbox.flags, []);
  });

  test('netstack with sandbox network', () => {
    const sandbox = runtime(parse(withRuntime('  runsc: { oci: runsc, network: sandbox, netstack: hide-proc-sys-net }')), 'runsc');
    assert.equal(sandbox.netstack, 'hide-proc-sys-net');
    assert.deepEqual(sandbox.flags, ['--network=sandbox']);
  });

  test('runtime without keys is unchanged', () => {
    const sandbox = runtime(parse(withRuntime('  runsc: { oci: runsc, flags: ["--network=host"] }')), 'runsc');
    assert.deepEqual(sandbox.flags, ['--network=host']);
    assert.equal(sandbox.platform, undefined);
    assert.equal(sandbox.network, undefined);
    assert.equal(sandbox.netstack, undefined);
  });

  test('explicit runsc kind allows keys', () => {
    const sandbox = runtime(parse(withRuntime('  gvisor: { oci: /opt/gvisor/sandbox, kind: runsc, platform: ptrace }')), 'gvisor');
    assert.deepEqual(sandbox.flags, ['--platform=ptrace']);
  });
});

describe('runsc variant key errors', () => {
  test('platform on runc', () => {
    const text = withRuntime('  runc-other: { oci: /usr/bin/runc, platform: ptrace }');
    assertIssue(singleIssue(text), 4, 37, 'platform: applies to runsc only, but runtime "runc-other" is of kind runc; remove it, or set oci: to a runsc binary');
  });

  test('network on runc', () => {
    const text = withRuntime('  runc-other: { oci: runc, network: host }');
    assertIssue(singleIssue(text), 4, 28, 'network: applies to runsc only, but runtime "runc-other" is of kind runc; remove it, or set oci: to a runsc binary');
  });

  test('netstack on runc', () => {
    const text = withRuntime('  runc-other: { oci: runc, netstack: hide-proc-sys-net }');
    assertIssue(singleIssue(text), 4, 28, 'netstack: applies to runsc only, but runtime "runc-other" is of kind runc; remove it, or set oci: to a runsc binary');
  });

  test('unknown platform suggests one', () => {
    const text = withRuntime('  runsc: { oci: runsc, platform: systrp }');
    assertIssue(singleIssue(text), 4, 34, 'unknown platform "systrp"; did you mean "systrap"?');
  });

  test('unknown network lists values', () => {
    const text = withRuntime('  runsc: { oci: runsc, network: bridge }');
    assertIssue(singleIssue(text), 4, 33, 'unknown network "bridge"; valid values: "sandbox", "host", "none"');
  });

  test('unknown netstack workaround', () => {
    const text = withRuntime('  runsc: { oci: runsc, netstack: isolated-proc }');
    assertIssue(singleIssue(text), 4, 34, 'unknown netstack "isolated-proc"; valid values: "hide-proc-sys-net"');
  });

  test('platform must be a string', () => {
    const text = withRuntime('  runsc: { oci: runsc, platform: [kvm] }');
    assertIssue(singleIssue(text), 4, 34, 'platform must be a string; got a list');
  });

  test('platform conflicts with flag', () => {
    const text = withRuntime('  runsc: { oci: runsc, flags: ["--platform=ptrace"], platform: kvm }');
    assertIssue(
      singleIssue(text),
      4,
      54,
      'platform: and flags: both set --platform for runtime "runsc" (platform: kvm and "--platform=ptrace"); keep one of them',
    );
  });

  test('network conflicts with flag', () => {
    const text = withRuntime('  runsc: { oci: runsc, flags: ["--network=host"], network: host }');
    assertIssue(
      singleIssue(text),
      4,
      51,
      'network: and flags: both set --network for runtime "runsc" (network: host and "--network=host"); keep one of them',
    );
  });

  test('netstack with host network', () => {
    const text = withRuntime('  runsc: { oci: runsc, network: host, netstack: hide-proc-sys-net }');
    assertIssue(
      singleIssue(text),
      4,
      39,
      'netstack: has no effect on runtime "runsc", because --network=host does not start gVisor\'s netstack; remove netstack:, or use network: sandbox',
    );
  });

  test('netstack with none flag', () => {
    const text = withRuntime('  runsc: { oci: runsc, flags: ["--network=none"], netstack: hide-proc-sys-net }');
    assertIssue(
      singleIssue(text),
      4,
      51,
      'netstack: has no effect on runtime "runsc", because --network=none does not start gVisor\'s netstack; remove netstack:, or use network: sandbox',
    );
  });

  test('misspelled key suggests platform', () => {
    const text = withRuntime('  runsc: { oci: runsc, platfrom: kvm }');
    assertIssue(singleIssue(text), 4, 24, 'unknown key "platfrom"; did you mean "platform"?');
  });
});

describe('flag helpers', () => {
  test('flag name drops the value', () => {
    assert.equal(flagName('--network=host'), '--network');
    assert.equal(flagName('--debug'), '--debug');
  });

  test('flag value takes the last', () => {
    assert.equal(flagValue(['--network=host', '--network=none'], '--network'), 'none');
    assert.equal(flagValue(['--debug'], '--debug'), '');
    assert.equal(flagValue(['--debug'], '--network'), undefined);
  });
});

describe('shipped matrix runtimes', () => {
  test('netstack variant is listed', async () => {
    const matrix = await loadMatrix(path.join(repoRoot, 'matrix.yaml'));
    const netstack = runtime(matrix, 'runsc-netstack');
    assert.equal(netstack.netstack, 'hide-proc-sys-net');
    assert.equal(netstack.kind, 'runsc');
    assert.deepEqual(netstack.flags, []);
  });
});
