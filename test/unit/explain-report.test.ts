import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { docsLink, explainFindings, explanationJson, formatExplanation } from '../../src/cli/explain-report.js';
import { containerIdOfLog, parseRunscLog } from '../../src/evidence/runsc-log.js';
import { parseSupportTable, type SupportTableResult } from '../../src/evidence/support-table.js';
import type { UnsupportedSyscall } from '../../src/evidence/types.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));

/** The support table of runsc 0.0~20240729.0, from a copied excerpt of its CSV. */
const TABLE: SupportTableResult = {
  table: {
    runsc: '/usr/local/bin/runsc',
    version: '0.0~20240729.0',
    syscalls: new Map(
      parseSupportTable(readFileSync(`${FIXTURES}runsc-help/syscalls-20240729.csv`, 'utf8')).map((row) => [row.number, row]),
    ),
  },
};

const NO_TABLE: SupportTableResult = { table: undefined, reason: 'runsc 0.0~20221219.0 has no syscall support table' };

/** Findings of the boot log in a fixture folder, tied to the container its Args line names. */
function bootFindings(folder: string): UnsupportedSyscall[] {
  const name = readdirSync(`${FIXTURES}runsc-logs/${folder}`).find((file) => file.endsWith('.boot.txt'));
  const logFile = `${FIXTURES}runsc-logs/${folder}/${name}`;
  const text = readFileSync(logFile, 'utf8');
  return parseRunscLog(text, { containerId: containerIdOfLog(text) ?? '', logFile }).unsupportedSyscalls;
}

/** The probe's calls in two containers: one under runsc 20221219, one under 20240729. */
const TWO_PROBES = [...bootFindings('20221219-probe'), ...bootFindings('20240729-probe')];

describe('explainFindings', () => {
  test('counts reports and containers', () => {
    const explanation = explainFindings(TWO_PROBES, 2, TABLE);
    const tiocsti = explanation.calls.find((call) => call.key === 'ioctl(TIOCSTI)');
    assert.equal(tiocsti?.reports, 2);
    assert.equal(tiocsti?.containers, 2);
  });

  test('call in one container', () => {
    const explanation = explainFindings(TWO_PROBES, 2, TABLE);
    const processVm = explanation.calls.find((call) => call.key === 'process_vm_readv');
    assert.equal(processVm?.reports, 1);
    assert.equal(processVm?.containers, 1);
  });

  test('totals', () => {
    const explanation = explainFindings(TWO_PROBES, 2, TABLE);
    assert.equal(explanation.containers, 2);
    assert.equal(explanation.logFiles, 2);
    assert.equal(explanation.calls.length, 6);
  });

  test('benign calls sort last', () => {
    const keys = explainFindings(TWO_PROBES, 2, TABLE).calls.map((call) => call.key);
    assert.deepEqual(keys, [
      'fanotify_init',
      'ioctl(TIOCSTI)',
      'perf_event_open',
      'prctl(PR_MCE_KILL)',
      'process_vm_readv',
      'rseq',
    ]);
  });

  test('support row attached', () => {
    const explanation = explainFindings(TWO_PROBES, 2, TABLE);
    const fanotify = explanation.calls.find((call) => call.key === 'fanotify_init');
    assert.equal(fanotify?.support?.support, 'Unimplemented');
  });

  test('benign reason attached', () => {
    const rseq = explainFindings(TWO_PROBES, 2, TABLE).calls.find((call) => call.key === 'rseq');
    assert.match(rseq?.benignReason ?? '', /^glibc 2\.35 and later registers restartable sequences/);
  });

  test('log without container id', () => {
    const platform = readFileSync(`${FIXTURES}runsc-logs/20221219-container-sandbox/container-sandbox.log`, 'utf8');
    const first = parseRunscLog(platform, { containerId: '', logFile: 'a.log' }).unsupportedSyscalls;
    const second = parseRunscLog(platform, { containerId: '', logFile: 'b.log' }).unsupportedSyscalls;
    const explanation = explainFindings([...first, ...second], 2, TABLE);
    assert.equal(explanation.containers, 2);
    assert.equal(explanation.calls.find((call) => call.key === 'rseq')?.reports, 4);
  });

  test('table reason kept', () => {
    const explanation = explainFindings(TWO_PROBES, 2, NO_TABLE);
    assert.equal(explanation.supportTableReason, NO_TABLE.reason);
    assert.equal(explanation.supportTable, undefined);
  });
});

describe('formatExplanation', () => {
  test('summary lines', () => {
    const lines = formatExplanation(explainFindings(TWO_PROBES, 2, TABLE)).split('\n');
    assert.equal(lines[0], 'runsc reported 6 distinct unsupported calls in 2 containers (2 log files).');
    assert.equal(lines[1], 'Support levels from the syscall table of runsc 0.0~20240729.0 (/usr/local/bin/runsc).');
  });

  test('feature block', () => {
    const text = formatExplanation(explainFindings(TWO_PROBES, 2, TABLE));
    const block = [
      'ioctl(TIOCSTI)',
      '  syscall   ioctl, number 16',
      '  reported  2 times in 2 containers',
      '  support   Full Support (ioctl as a whole): Fully Supported.',
      '  docs      https://gvisor.dev/docs/user_guide/compatibility/linux/amd64/#ioctl',
    ].join('\n');
    assert.ok(text.includes(`\n\n${block}\n\n`), text);
  });

  test('benign block', () => {
    const text = formatExplanation(explainFindings(TWO_PROBES, 2, TABLE));
    assert.match(text, /\nrseq \(benign\)\n {2}syscall {3}rseq, number 334\n {2}reported {2}2 times in 2 containers\n/);
    assert.match(text, /\n {2}benign {4}glibc 2\.35 and later/);
  });

  test('multi-line note joined', () => {
    const findings = TWO_PROBES.filter((finding) => finding.name === 'fanotify_init');
    const text = formatExplanation(explainFindings(findings, 2, TABLE));
    assert.match(text, /\n {2}support {3}Unimplemented: Needs CONFIG_FANOTIFY; Returns "invalid system call number"\.\n/);
  });

  test('call missing from table', () => {
    const numbered = bootFindings('20221219-numbered').filter((finding) => finding.number === 999);
    const text = formatExplanation(explainFindings(numbered, 1, TABLE));
    assert.match(text, /\nsys_999\n {2}syscall {3}sys_999, number 999\n/);
    assert.match(text, /\n {2}support {3}not in the table of runsc 0\.0~20240729\.0\n/);
    assert.match(text, /\n {2}docs {6}https:\/\/gvisor\.dev\/docs\/user_guide\/compatibility\/linux\/amd64\/\n$/);
  });

  test('no table stated once', () => {
    const text = formatExplanation(explainFindings(TWO_PROBES, 2, NO_TABLE));
    assert.equal(text.split('\n')[1], 'No support levels: runsc 0.0~20221219.0 has no syscall support table');
    assert.doesNotMatch(text, /\n {2}support /);
  });

  test('nothing reported', () => {
    const text = formatExplanation(explainFindings([], 3, TABLE));
    assert.equal(text.split('\n')[0], 'runsc reported no unsupported syscalls in 3 log files.');
  });
});

describe('explanationJson', () => {
  const document = JSON.parse(explanationJson(explainFindings(TWO_PROBES, 2, TABLE)));

  test('top-level counts', () => {
    assert.equal(document.logFiles, 2);
    assert.equal(document.containers, 2);
    assert.deepEqual(document.supportTable, { runsc: '/usr/local/bin/runsc', version: '0.0~20240729.0' });
    assert.equal(document.supportTableReason, null);
  });

  test('call fields', () => {
    const prctl = document.calls.find((call: { key: string }) => call.key === 'prctl(PR_MCE_KILL)');
    assert.deepEqual(
      { ...prctl, firstLine: undefined },
      {
        key: 'prctl(PR_MCE_KILL)',
        name: 'prctl',
        number: 157,
        feature: 'prctl(PR_MCE_KILL)',
        reports: 2,
        containers: 2,
        benign: false,
        benignReason: null,
        support: 'Partial Support',
        note: 'Not all options are supported.',
        docs: 'https://gvisor.dev/docs/user_guide/compatibility/linux/amd64/#prctl',
        firstLine: undefined,
      },
    );
  });

  test('first line as written', () => {
    const prctl = document.calls.find((call: { key: string }) => call.key === 'prctl(PR_MCE_KILL)');
    assert.match(prctl.firstLine, /^I1204 19:56:46\.261192 +8562 compat\.go:123\] Unsupported syscall prctl\(0x21,/);
  });
});

describe('docsLink', () => {
  test('named syscall anchor', () => {
    assert.equal(docsLink('fanotify_init'), 'https://gvisor.dev/docs/user_guide/compatibility/linux/amd64/#fanotify_init');
  });

  test('unnamed number page', () => {
    assert.equal(docsLink('sys_999'), 'https://gvisor.dev/docs/user_guide/compatibility/linux/amd64/');
  });
});

test('log versions from start-up lines', async () => {
  const { runscVersionsOf } = await import('../../src/cli/explain.js');
  const logs = [
    { path: 'a', text: 'I1204 20:36:26.064291   13755 main.go:197] Version 0.0~20240729.0, go1.24.4, amd64, 2 CPUs, linux\n' },
    { path: 'b', text: 'I1204 21:29:28.188330   11183 main.go:218] Version 0.0~20221219.0\n' },
  ];
  assert.deepEqual(runscVersionsOf(logs), ['0.0~20221219.0', '0.0~20240729.0']);
});

test('version mismatch names both', async () => {
  const { versionMismatch } = await import('../../src/cli/explain.js');
  assert.match(versionMismatch(['0.0~20240729.0'], '0.0~20221219.0') ?? '', /written by runsc 0\.0~20240729\.0.*from runsc 0\.0~20221219\.0/);
  assert.equal(versionMismatch(['0.0~20240729.0'], '0.0~20240729.0'), undefined);
  assert.equal(versionMismatch([], '0.0~20240729.0'), undefined);
});
