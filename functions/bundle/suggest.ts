/**
 * "Did you mean" for names the bundle got wrong: a receiver, a template, a field. Case-insensitive equality, or a
 * small edit distance that grows with the name, so `reason` suggests `reasons` but `id` does not suggest `by`.
 */
export function didYouMean(name: string, known: Iterable<string>): string {
  const reach = Math.min(2, Math.floor(name.length / 3));
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = candidate.toLowerCase() === name.toLowerCase() ? 0 : editDistance(candidate, name);
    if (distance <= reach && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best ? ` (did you mean ${JSON.stringify(best.name)}?)` : '';
}

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1 each,
// so the common typing slip `flie` is as close to `file` as `fil` is.
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
