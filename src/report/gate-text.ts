import { failsGate, type FailOnPolicy, type GateDecision } from './gate.js';
import type { Verdict } from './types.js';

/**
 * Formats the gate's part of the human summary: expired `known:` entries, entries that
 * match no test (warnings), then one line with the decision and what it rests on.
 */
export function formatGate(gate: GateDecision): string {
  const sections = [
    listSection('Expired known: entries:', gate.knownEntries.expired.map((finding) => finding.message)),
    listSection('Warnings, known: entries that match no test of this run:', gate.knownEntries.unmatched.map((finding) => finding.message)),
    listSection(
      `Tests slower than --fail-on-slow ${gate.failOnSlow} (sandbox/baseline duration of the check):`,
      gate.slow.map((slow) => `${slow.runtime}  ${slow.image} › ${slow.test}  ×${slow.checkRatio.toFixed(2)}`),
    ),
    formatDecision(gate),
  ];
  return sections.filter((section) => section !== '').join('\n\n');
}

function listSection(title: string, lines: readonly string[]): string {
  return lines.length === 0 ? '' : `${title}\n${lines.map((line) => `  ${line}`).join('\n')}`;
}

function formatDecision(gate: GateDecision): string {
  const slowOption = gate.failOnSlow === undefined ? '' : ` --fail-on-slow ${gate.failOnSlow}`;
  const head = `gate --fail-on ${gate.policy}${slowOption}: ${gate.status}`;
  const failing = describeCounts(countFailing(gate, gate.policy), gate.policy === 'none' ? 0 : gate.knownEntries.expired.length);
  if (gate.status === 'fail') {
    const causes = [failing, describeSlow(gate.slow.length)].filter((cause) => cause !== '');
    return `${head}, because of ${causes.join(' and ')}`;
  }

  const stricter = stricterPolicy(gate.policy);
  if (stricter === undefined) {
    return head;
  }
  const wouldFail = describeCounts(countFailing(gate, stricter), gate.knownEntries.expired.length);
  return wouldFail === '' ? head : `${head}; --fail-on ${stricter} would fail because of ${wouldFail}`;
}

/** Returns the next stricter policy, named after a passing decision: `none` → `new` → `any`. */
function stricterPolicy(policy: FailOnPolicy): FailOnPolicy | undefined {
  if (policy === 'none') return 'new';
  if (policy === 'new') return 'any';
  return undefined;
}

function countFailing(gate: GateDecision, policy: FailOnPolicy): [Verdict, number][] {
  return Object.entries(gate.verdictCounts).filter(([verdict]) => failsGate(verdict as Verdict, policy)) as [Verdict, number][];
}

/** `2 tests slower than --fail-on-slow`, or '' for none. */
function describeSlow(count: number): string {
  if (count === 0) return '';
  return `${count} ${count === 1 ? 'test' : 'tests'} slower than --fail-on-slow`;
}

/** `2 verdicts (1 syscall-incompatible, 1 behavior-diff) and 1 expired known: entry`, or '' for nothing. */
function describeCounts(verdicts: readonly [Verdict, number][], expired: number): string {
  const parts: string[] = [];
  const total = verdicts.reduce((sum, [, count]) => sum + count, 0);
  if (total > 0) {
    const kinds = verdicts.map(([verdict, count]) => `${count} ${verdict}`).join(', ');
    parts.push(`${total} ${total === 1 ? 'verdict' : 'verdicts'} (${kinds})`);
  }
  if (expired > 0) {
    parts.push(`${expired} expired known: ${expired === 1 ? 'entry' : 'entries'}`);
  }
  return parts.join(' and ');
}
