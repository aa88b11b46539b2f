import type { SourceLocation } from './types.js';

/** One problem found in a matrix file, at the node that causes it. */
export interface MatrixIssue {
  location: SourceLocation;
  message: string;
}

/** Formats an issue as `FILE:LINE:COL: message`, the form editors and CI logs link to. */
export function formatIssue(issue: MatrixIssue): string {
  const { file, line, column } = issue.location;
  return `${file}:${line}:${column}: ${issue.message}`;
}

/**
 * An invalid or unreadable matrix file. `issues` contains every problem found in the file,
 * and the message lists them one per line.
 */
export class MatrixError extends Error {
  readonly issues: MatrixIssue[];

  constructor(issues: MatrixIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'MatrixError';
    this.issues = issues;
  }
}
