/** "Did you mean ...?" for names people type: option keys, metric names. */

/** Levenshtein distance between two strings. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** The candidate within edit distance 3 of `word`, if any. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const candidate of candidates) {
    const d = editDistance(word, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Up to `count` candidates nearest to `word`: those containing it (or contained in it)
 * first, then by edit distance. For long metric names, where a typo and a prefix both
 * matter ("node_cpu_second" → "node_cpu_seconds_total").
 */
export function closestMatches(word: string, candidates: Iterable<string>, count = 3): string[] {
  const lower = word.toLowerCase();
  const scored: Array<{ name: string; score: number }> = [];
  for (const name of candidates) {
    const other = name.toLowerCase();
    const contains = other.includes(lower) || lower.includes(other);
    const distance = editDistance(lower, other);
    // Beyond half the word's length an edit-distance match is noise.
    if (!contains && distance > Math.max(2, Math.floor(lower.length / 2))) continue;
    scored.push({ name, score: contains ? Math.abs(other.length - lower.length) / 100 : distance });
  }
  return scored
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .slice(0, count)
    .map((s) => s.name);
}
