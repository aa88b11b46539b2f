/**
 * Normalizers that make values from different runtimes comparable: they replace what
 * differs from run to run or from kernel to kernel (kernel versions, hostnames, container
 * ids, times, pids, durations) with fixed placeholders, then apply the matrix's own
 * `normalize:` rules. Pure functions of the text and the container it came from.
 */
import type { Comparison, NormalizeRule } from '../matrix/types.js';

/** The container a value was read from, for the normalizers that replace its own names. */
export interface NormalizeContext {
  /** Full 64-hex id of the container. */
  containerId?: string;
  /** The container's hostname, which Podman sets to the short container id unless the run sets another. */
  hostname?: string;
}

export type BuiltinNormalizerName = 'kernel' | 'hostname' | 'container-id' | 'time' | 'pid' | 'duration';

interface BuiltinNormalizer {
  name: BuiltinNormalizerName;
  placeholder: string;
  apply(text: string, context: NormalizeContext): string;
}

const WEEKDAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const CLOCK = '\\d{2}:\\d{2}:\\d{2}(?:[.,]\\d+)?';

/** A kernel release as `uname -r` prints it: `4.4.0`, `6.18.44-fc-v1272`, `6.1.0-28-amd64`. */
const RELEASE = '\\d+\\.\\d+(?:\\.\\d+)*(?:-[\\w.+~-]+)?';

/** Machine names that end the kernel version field of `uname -a`. */
const MACHINE = '(?:x86_64|i[3-6]86|aarch64|arm\\w*|ppc64le|s390x|riscv64)';

const KERNEL_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // /proc/version: `Linux version 4.4.0 #1 SMP Sun Jan 10 15:06:54 PST 2016`; the rest of the line is build information.
  [/\bLinux version \S+[^\n]*/g, 'Linux version <kernel>'],
  // uname -a: the release and the version (`#1 SMP PREEMPT_DYNAMIC @0`) up to the machine name.
  [new RegExp(`\\bLinux (\\S+) ${RELEASE} #\\d+[^\\n]*? (${MACHINE})\\b`, 'g'), 'Linux $1 <kernel> $2'],
  // `Linux 6.18.44-fc-v1272`, as in Redis's INFO `os:` field.
  [new RegExp(`\\bLinux ${RELEASE}(?![\\w.])`, 'g'), 'Linux <kernel>'],
  // A line that is only a release, as `uname -r` and /proc/sys/kernel/osrelease print it.
  [new RegExp(`^\\d+\\.\\d+\\.\\d+(?:-[\\w.+~-]+)?$`, 'gm'), '<kernel>'],
];

const TIME_PATTERNS: readonly RegExp[] = [
  // ISO 8601 and its SQL-style variant: `2026-12-04T20:33:50.322Z`, `2026-12-04 20:34:16.487 UTC`.
  /\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?| ?UTC\b| ?GMT\b)?/g,
  // RFC 1123, as in HTTP Date headers and `date -R`: `Fri, 04 Dec 2026 20:34:00 GMT`.
  new RegExp(`\\b${WEEKDAY}, \\d{1,2} ${MONTH} \\d{4} ${CLOCK}(?: (?:GMT|UTC|[+-]\\d{4}))?`, 'g'),
  // date(1) and Apache logs: `Fri Dec  4 20:33:50 UTC 2026`, `Fri Dec 04 20:34:16.733331 2026`.
  new RegExp(`\\b${WEEKDAY} ${MONTH} {1,2}\\d{1,2} ${CLOCK}(?: [A-Z]{2,5})? \\d{4}\\b`, 'g'),
  // Redis logs: `04 Dec 2026 20:33:57.707`.
  new RegExp(`\\b\\d{1,2} ${MONTH} \\d{4} ${CLOCK}`, 'g'),
  // A time of day: `20:33:50`, `20:33:50.322`.
  /\b(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:[.,]\d+)?\b/g,
  // Unix time in seconds, milliseconds, microseconds or nanoseconds, from 2017 to 2046.
  /\b(?:1[5-9]|2[0-4])\d{8}(?:\d{3}){0,3}(?:\.\d+)?\b/g,
];

const PID_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // `pid=123`, `pid: 123`, `PID 123`, Apache's `[pid 1:tid 1]`, Redis's `process_id:1`.
  [/\b(pid|process[_ ]id)(\s*[=:]\s*|[ \t]+)\d+\b/gi, '$1$2<pid>'],
  // `[123]` after a word or a space and before a colon or a space: PostgreSQL's `UTC [8] LOG:`, syslog's `sshd[123]:`.
  [/(?<=[\w\s]|^)\[\d{1,7}\](?=[:\s]|$)/gm, '[<pid>]'],
];

// A Go-style compound (`1m30.5s`) or a number and a unit: `12.3ms`, `0.5 s`, `123 ms`, `2 seconds`.
const DURATION = /\b(?:\d+h)?(?:\d+m(?!s))?\d+(?:\.\d+)?\s?(?:ns|us|µs|ms|seconds?|secs?|s|minutes?|mins?|hours?|h)\b/g;

/** Matches 64-hex container ids and 12-hex short ids with at least one letter and one digit, so plain numbers stay. */
const CONTAINER_ID = /\b(?:[0-9a-f]{64}|(?=[0-9]*[a-f])(?=[a-f]*[0-9])[0-9a-f]{12})\b/g;

/** Hostnames shorter than this are left alone, because replacing them would hit ordinary words. */
const MIN_HOSTNAME_LENGTH = 3;

/** The built-in normalizers in the order they run. */
export const BUILTIN_NORMALIZERS: readonly BuiltinNormalizer[] = [
  {
    name: 'kernel',
    placeholder: '<kernel>',
    apply: (text) => KERNEL_PATTERNS.reduce((result, [pattern, replacement]) => result.replace(pattern, replacement), text),
  },
  {
    // Before container ids, so Podman's default hostname (the short id) reads as <hostname>.
    name: 'hostname',
    placeholder: '<hostname>',
    apply: (text, context) => replaceHostname(text, context.hostname),
  },
  {
    name: 'container-id',
    placeholder: '<container-id>',
    apply: (text, context) => replaceContainerIds(text, context.containerId),
  },
  {
    name: 'time',
    placeholder: '<time>',
    apply: (text) => TIME_PATTERNS.reduce((result, pattern) => result.replace(pattern, '<time>'), text),
  },
  {
    name: 'pid',
    placeholder: '<pid>',
    apply: (text) => PID_PATTERNS.reduce((result, [pattern, replacement]) => result.replace(pattern, replacement), text),
  },
  {
    name: 'duration',
    placeholder: '<duration>',
    apply: (text) => text.replace(DURATION, '<duration>'),
  },
];

/** Runs one built-in normalizer on its own, for tests and for explaining a result. */
export function applyBuiltinNormalizer(name: BuiltinNormalizerName, text: string, context: NormalizeContext = {}): string {
  const normalizer = BUILTIN_NORMALIZERS.find((candidate) => candidate.name === name);
  if (!normalizer) {
    throw new Error(`unknown built-in normalizer "${name}"; valid names: ${BUILTIN_NORMALIZERS.map((item) => item.name).join(', ')}`);
  }
  return normalizer.apply(text, context);
}

/**
 * Normalizes a compared value: the built-in normalizers first, unless the comparison
 * turns them off, then the `normalize:` rules in the order written.
 */
export function normalizeText(
  text: string,
  comparison: Pick<Comparison, 'builtinNormalizers' | 'normalize'>,
  context: NormalizeContext,
): string {
  let result = text;
  if (comparison.builtinNormalizers) {
    for (const normalizer of BUILTIN_NORMALIZERS) {
      result = normalizer.apply(result, context);
    }
  }

  for (const rule of comparison.normalize) {
    result = applyRule(result, rule);
  }
  return result;
}

/** Replaces every match of a rule, with or without the `g` flag, as users of sed's `s///g` expect. */
function applyRule(text: string, rule: NormalizeRule): string {
  const { pattern } = rule;
  const regex = pattern.kind === 'regex'
    ? new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`)
    : new RegExp(escapeRegExp(pattern.text), 'g');
  return text.replace(regex, rule.replace);
}

function replaceHostname(text: string, hostname: string | undefined): string {
  if (hostname === undefined || hostname.length < MIN_HOSTNAME_LENGTH) {
    return text;
  }
  return text.replace(new RegExp(`(?<![\\w-])${escapeRegExp(hostname)}(?![\\w-])`, 'g'), '<hostname>');
}

function replaceContainerIds(text: string, containerId: string | undefined): string {
  let result = text;
  if (containerId !== undefined && /^[0-9a-f]{12,}$/.test(containerId)) {
    // The container's own ids first: an all-digit short id escapes the general pattern.
    result = result.replace(new RegExp(`\\b(?:${containerId}|${containerId.slice(0, 12)})\\b`, 'g'), '<container-id>');
  }
  return result.replace(CONTAINER_ID, '<container-id>');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
