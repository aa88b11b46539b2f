/**
 * Counts the edits (insertions, deletions, substitutions and swaps of two adjacent
 * characters) that turn `a` into `b`. This is the optimal string alignment distance, so
 * the common typo `imgaes` is one edit away from `images`.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const columns = b.length + 1;
  const distance: number[][] = Array.from({ length: rows }, () => new Array<number>(columns).fill(0));

  for (let i = 0; i < rows; i++) distance[i]![0] = i;
  for (let j = 0; j < columns; j++) distance[0]![j] = j;

  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < columns; j++) {
      const substitution = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        distance[i - 1]![j]! + 1,
        distance[i]![j - 1]! + 1,
        distance[i - 1]![j - 1]! + substitution,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, distance[i - 2]![j - 2]! + 1);
      }
      distance[i]![j] = best;
    }
  }

  return distance[a.length]![b.length]!;
}

/**
 * Returns the candidate closest to `word`, or undefined when none is close enough to be
 * a likely typo: at most a third of the word's length, and at least 2 edits, may differ.
 * Case is ignored, so `Images` finds `images`.
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const maxDistance = Math.max(2, Math.ceil(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;

  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }

  return bestDistance <= maxDistance ? best : undefined;
}

/**
 * Builds the hint that follows an unknown name: the closest valid name when one is close,
 * otherwise the full list of valid names, called `noun` ("keys", "kinds").
 */
export function suggestion(word: string, candidates: readonly string[], noun = 'names'): string {
  const closest = nearest(word, candidates);
  if (closest !== undefined) return `did you mean "${closest}"?`;

  if (candidates.length === 0) return `there are no ${noun} to choose from`;
  return `valid ${noun}: ${candidates.map((candidate) => `"${candidate}"`).join(', ')}`;
}
