import { loadSupportTable, supportOf, type SupportTable } from '../evidence/support-table.js';
import type { RuntimeInfo, TestRunResult } from './types.js';

/** The reason a runtime's findings carry no support level, by runtime name. */
export type MissingSupportTables = Record<string, string>;

/**
 * Adds gVisor's support level and note to every unsupported-syscall finding, from the
 * table of the runsc binary that produced it (`runsc help syscalls -format=csv`). A
 * binary without that table leaves its findings as they are, and the reason is returned.
 */
export async function annotateSupport(results: TestRunResult[], runtimes: readonly RuntimeInfo[]): Promise<MissingSupportTables> {
  const missing: MissingSupportTables = {};
  const tables = new Map<string, SupportTable>();

  for (const runtime of runtimes.filter((candidate) => candidate.kind === 'runsc')) {
    try {
      const loaded = await loadSupportTable(runtime.path);
      if (loaded.table) {
        tables.set(runtime.name, loaded.table);
      } else {
        missing[runtime.name] = loaded.reason;
      }
    } catch (error) {
      missing[runtime.name] = error instanceof Error ? error.message : String(error);
    }
  }

  for (const result of results) {
    const table = tables.get(result.runtime);
    if (!table) {
      continue;
    }
    for (const finding of result.evidence.unsupportedSyscalls) {
      const row = supportOf(table, finding);
      if (row) {
        finding.support = { level: row.support, note: row.note };
      }
    }
  }
  return missing;
}
