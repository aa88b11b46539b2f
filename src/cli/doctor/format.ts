import type { DoctorCheck } from './check.js';

/** Formats the checks for a terminal: one line each, the fix indented below a problem. */
export function formatDoctor(checks: DoctorCheck[]): string {
  const lines: string[] = [];
  for (const check of checks) {
    const [first, ...rest] = check.detail.split('\n');
    lines.push(`${check.status.toUpperCase().padEnd(4)}  ${check.name}: ${first}`);
    if (check.status !== 'ok') {
      lines.push(...rest.map((line) => `      ${line}`));
    }
    if (check.fix && check.status !== 'ok') {
      lines.push(`      fix: ${check.fix}`);
    }
  }
  return lines.join('\n');
}

/** Formats failed checks as a list for an error message of `gvmatrix run`, each with its fix. */
export function formatFailures(failures: DoctorCheck[]): string {
  return failures.map((check) => `- ${check.detail}${check.fix ? `\n  fix: ${check.fix}` : ''}`).join('\n');
}
