import { join } from 'node:path';
import type { RunReport } from './types.js';
import { writeFilesAtomic } from './write-file.js';

export const RESULTS_FILE = 'results.json';
export const JUNIT_FILE = 'junit.xml';
export const HTML_FILE = 'index.html';

/** Paths of the report files written for one report. */
export interface WrittenReports {
  results: string;
  junit: string;
  html: string;
}

/**
 * Writes results.json, junit.xml and index.html of a report into `dir`, as the reporter
 * does at the end of a run. `gvmatrix merge` and an empty shard write their reports
 * through here.
 * The JUnit and HTML builders load on first use, so the CLI and Playwright's runner do not
 * hold junit-report-builder (about 10 MiB) while the tests run.
 */
export async function writeReports(dir: string, report: RunReport): Promise<WrittenReports> {
  const [{ buildJUnit }, { buildHtmlReport }] = await Promise.all([import('./junit.js'), import('./html.js')]);
  const written = { results: join(dir, RESULTS_FILE), junit: join(dir, JUNIT_FILE), html: join(dir, HTML_FILE) };
  await writeFilesAtomic([
    { path: written.results, text: `${JSON.stringify(report, null, 2)}\n` },
    { path: written.junit, text: buildJUnit(report) },
    { path: written.html, text: buildHtmlReport(report) },
  ]);
  return written;
}
