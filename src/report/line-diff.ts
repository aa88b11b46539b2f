/**
 * A line-based unified diff (Myers' O(ND) algorithm), trimmed to a size that a JUnit
 * failure body can show.
 */

type EditKind = 'same' | 'removed' | 'added';

interface Edit {
  kind: EditKind;
  line: string;
}

export interface UnifiedDiffOptions {
  /** Label of the old text in the `---` header. */
  fromLabel: string;
  /** Label of the new text in the `+++` header. */
  toLabel: string;
  /** Unchanged lines shown around each change; 3, as diff -u does. */
  context?: number;
  /** Lines of output kept, headers included; the rest is replaced by a note of how many were cut. */
  maxLines?: number;
  /** Characters kept of each output line. */
  maxLineLength?: number;
}

export const DEFAULT_MAX_DIFF_LINES = 80;
const DEFAULT_MAX_LINE_LENGTH = 500;

/**
 * Edit distances beyond this fall back to replacing every line that the two texts do not
 * share at their start and end. Myers' search keeps one array per step, so memory grows
 * with the square of the distance; 1000 steps take about 8 MB.
 */
const MAX_EDIT_DISTANCE = 1000;

/**
 * Returns a unified diff from `from` to `to`, or the empty string when they are equal.
 * A difference only in the final newline is stated in words, because the line view
 * cannot show it.
 */
export function unifiedDiff(from: string, to: string, options: UnifiedDiffOptions): string {
  if (from === to) {
    return '';
  }

  const fromLines = splitLines(from);
  const toLines = splitLines(to);
  const header = [`--- ${options.fromLabel}`, `+++ ${options.toLabel}`];
  const edits = diffLines(fromLines, toLines);
  if (edits.every((edit) => edit.kind === 'same')) {
    return [...header, '(the values differ only in the newline at their end)'].join('\n');
  }

  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  const body = formatHunks(edits, options.context ?? 3).map((line) => cutLine(line, maxLineLength));
  return trimLines([...header, ...body], options.maxLines ?? DEFAULT_MAX_DIFF_LINES, 'diff lines');
}

/** Keeps the first `maxLines` lines and notes how many were cut. */
export function trimLines(lines: readonly string[], maxLines: number, noun: string): string {
  if (lines.length <= maxLines) {
    return lines.join('\n');
  }
  return [...lines.slice(0, maxLines), `[gvmatrix: ${lines.length - maxLines} more ${noun} cut]`].join('\n');
}

function splitLines(text: string): string[] {
  if (text === '') {
    return [];
  }
  return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
}

function cutLine(line: string, max: number): string {
  return line.length <= max ? line : `${line.slice(0, max)}... [${line.length - max} more characters]`;
}

/** Returns the edits that turn `a` into `b`, after taking off the lines they share at both ends. */
function diffLines(a: readonly string[], b: readonly string[]): Edit[] {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) {
    prefix++;
  }
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) {
    suffix++;
  }

  const middleA = a.slice(prefix, a.length - suffix);
  const middleB = b.slice(prefix, b.length - suffix);
  const middle = myersEdits(middleA, middleB) ?? [
    ...middleA.map((line): Edit => ({ kind: 'removed', line })),
    ...middleB.map((line): Edit => ({ kind: 'added', line })),
  ];

  return [
    ...a.slice(0, prefix).map((line): Edit => ({ kind: 'same', line })),
    ...middle,
    ...a.slice(a.length - suffix).map((line): Edit => ({ kind: 'same', line })),
  ];
}

/**
 * Finds a shortest edit script with Myers' greedy search over diagonals, then walks the
 * saved frontiers back from the end. Returns undefined past MAX_EDIT_DISTANCE.
 */
function myersEdits(a: readonly string[], b: readonly string[]): Edit[] | undefined {
  const limit = Math.min(a.length + b.length, MAX_EDIT_DISTANCE);
  const offset = limit + 1;
  const frontier = new Int32Array(2 * limit + 3);
  const trace: Int32Array[] = [];

  for (let distance = 0; distance <= limit; distance++) {
    trace.push(frontier.slice());
    for (let diagonal = -distance; diagonal <= distance; diagonal += 2) {
      let x = takesInsertion(frontier, offset, diagonal, distance)
        ? frontier[offset + diagonal + 1]!
        : frontier[offset + diagonal - 1]! + 1;
      let y = x - diagonal;
      while (x < a.length && y < b.length && a[x] === b[y]) {
        x++;
        y++;
      }
      frontier[offset + diagonal] = x;

      if (x >= a.length && y >= b.length) {
        return backtrack(trace, offset, a, b);
      }
    }
  }
  return undefined;
}

/** Tells whether the best path to `diagonal` comes down from the diagonal above (an insertion). */
function takesInsertion(frontier: Int32Array, offset: number, diagonal: number, distance: number): boolean {
  return diagonal === -distance || (diagonal !== distance && frontier[offset + diagonal - 1]! < frontier[offset + diagonal + 1]!);
}

function backtrack(trace: readonly Int32Array[], offset: number, a: readonly string[], b: readonly string[]): Edit[] {
  const edits: Edit[] = [];
  let x = a.length;
  let y = b.length;

  for (let distance = trace.length - 1; distance >= 0; distance--) {
    const frontier = trace[distance]!;
    const diagonal = x - y;
    const previousDiagonal = takesInsertion(frontier, offset, diagonal, distance) ? diagonal + 1 : diagonal - 1;
    const previousX = frontier[offset + previousDiagonal]!;
    const previousY = previousX - previousDiagonal;

    while (x > previousX && y > previousY) {
      edits.push({ kind: 'same', line: a[x - 1]! });
      x--;
      y--;
    }
    if (distance > 0) {
      if (x === previousX) {
        edits.push({ kind: 'added', line: b[y - 1]! });
      } else {
        edits.push({ kind: 'removed', line: a[x - 1]! });
      }
    }
    x = previousX;
    y = previousY;
  }

  return edits.reverse();
}

/** Groups edits into hunks with `context` unchanged lines around changes and writes them in unified form. */
function formatHunks(edits: readonly Edit[], context: number): string[] {
  const output: string[] = [];
  let index = 0;

  while (index < edits.length) {
    if (edits[index]!.kind === 'same') {
      index++;
      continue;
    }

    const start = Math.max(0, index - context);
    const lastChange = lastChangeOfHunk(edits, index, context);
    const end = Math.min(edits.length, lastChange + context + 1);
    output.push(...formatHunk(edits, start, end));
    index = end;
  }
  return output;
}

/** Returns the index of the hunk's last change: changes closer than 2 × context lines share a hunk. */
function lastChangeOfHunk(edits: readonly Edit[], firstChange: number, context: number): number {
  let lastChange = firstChange;
  let index = firstChange + 1;

  while (index < edits.length) {
    if (edits[index]!.kind !== 'same') {
      lastChange = index;
      index++;
      continue;
    }

    let runEnd = index;
    while (runEnd < edits.length && edits[runEnd]!.kind === 'same') {
      runEnd++;
    }
    if (runEnd === edits.length || runEnd - index > 2 * context) {
      break;
    }
    index = runEnd;
  }
  return lastChange;
}

function formatHunk(edits: readonly Edit[], start: number, end: number): string[] {
  const before = edits.slice(0, start);
  const hunk = edits.slice(start, end);
  const fromBefore = before.filter((edit) => edit.kind !== 'added').length;
  const toBefore = before.filter((edit) => edit.kind !== 'removed').length;
  const fromCount = hunk.filter((edit) => edit.kind !== 'added').length;
  const toCount = hunk.filter((edit) => edit.kind !== 'removed').length;

  const header = `@@ -${range(fromBefore, fromCount)} +${range(toBefore, toCount)} @@`;
  const prefixes: Record<EditKind, string> = { same: ' ', removed: '-', added: '+' };
  return [header, ...hunk.map((edit) => `${prefixes[edit.kind]}${edit.line}`)];
}

/** Formats a hunk range as diff -u does: `start,count`, `start` for one line, and the line before for none. */
function range(linesBefore: number, count: number): string {
  if (count === 0) {
    return `${linesBefore},0`;
  }
  return count === 1 ? `${linesBefore + 1}` : `${linesBefore + 1},${count}`;
}
