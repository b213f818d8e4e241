import { AppError } from "../errors/app-error";
import type { ConfusionCounts } from "../masks/measures";
import { DEFAULT_THRESHOLD } from "./threshold";

export type { ConfusionCounts };

/** z for a two-sided 95% interval. */
export const Z_95 = 1.96;

export interface MetricWithCi {
  value: number;
  /** Half-width r of the interval (eq. 13); NaN when the metric is undefined. */
  ci: number;
  /** The N used in eq. 13. */
  n: number;
  lower: number;
  upper: number;
}

export interface MetricSet {
  sensitivity: MetricWithCi;
  specificity: MetricWithCi;
  precision: MetricWithCi;
  f1: MetricWithCi;
  f2: MetricWithCi;
  accuracy: MetricWithCi;
}

export type MetricName = keyof MetricSet;
export const metricNames: readonly MetricName[] = ["sensitivity", "specificity", "precision", "f1", "f2", "accuracy"];

/** r = z·sqrt(m(1−m)/N) (eq. 13). */
export function ciRadius(m: number, n: number, z = Z_95): number {
  if (!(n > 0) || !Number.isFinite(m)) return NaN;
  return z * Math.sqrt((m * (1 - m)) / n);
}

function withCi(value: number, n: number, z: number): MetricWithCi {
  const ci = ciRadius(value, n, z);
  return { value, ci, n, lower: Math.max(0, value - ci), upper: Math.min(1, value + ci) };
}

function ratio(num: number, den: number): number {
  return den > 0 ? num / den : NaN;
}

/**
 * F-beta (eq. 12) written with counts, (1+β²)TP / ((1+β²)TP + β²FN + FP): identical where
 * precision and sensitivity exist, and still defined (0) when nothing was predicted positive.
 */
export function fBeta(c: ConfusionCounts, beta: number): number {
  const b2 = beta * beta;
  return ratio((1 + b2) * c.tp, (1 + b2) * c.tp + b2 * c.fn + c.fp);
}

/**
 * Eq. 8–12 with 95% intervals. N in eq. 13 is what the paper's Table 3 actually used:
 * the positives (TP+FN) for sensitivity, the negatives (TN+FP) for specificity, and all samples
 * for precision, F1, F2 and accuracy. Table 4a (TP 2903, FN 48, FP 244, TN 12300) reproduces
 * the published ±0.0046, ±0.0024, ±0.0042 only this way; TP+FP for precision would give ±0.0093.
 */
export function confusionMetrics(c: ConfusionCounts, z = Z_95): MetricSet {
  const positives = c.tp + c.fn;
  const negatives = c.tn + c.fp;
  const total = positives + negatives;
  return {
    sensitivity: withCi(ratio(c.tp, positives), positives, z),
    specificity: withCi(ratio(c.tn, negatives), negatives, z),
    precision: withCi(ratio(c.tp, c.tp + c.fp), total, z),
    f1: withCi(fBeta(c, 1), total, z),
    f2: withCi(fBeta(c, 2), total, z),
    accuracy: withCi(ratio(c.tp + c.tn, total), total, z),
  };
}

/** Pools confusion matrices (e.g. the paper's cumulative matrices over folds). */
export function sumConfusion(list: readonly ConfusionCounts[]): ConfusionCounts {
  const s = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (const c of list) {
    s.tp += c.tp;
    s.fp += c.fp;
    s.fn += c.fn;
    s.tn += c.tn;
  }
  return s;
}

// ---- ROC and precision–recall ----

export interface RocPoint {
  /** Predicted positive when score ≥ threshold; the first point (nothing positive) has +Infinity. */
  threshold: number;
  fpr: number;
  tpr: number;
}

export interface PrPoint {
  threshold: number;
  recall: number;
  precision: number;
}

export interface Curves {
  positives: number;
  negatives: number;
  roc: RocPoint[];
  /** Mann–Whitney: share of (positive, negative) pairs ranked correctly, ties counting ½. */
  rocAuc: number;
  pr: PrPoint[];
  /** Σ (Rₖ − Rₖ₋₁)·Pₖ over the distinct thresholds. */
  averagePrecision: number;
}

/** Builds both curves from score groups visited from the highest threshold down. */
function curvesFromGroups(
  visit: (emit: (threshold: number, pos: number, neg: number) => void) => void,
  positives: number,
  negatives: number,
): Curves {
  const roc: RocPoint[] = [{ threshold: Infinity, fpr: 0, tpr: 0 }];
  const pr: PrPoint[] = [];
  let tp = 0,
    fp = 0,
    pairs = 0,
    ap = 0,
    prevRecall = 0;
  visit((threshold, pos, neg) => {
    pairs += neg * (tp + pos / 2);
    tp += pos;
    fp += neg;
    const recall = ratio(tp, positives);
    const precision = tp / (tp + fp);
    roc.push({ threshold, fpr: ratio(fp, negatives), tpr: recall });
    pr.push({ threshold, recall, precision });
    if (positives > 0) ap += (recall - prevRecall) * precision;
    prevRecall = recall;
  });
  return {
    positives,
    negatives,
    roc,
    rocAuc: positives > 0 && negatives > 0 ? pairs / (positives * negatives) : NaN,
    pr,
    averagePrecision: positives > 0 ? ap : NaN,
  };
}

function checkScore(s: number): void {
  if (Number.isNaN(s)) throw new AppError("BAD_REQUEST", "scores must not be NaN");
}

/** Exact curves; labels: non-zero/true = positive. */
export function curves(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): Curves {
  if (scores.length !== labels.length)
    throw new AppError("BAD_REQUEST", `${scores.length} scores but ${labels.length} labels`);
  let nPos = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]) nPos++;
  const pos = new Float64Array(nPos);
  const neg = new Float64Array(labels.length - nPos);
  for (let i = 0, p = 0, n = 0; i < scores.length; i++) {
    checkScore(scores[i]);
    if (labels[i]) pos[p++] = scores[i];
    else neg[n++] = scores[i];
  }
  pos.sort();
  neg.sort();
  return curvesFromGroups(
    (emit) => {
      let i = pos.length - 1,
        j = neg.length - 1;
      while (i >= 0 || j >= 0) {
        const t = Math.max(i >= 0 ? pos[i] : -Infinity, j >= 0 ? neg[j] : -Infinity);
        let a = 0,
          b = 0;
        for (; i >= 0 && pos[i] === t; i--) a++;
        for (; j >= 0 && neg[j] === t; j--) b++;
        emit(t, a, b);
      }
    },
    pos.length,
    neg.length,
  );
}

/**
 * Streaming curves for pixel-level evaluation, where sorting every pixel of a test set is too
 * much: scores in [0, 1] go into `bins` equal bins and are treated as tied within a bin, so the
 * curves are exact at thresholds k/bins.
 */
export class ScoreHistogram {
  private readonly pos: Float64Array;
  private readonly neg: Float64Array;

  constructor(readonly bins = 1000) {
    if (!Number.isInteger(bins) || bins < 1) throw new AppError("BAD_REQUEST", "bins must be a positive integer");
    this.pos = new Float64Array(bins);
    this.neg = new Float64Array(bins);
  }

  private bin(s: number): number {
    checkScore(s);
    if (s <= 0) return 0;
    if (s >= 1) return this.bins - 1;
    let k = Math.floor(s * this.bins);
    // s·bins can round across a bin edge either way
    if ((k + 1) / this.bins <= s) k++;
    else if (k / this.bins > s) k--;
    return Math.min(k, this.bins - 1);
  }

  add(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): void {
    if (scores.length !== labels.length)
      throw new AppError("BAD_REQUEST", `${scores.length} scores but ${labels.length} labels`);
    for (let i = 0; i < scores.length; i++) (labels[i] ? this.pos : this.neg)[this.bin(scores[i])]++;
  }

  curves(): Curves {
    let positives = 0,
      negatives = 0;
    for (let k = 0; k < this.bins; k++) {
      positives += this.pos[k];
      negatives += this.neg[k];
    }
    return curvesFromGroups(
      (emit) => {
        for (let k = this.bins - 1; k >= 0; k--)
          if (this.pos[k] || this.neg[k]) emit(k / this.bins, this.pos[k], this.neg[k]);
      },
      positives,
      negatives,
    );
  }
}

// ---- Pixel-level segmentation and image-level detection ----

export interface Evaluation {
  threshold: number;
  confusion: ConfusionCounts;
  metrics: MetricSet;
  curves: Curves;
}

/** Accumulates pixel-level results image by image (foreground = positive). */
export class PixelEvaluator {
  private readonly confusion: ConfusionCounts = { tp: 0, fp: 0, fn: 0, tn: 0 };
  private readonly histogram: ScoreHistogram;

  constructor(
    readonly threshold = DEFAULT_THRESHOLD,
    bins = 1000,
  ) {
    this.histogram = new ScoreHistogram(bins);
  }

  add(prob: ArrayLike<number>, truth: ArrayLike<number>): void {
    this.histogram.add(prob, truth);
    const c = this.confusion;
    for (let i = 0; i < prob.length; i++) {
      const predicted = prob[i] >= this.threshold;
      if (truth[i]) predicted ? c.tp++ : c.fn++;
      else predicted ? c.fp++ : c.tn++;
    }
  }

  result(z = Z_95): Evaluation {
    const confusion = { ...this.confusion };
    return {
      threshold: this.threshold,
      confusion,
      metrics: confusionMetrics(confusion, z),
      curves: this.histogram.curves(),
    };
  }
}

/** An image's detection score: its largest pixel probability. */
export function imageScore(prob: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < prob.length; i++) if (prob[i] > max) max = prob[i];
  return max;
}

/** The paper's detector: COVID-19 when any pixel has probability ≥ threshold. */
export function isPositiveImage(prob: ArrayLike<number>, threshold = DEFAULT_THRESHOLD): boolean {
  return imageScore(prob) >= threshold;
}

export interface ImagePrediction {
  prob: ArrayLike<number>;
  /** Ground truth: a COVID-19 image. */
  positive: boolean;
}

export function detectionEvaluation(
  images: readonly ImagePrediction[],
  threshold = DEFAULT_THRESHOLD,
  z = Z_95,
): Evaluation {
  const scores = images.map((im) => imageScore(im.prob));
  const labels = images.map((im) => im.positive);
  const confusion = { tp: 0, fp: 0, fn: 0, tn: 0 };
  scores.forEach((s, i) => {
    const predicted = s >= threshold;
    if (labels[i]) predicted ? confusion.tp++ : confusion.fn++;
    else predicted ? confusion.fp++ : confusion.tn++;
  });
  return { threshold, confusion, metrics: confusionMetrics(confusion, z), curves: curves(scores, labels) };
}

// ---- Folds ----

export interface Aggregate {
  mean: number;
  /** Sample standard deviation (n − 1); NaN with fewer than two values. */
  sd: number;
  /** Finite values used; undefined metrics (NaN) are left out. */
  n: number;
}

export function aggregate(values: readonly number[]): Aggregate {
  const xs = values.filter(Number.isFinite);
  const n = xs.length;
  if (n === 0) return { mean: NaN, sd: NaN, n };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n < 2 ? NaN : Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  return { mean, sd, n };
}

export function aggregateMetrics(folds: readonly MetricSet[]): Record<MetricName, Aggregate> {
  const out = {} as Record<MetricName, Aggregate>;
  for (const name of metricNames) out[name] = aggregate(folds.map((f) => f[name].value));
  return out;
}
