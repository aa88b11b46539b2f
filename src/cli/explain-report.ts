/**
 * The report of `gvmatrix explain`: runsc's unsupported-syscall findings grouped by decoded
 * feature, counted, and annotated with gVisor's support level, the benign list and the
 * documentation link. Pure functions of the findings and the support table.
 */

import { BENIGN_SYSCALLS } from '../evidence/benign.js';
import { decodeFinding } from '../evidence/decode.js';
import { supportOf, type SupportTableResult, type SyscallSupport } from '../evidence/support-table.js';
import type { UnsupportedSyscall } from '../evidence/types.js';

/** gVisor's syscall compatibility page for amd64; each syscall has an anchor named after it. */
const COMPATIBILITY_PAGE = 'https://gvisor.dev/docs/user_guide/compatibility/linux/amd64/';

/** One decoded, de-duplicated unsupported call. */
export interface ExplainedCall {
  key: string;
  name: string;
  number?: number;
  feature?: string;
  /** Lines that reported it. runsc reports a distinct call once per sandbox, so this counts reports, not calls. */
  reports: number;
  /** Containers it was reported in. A log without a container id counts as one container. */
  containers: number;
  /** The reason runsc reports it for nearly every program, for calls on the benign list. */
  benignReason?: string;
  /** The syscall's row in the support table, when there is a table and it lists the syscall. */
  support?: SyscallSupport;
  docs: string;
  /** The first line that reported it, as written. */
  firstLine: string;
}

/** Everything `gvmatrix explain` prints. */
export interface Explanation {
  logFiles: number;
  containers: number;
  /** The runsc binary and version whose support table annotates the calls. */
  supportTable?: { runsc: string; version?: string };
  /** The reason there are no support levels, when there is no table. */
  supportTableReason?: string;
  calls: ExplainedCall[];
}

/**
 * Groups findings by decoded feature and annotates each group. Benign calls sort last, the
 * others by the number of containers and then of reports, most first.
 */
export function explainFindings(findings: UnsupportedSyscall[], logFiles: number, support: SupportTableResult): Explanation {
  const groups = new Map<string, { findings: UnsupportedSyscall[]; containers: Set<string> }>();
  const allContainers = new Set<string>();

  for (const finding of findings) {
    const { key } = decodeFinding(finding);
    const group = groups.get(key) ?? { findings: [], containers: new Set<string>() };
    group.findings.push(finding);
    group.containers.add(containerKey(finding));
    groups.set(key, group);
    allContainers.add(containerKey(finding));
  }

  const calls = [...groups.values()].map((group) => explainGroup(group.findings, group.containers.size, support));
  calls.sort(compareCalls);

  const explanation: Explanation = { logFiles, containers: allContainers.size, calls };
  if (support.table === undefined) {
    explanation.supportTableReason = support.reason;
  } else {
    explanation.supportTable = { runsc: support.table.runsc };
    if (support.table.version !== undefined) {
      explanation.supportTable.version = support.table.version;
    }
  }
  return explanation;
}

function explainGroup(findings: UnsupportedSyscall[], containers: number, support: SupportTableResult): ExplainedCall {
  const first = findings[0] as UnsupportedSyscall;
  const decoded = decodeFinding(first);

  const call: ExplainedCall = {
    key: decoded.key,
    name: decoded.name,
    reports: findings.length,
    containers,
    docs: docsLink(decoded.name),
    firstLine: first.line,
  };
  if (decoded.number !== undefined) {
    call.number = decoded.number;
  }
  if (decoded.feature !== undefined) {
    call.feature = decoded.feature;
  }

  const benignReason = BENIGN_SYSCALLS.get(decoded.name);
  if (benignReason !== undefined) {
    call.benignReason = benignReason;
  }

  const row = support.table === undefined ? undefined : supportOf(support.table, decoded);
  if (row !== undefined) {
    call.support = row;
  }
  return call;
}

/** Returns the container a finding belongs to, or its log file when the log names no container. */
function containerKey(finding: UnsupportedSyscall): string {
  return finding.containerId === '' ? `file:${finding.logFile}` : finding.containerId;
}

function compareCalls(a: ExplainedCall, b: ExplainedCall): number {
  const benign = Number(a.benignReason !== undefined) - Number(b.benignReason !== undefined);
  if (benign !== 0) {
    return benign;
  }
  return b.containers - a.containers || b.reports - a.reports || compareText(a.key, b.key);
}

/** Orders by UTF-16 code units, the same on every machine, unlike localeCompare. */
function compareText(a: string, b: string): number {
  if (a === b) {
    return 0;
  }
  return a < b ? -1 : 1;
}

/**
 * Returns the link to a syscall's row in gVisor's amd64 compatibility table, or the page
 * itself for a number without a name (`sys_999`), which has no row there.
 */
export function docsLink(name: string): string {
  return /^sys_\d+$/.test(name) ? COMPATIBILITY_PAGE : `${COMPATIBILITY_PAGE}#${name}`;
}

/** Formats an explanation for a terminal: a summary line, then one block per call. */
export function formatExplanation(explanation: Explanation): string {
  const lines = [summaryLine(explanation), supportLine(explanation)];

  for (const call of explanation.calls) {
    lines.push('', ...callBlock(call, explanation));
  }
  return `${lines.join('\n')}\n`;
}

function summaryLine(explanation: Explanation): string {
  const { calls, containers, logFiles } = explanation;
  if (calls.length === 0) {
    return `runsc reported no unsupported syscalls in ${count(logFiles, 'log file')}.`;
  }
  return `runsc reported ${count(calls.length, 'distinct unsupported call')} in ${count(containers, 'container')} (${count(logFiles, 'log file')}).`;
}

function supportLine(explanation: Explanation): string {
  const table = explanation.supportTable;
  if (table === undefined) {
    return `No support levels: ${explanation.supportTableReason ?? 'no runsc binary was given'}`;
  }
  return `Support levels from the syscall table of ${tableSource(table)} (${table.runsc}).`;
}

function tableSource(table: { runsc: string; version?: string }): string {
  return table.version === undefined ? table.runsc : `runsc ${table.version}`;
}

function callBlock(call: ExplainedCall, explanation: Explanation): string[] {
  const title = call.feature ?? call.name;
  const lines = [call.benignReason === undefined ? title : `${title} (benign)`];

  const number = call.number === undefined ? 'no amd64 number' : `number ${call.number}`;
  lines.push(`  syscall   ${call.name}, ${number}`);
  lines.push(`  reported  ${count(call.reports, 'time')} in ${count(call.containers, 'container')}`);

  if (call.support !== undefined) {
    // runsc reports a call per command, but gVisor's table rates the whole syscall.
    const scope = call.feature === undefined ? '' : ` (${call.name} as a whole)`;
    lines.push(`  support   ${call.support.support}${scope}: ${oneLine(call.support.note)}`);
  } else if (explanation.supportTable !== undefined) {
    lines.push(`  support   not in the table of ${tableSource(explanation.supportTable)}`);
  }

  if (call.benignReason !== undefined) {
    lines.push(`  benign    ${call.benignReason}`);
  }
  lines.push(`  docs      ${call.docs}`);
  return lines;
}

/** Returns the explanation as the JSON document `gvmatrix explain --json` prints. */
export function explanationJson(explanation: Explanation): string {
  const calls = explanation.calls.map((call) => ({
    key: call.key,
    name: call.name,
    number: call.number ?? null,
    feature: call.feature ?? null,
    reports: call.reports,
    containers: call.containers,
    benign: call.benignReason !== undefined,
    benignReason: call.benignReason ?? null,
    support: call.support?.support ?? null,
    note: call.support?.note ?? null,
    docs: call.docs,
    firstLine: call.firstLine,
  }));

  const document = {
    logFiles: explanation.logFiles,
    containers: explanation.containers,
    supportTable: explanation.supportTable ?? null,
    supportTableReason: explanation.supportTableReason ?? null,
    calls,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function count(value: number, noun: string): string {
  return `${value} ${noun}${value === 1 ? '' : 's'}`;
}

function oneLine(text: string): string {
  return text.split('\n').map((line) => line.trim()).filter((line) => line !== '').join(' ');
}
