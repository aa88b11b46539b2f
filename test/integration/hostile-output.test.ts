/**
 * End to end with containers that print hostile output (test/fixtures/hostile): bytes XML
 * forbids, invalid UTF-8, ANSI escapes, markup, megabytes of text and lines that imitate
 * runsc's debug log, under runc and runsc. Checks that every report stays valid, that
 * stored output is capped with a note, and that no evidence comes from that output.
 * Needs root, podman, runc and runsc (scripts/setup.sh installs them).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { MAX_STORED_OUTPUT } from '../../src/driver/output-text.js';
import type { RunReport, TestRunResult } from '../../src/report/types.js';
import { unexplainedErrors, validateAsWritten, validateWithoutExtensions } from '../unit/junit-schema-check.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const cli = join(repoRoot, 'dist/src/cli/main.js');
const matrixFile = join(repoRoot, 'test/fixtures/hostile/matrix.yaml');

/** Characters XML 1.0 forbids. U+FFFD, which replaces each invalid UTF-8 byte, is allowed. */
const FORBIDDEN_IN_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/u;

/** What a browser or a terminal would act on or show as a box: the above, DEL and C1 controls. */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ud800-\udfff\ufffe\uffff]/u;

/** What a terminal acts on instead of printing: C0 controls other than tab and LF, DEL and C1 controls. */
const TERMINAL_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Syscall names that only the container's fake runsc lines mention. */
const FAKE_SYSCALLS = ['io_uring_setup', 'sys_451', 'kexec_load', 'fanotify_init'];

/** Maximum length of a string in results.json: a verdict's details join two capped errors and a few lines. */
const MAX_STORED_STRING = 3 * MAX_STORED_OUTPUT;

function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') {
    return [value];
  }
  if (Array.isArray(value)) {
    return value.flatMap(stringsOf);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.values(value).flatMap(stringsOf);
  }
  return [];
}

describe('gvmatrix run on hostile output', () => {
  let dir: string;
  let reportsDir: string;
  let exitCode: number | undefined;
  let stdout: string;
  let stderr: string;
  let resultsText: string;
  let report: RunReport;
  let junit: string;
  let html: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gvmatrix-hostile-'));
    reportsDir = join(dir, 'reports');
    const result = await execa(process.execPath, [cli, 'run', '--matrix', matrixFile, '--runtime', 'runsc', '--reports', reportsDir], {
      reject: false,
      cwd: repoRoot,
      env: { FORCE_COLOR: '0' },
    });
    exitCode = result.exitCode;
    stdout = result.stdout;
    stderr = result.stderr;
    resultsText = await readFile(join(reportsDir, 'results.json'), 'utf8');
    report = JSON.parse(resultsText) as RunReport;
    junit = await readFile(join(reportsDir, 'junit.xml'), 'utf8');
    html = await readFile(join(reportsDir, 'index.html'), 'utf8');
  });

  after(async () => {
    if (!process.env.GVMATRIX_KEEP_TEST_REPORTS) {
      await rm(dir, { recursive: true, force: true });
    }
  });

  function verdictOf(image: string, testName: string) {
    const record = report.verdicts.find((candidate) => candidate.image === image && candidate.test === testName);
    assert.ok(record, `no verdict for ${image} › ${testName}`);
    return record;
  }

  function resultOf(testName: string, runtime: string): TestRunResult {
    const result = report.results.find((candidate) => candidate.test === testName && candidate.runtime === runtime);
    assert.ok(result, `no result for ${testName} under ${runtime}`);
    return result;
  }

  test('run fails the gate', () => {
    assert.equal(exitCode, 1, `${stdout.slice(-4000)}\n${stderr}`);
  });

  test('expected verdicts', () => {
    const expected: Array<[string, string, string]> = [
      ['hostile-noisy', 'hostile bytes compared', 'compatible'],
      ['hostile-noisy', 'big output compared', 'compatible'],
      ['hostile-noisy', 'fake runsc lines pass', 'compatible'],
      ['hostile-noisy', 'hostile body compared', 'compatible'],
      ['hostile-noisy', 'hostile bytes fail everywhere', 'baseline-failure'],
      ['hostile-noisy', 'hostile stdout misses a pattern', 'baseline-failure'],
      ['hostile-noisy', 'big output misses a pattern', 'baseline-failure'],
      ['hostile-noisy', 'hostile body misses a pattern', 'baseline-failure'],
      ['hostile-noisy', 'fake runsc lines fail under runsc', 'behavior-diff'],
      ['hostile-noisy', 'hostile output differs', 'behavior-diff'],
      ['hostile-exits', 'never ready', 'baseline-failure'],
    ];
    for (const [image, testName, verdict] of expected) {
      const record = verdictOf(image, testName);
      assert.equal(record.verdict, verdict, `${image} › ${testName}: ${record.message}`);
    }
  });

  test('junit is well-formed XML', async () => {
    const result = await execa('xmllint', ['--noout', join(reportsDir, 'junit.xml')], { reject: false });
    assert.equal(result.exitCode, 0, result.stderr);
  });

  test('junit valid against junit-10.xsd', () => {
    const check = validateWithoutExtensions(join(reportsDir, 'junit.xml'));
    assert.deepEqual(check.errors, []);
    assert.equal(check.status, 0);
    assert.deepEqual(unexplainedErrors(validateAsWritten(join(reportsDir, 'junit.xml'))), []);
  });

  test('junit has no forbidden characters', () => {
    assert.doesNotMatch(junit, FORBIDDEN_IN_XML);
  });

  test('junit keeps the hostile text', () => {
    assert.match(junit, /begin hostile/);
    // The output's `]]>` would end a CDATA section early, so it is written `]]&gt;`.
    assert.match(junit, /markup\[\]\]&gt; \]\]&gt; <\/failure>/);
  });

  test('html has no control characters', () => {
    assert.doesNotMatch(html, CONTROL_CHARACTERS);
    assert.doesNotMatch(html, /<script>alert/);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });

  test('summary has no control characters', () => {
    const summary = stdout.slice(stdout.lastIndexOf('\nimage '));
    assert.match(summary, /hostile bytes fail everywhere/);
    assert.doesNotMatch(summary, CONTROL_CHARACTERS);
  });

  test('terminal output has no controls', () => {
    // Playwright prints each failure's message, which quotes the container's output.
    assert.match(stdout, /nul\[\\u0000\] c0\[\\u0001/);
    const found = [...new Set(stdout.match(TERMINAL_CONTROLS) ?? [])];
    assert.deepEqual(found.map((character) => `U+${character.codePointAt(0)?.toString(16).padStart(4, '0')}`), []);
    assert.ok(stdout.length < 1024 * 1024, `stdout: ${stdout.length} characters`);
  });

  test('stored strings are capped', () => {
    const longest = Math.max(...stringsOf(report).map((text) => text.length));
    assert.ok(longest <= MAX_STORED_STRING, `longest string in results.json: ${longest} characters`);
    assert.ok(resultsText.length < 4 * 1024 * 1024, `results.json: ${resultsText.length} characters`);
    assert.ok(junit.length < 1024 * 1024, `junit.xml: ${junit.length} characters`);
    assert.ok(html.length < 1024 * 1024, `index.html: ${html.length} characters`);
  });

  test('big failure error is capped', () => {
    const error = resultOf('big output misses a pattern', 'runsc').error ?? '';
    assert.match(error, /does not match \/never printed\//);
    assert.match(error, /\[gvmatrix: \d+ more characters dropped\]/);
    assert.ok(error.length < 10_000, `error: ${error.length} characters`);
  });

  test('compared big values note drops', () => {
    const compared = resultOf('big output compared', 'runsc').compared ?? [];
    assert.equal(compared.length, 2);
    for (const value of compared) {
      assert.match(value.value, /\n\[gvmatrix: 2\d{6} more characters dropped\]$/);
      assert.ok(value.value.length <= MAX_STORED_OUTPUT + 100);
    }
  });

  test('readiness error keeps log tail', () => {
    const error = resultOf('never ready', 'runsc').error ?? '';
    assert.match(error, /\(stage: readiness wait for [^)]*\): the container exited with code 3/);
    assert.match(error, /last container output:\n\[gvmatrix: \d+ earlier characters dropped\]\n/);
    assert.match(error, /x{1000}/);
    assert.ok(error.length < 5_000, `error: ${error.length} characters`);
  });

  test('no evidence from container output', () => {
    for (const result of report.results) {
      const names = result.evidence.unsupportedSyscalls.map((finding) => finding.name);
      for (const fake of FAKE_SYSCALLS) {
        assert.ok(!names.includes(fake), `${result.test} under ${result.runtime} lists ${fake}: ${names.join(', ')}`);
      }
      assert.deepEqual(result.evidence.panics, [], `${result.test} under ${result.runtime}`);
      assert.deepEqual(result.evidence.sandboxErrors ?? [], [], `${result.test} under ${result.runtime}`);
    }
  });

  test('fake crash lines are no crash', () => {
    const record = verdictOf('hostile-noisy', 'fake runsc lines fail under runsc');
    assert.equal(record.verdict, 'behavior-diff');
    assert.ok(resultOf('fake runsc lines fail under runsc', 'runsc').error?.includes('urpc method'));
    assert.ok(!report.verdicts.some((candidate) => candidate.verdict === 'sandbox-crash' || candidate.verdict === 'syscall-incompatible'));
  });

  test('leaves no labelled containers', async () => {
    const result = await execa('podman', ['ps', '--all', '--quiet', '--filter', `label=gvmatrix.run=${report.runId}`]);
    assert.equal(result.stdout.trim(), '');
  });
});
