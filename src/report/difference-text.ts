import { formatCallTable } from './call-table.js';
import type { ObservedDifference } from './types.js';

/**
 * Builds the one-line verdict message for compared values that differ: the first
 * observable with both values (or its first differing call), then the other observables
 * by name.
 */
export function formatDifferencesMessage(differences: readonly ObservedDifference[], baselineRuntime: string, sandboxRuntime: string): string {
  const [first, ...others] = differences;
  if (first === undefined) {
    return '';
  }

  const also = others.length > 0 ? `; ${others.map((difference) => difference.observable).join(', ')} ${others.length === 1 ? 'differs' : 'differ'} too` : '';
  const [firstCall, ...otherCalls] = first.calls ?? [];
  if (firstCall === undefined) {
    return `${first.observable} differs: ${baselineRuntime} ${first.baselineExcerpt}, ${sandboxRuntime} ${first.sandboxExcerpt}${also}`;
  }

  const callCount = (first.calls?.length ?? 0) + (first.callsCut ?? 0);
  const moreCalls = otherCalls.length + (first.callsCut ?? 0);
  const more = moreCalls > 0 ? ` (and ${moreCalls} more ${moreCalls === 1 ? 'call' : 'calls'})` : '';
  return (
    `${first.observable} differs in ${callCount} ${callCount === 1 ? 'call' : 'calls'}: ` +
    `${firstCall.call}: ${baselineRuntime} ${firstCall.baseline}, ${sandboxRuntime} ${firstCall.sandbox}${more}${also}`
  );
}

/** Builds the JUnit body section with each difference: a unified diff, or a table of the calls that differ. */
export function formatDifferencesSection(differences: readonly ObservedDifference[], baselineRuntime: string, sandboxRuntime: string): string {
  if (differences.length === 0) {
    return '';
  }

  const blocks = differences.map((difference) => {
    if (difference.calls !== undefined && difference.callField !== undefined) {
      const table = formatCallTable(difference.callField, difference.calls, baselineRuntime, sandboxRuntime);
      const cut = difference.callsCut ? `\n[gvmatrix: ${difference.callsCut} more differing calls cut]` : '';
      return `${difference.observable}, the calls that differ:\n${table}${cut}`;
    }
    return `${difference.observable}:\n${difference.diff ?? ''}`;
  });
  return `Compared values that differ between ${baselineRuntime} (baseline) and ${sandboxRuntime} after normalization:\n\n${blocks.join('\n\n')}`;
}

/** Builds the section that names observables recorded under one runtime only. */
export function formatUncomparedSection(uncompared: readonly string[]): string {
  if (uncompared.length === 0) {
    return '';
  }
  return `Not compared, because only one runtime recorded a value:\n${uncompared.map((entry) => `  ${entry}`).join('\n')}`;
}
