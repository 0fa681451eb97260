// Spelling correction for search queries: the index words within one or two edits of a word nobody indexed.

/** Optimal-string-alignment distance (Levenshtein plus adjacent transposition), stopping early past `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur.push(d);
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

/** Shortest word that is corrected at all; words from this length up tolerate one edit, from LONG up two. */
const MIN_LENGTH = 4;
const LONG = 8;

/** The words of `vocabulary` closest to `word` (one edit, or two for long words); empty for short words. */
export function closeWords(word: string, vocabulary: Iterable<string>): string[] {
  if (word.length < MIN_LENGTH) return [];
  const max = word.length >= LONG ? 2 : 1;
  let best = max + 1;
  let out: string[] = [];
  for (const candidate of vocabulary) {
    if (candidate.length < MIN_LENGTH - 1) continue;
    const d = editDistance(word, candidate, max);
    if (d < best) {
      best = d;
      out = [candidate];
    } else if (d === best && d <= max) out.push(candidate);
  }
  return best <= max ? out : [];
}
