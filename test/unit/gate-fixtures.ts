import type { KnownIncompatibility, Pattern } from '../../src/matrix/types.js';
import type { RunReport, Verdict, VerdictRecord } from '../../src/report/types.js';
import { RUNTIMES, sandboxResult } from './report-fixtures.js';

/** Builders of reports and entries for the tests of the gate, baseline and diff. */

/** Builds a verdict record as pairing writes it, for the gate and diff, which read only these fields. */
export function verdictRecord(image: string, test: string, verdict: Verdict, message = `${verdict} message`, runtime = 'runsc'): VerdictRecord {
  return { image, test, runtime, verdict, message, details: '', sandbox: sandboxResult(image, test, { runtime }) };
}

/** Builds a report of a run started on 2026-03-10 (UTC) under runc and runsc with these verdicts. */
export function reportWith(verdicts: VerdictRecord[], overrides: Partial<RunReport> = {}): RunReport {
  return {
    runId: '20260310-120000-abcdef',
    matrixFile: '/work/matrix.yaml',
    startedAt: '2026-03-10T12:00:00.000Z',
    finishedAt: '2026-03-10T12:05:00.000Z',
    runtimes: RUNTIMES,
    results: verdicts.map((record) => record.sandbox),
    verdicts,
    ...overrides,
  };
}

/** Builds a `known:` entry at line `line` of /work/matrix.yaml. */
export function entry(image: string, test: string, options: { runtime?: Pattern; expires?: string; line?: number } = {}): KnownIncompatibility {
  const known: KnownIncompatibility = {
    image,
    test,
    runtime: options.runtime ?? { kind: 'literal', text: 'runsc' },
    reason: 'io_uring is off by default in runsc',
    location: { file: '/work/matrix.yaml', line: options.line ?? 40, column: 5 },
  };
  if (options.expires !== undefined) {
    known.expires = options.expires;
  }
  return known;
}
