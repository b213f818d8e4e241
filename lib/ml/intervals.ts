import { mulberry32 } from "../simulate/prng";
import type { ConfusionCounts } from "../masks/measures";
import { confusionMetrics, metricNames, type MetricName } from "./metrics";

// Pixels of one image are correlated, so eq. 13 with N = all pixels is far too narrow: these
// intervals resample whole images (the trainer's metrics/intervals.py does the same).

export const BOOTSTRAP_RESAMPLES = 1000;
const Z_95 = 1.959964;

/** Wilson score interval for k of n; [0, upper] for 0 of n (never ±0). */
export function wilson(k: number, n: number, z = Z_95): [number, number] | null {
  if (!(n > 0)) return null;
  const p = k / n,
    z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** Deterministic resampling, so a report prints the same interval twice. */
const random = mulberry32;

/** The 2.5th and 97.5th percentiles (linear interpolation) of the finite values: a 95% bootstrap interval. */
export function percentiles(values: number[]): [number, number] | null {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return null;
  const at = (q: number) => {
    const pos = q * (v.length - 1),
      lo = Math.floor(pos),
      hi = Math.ceil(pos);
    return v[lo] + (v[hi] - v[lo]) * (pos - lo);
  };
  return [at(0.025), at(0.975)];
}

export type Interval = { interval: [number, number] | null; method: "bootstrap" | "wilson" | null };

const proportions: Partial<Record<MetricName, (c: ConfusionCounts) => [number, number]>> = {
  sensitivity: (c) => [c.tp, c.tp + c.fn],
  specificity: (c) => [c.tn, c.tn + c.fp],
  precision: (c) => [c.tp, c.tp + c.fp],
  accuracy: (c) => [c.tp + c.tn, c.tp + c.tn + c.fp + c.fn],
};

/** Image-level bootstrap of every confusion metric from per-image counts; Wilson at 0 or 1. */
export function bootstrapConfusion(
  perImage: readonly ConfusionCounts[],
  resamples = BOOTSTRAP_RESAMPLES,
  seed = 0,
): Record<MetricName, Interval> {
  const out = {} as Record<MetricName, Interval>;
  const n = perImage.length;
  const total = perImage.reduce((a, c) => ({ tp: a.tp + c.tp, fp: a.fp + c.fp, tn: a.tn + c.tn, fn: a.fn + c.fn }), {
    tp: 0,
    fp: 0,
    tn: 0,
    fn: 0,
  });
  const samples: Record<MetricName, number[]> = Object.fromEntries(
    metricNames.map((m) => [m, [] as number[]]),
  ) as Record<MetricName, number[]>;
  if (n) {
    const next = random(seed);
    for (let r = 0; r < resamples; r++) {
      const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
      for (let i = 0; i < n; i++) {
        const x = perImage[Math.floor(next() * n)];
        c.tp += x.tp;
        c.fp += x.fp;
        c.tn += x.tn;
        c.fn += x.fn;
      }
      const m = confusionMetrics(c);
      for (const name of metricNames) samples[name].push(m[name].value);
    }
  }
  const values = confusionMetrics(total);
  for (const name of metricNames) {
    const v = values[name].value;
    const prop = proportions[name];
    if (prop && (v === 0 || v === 1)) out[name] = { interval: wilson(...prop(total)), method: "wilson" };
    else out[name] = { interval: n ? percentiles(samples[name]) : null, method: n ? "bootstrap" : null };
  }
  return out;
}

/** Bootstrap interval of a mean. */
export function bootstrapMean(
  values: readonly number[],
  resamples = BOOTSTRAP_RESAMPLES,
  seed = 1,
): [number, number] | null {
  const n = values.length;
  if (!n) return null;
  const next = random(seed);
  const means: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[Math.floor(next() * n)];
    means.push(sum / n);
  }
  return percentiles(means);
}
