/**
 * Percentiles by linear interpolation between closest ranks: Hyndman and Fan's type 7, the
 * default of numpy, R and spreadsheets, so the numbers can be checked with any of them.
 */

/** The `p`-th percentile (0..100) of `values`; null when there are none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const h = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export function median(values: readonly number[]): number | null {
  return percentile(values, 50);
}
