// Image-level bootstrap: resample images with replacement, recompute a statistic, take the
// 2.5th and 97.5th percentiles (percentile interval).
import { createRng } from "./prng";

export interface Interval {
  estimate: number;
  lo: number;
  hi: number;
}

/** `statistic` receives the indices of one resample (the identity for the estimate). */
export function bootstrap(
  n: number,
  statistic: (idx: Int32Array) => number,
  o: { reps?: number; seed?: number } = {},
): Interval {
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const estimate = statistic(all);
  if (n === 0) return { estimate, lo: Number.NaN, hi: Number.NaN };
  const reps = o.reps ?? 2000;
  const rng = createRng(o.seed ?? 1);
  const values: number[] = [];
  const idx = new Int32Array(n);
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < n; i++) idx[i] = Math.floor(rng.next() * n);
    const v = statistic(idx);
    if (Number.isFinite(v)) values.push(v);
  }
  values.sort((a, b) => a - b);
  const q = (p: number) => values[Math.min(values.length - 1, Math.max(0, Math.floor(p * (values.length - 1))))];
  return values.length ? { estimate, lo: q(0.025), hi: q(0.975) } : { estimate, lo: Number.NaN, hi: Number.NaN };
}

/** Mean of `values` over the resampled indices (NaN entries skipped). */
export function meanOver(values: ArrayLike<number>, idx: Int32Array): number {
  let s = 0;
  let n = 0;
  for (const i of idx) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    s += v;
    n++;
  }
  return n ? s / n : Number.NaN;
}
