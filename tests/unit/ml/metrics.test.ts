import { describe, expect, it } from "vitest";
import {
  aggregate,
  aggregateMetrics,
  ciRadius,
  confusionMetrics,
  curves,
  detectionEvaluation,
  fBeta,
  imageScore,
  isPositiveImage,
  PixelEvaluator,
  ScoreHistogram,
  sumConfusion,
} from "../../../lib/ml/metrics";

/** Brute force: every (positive, negative) pair, ties ½. */
function pairwiseAuc(scores: number[], labels: number[]): number {
  let wins = 0,
    pairs = 0;
  scores.forEach((p, i) => {
    if (!labels[i]) return;
    scores.forEach((n, j) => {
      if (labels[j]) return;
      pairs++;
      wins += p > n ? 1 : p === n ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

describe("confusion metrics (eq. 8–13)", () => {
  // TP 8, FN 2, FP 4, TN 86: 10 positives, 90 negatives, 100 in all
  const m = confusionMetrics({ tp: 8, fn: 2, fp: 4, tn: 86 });

  it("values", () => {
    expect(m.sensitivity.value).toBeCloseTo(8 / 10, 12);
    expect(m.specificity.value).toBeCloseTo(86 / 90, 12);
    expect(m.precision.value).toBeCloseTo(8 / 12, 12);
    expect(m.accuracy.value).toBeCloseTo(94 / 100, 12);
    // F1 = 2TP/(2TP+FN+FP) = 16/22; F2 = 5TP/(5TP+4FN+FP) = 40/52
    expect(m.f1.value).toBeCloseTo(16 / 22, 12);
    expect(m.f2.value).toBeCloseTo(40 / 52, 12);
  });

  it("F-beta from counts equals eq. 12 from precision and sensitivity", () => {
    const p = 8 / 12,
      r = 0.8;
    expect(fBeta({ tp: 8, fn: 2, fp: 4, tn: 86 }, 1)).toBeCloseTo((2 * p * r) / (p + r), 12);
    expect(fBeta({ tp: 8, fn: 2, fp: 4, tn: 86 }, 2)).toBeCloseTo((5 * p * r) / (4 * p + r), 12);
  });

  it("95% intervals with N = positives, negatives, or all samples", () => {
    expect(m.sensitivity.n).toBe(10);
    expect(m.specificity.n).toBe(90);
    for (const k of ["precision", "f1", "f2", "accuracy"] as const) expect(m[k].n).toBe(100);
    // 1.96·sqrt(0.8·0.2/10) = 1.96·0.126491 = 0.247923
    expect(m.sensitivity.ci).toBeCloseTo(0.247923, 6);
    // 1.96·sqrt((86/90)(4/90)/90) = 0.042577
    expect(m.specificity.ci).toBeCloseTo(0.042577, 6);
    // 1.96·sqrt((2/3)(1/3)/100) = 0.092395
    expect(m.precision.ci).toBeCloseTo(0.092395, 6);
    // 1.96·sqrt(0.94·0.06/100) = 0.046547
    expect(m.accuracy.ci).toBeCloseTo(0.046547, 6);
    expect(m.f1.ci).toBeCloseTo(0.087291, 6);
    expect(m.f2.ci).toBeCloseTo(0.08258, 6);
    expect(m.sensitivity.lower).toBeCloseTo(0.8 - 0.247923, 6);
    expect(m.sensitivity.upper).toBe(1); // 1.0479 clamped
  });

  it("reproduces the paper's Table 3/4a (U-Net DenseNet-121, not frozen)", () => {
    // Table 4a: 12,300 TN, 244 FP, 48 FN, 2903 TP
    const t = confusionMetrics({ tp: 2903, fp: 244, fn: 48, tn: 12300 });
    const published: [keyof typeof t, number, number][] = [
      ["sensitivity", 0.9837, 0.0046],
      ["specificity", 0.9805, 0.0024],
      ["precision", 0.9225, 0.0042],
      ["f1", 0.9521, 0.0034],
      ["f2", 0.9708, 0.0027],
      ["accuracy", 0.9812, 0.0021],
    ];
    for (const [k, value, ci] of published) {
      expect(Math.abs(t[k].value - value)).toBeLessThanOrEqual(0.00006);
      expect(Math.abs(t[k].ci - ci)).toBeLessThanOrEqual(0.0001);
    }
  });

  it("undefined metrics are NaN, not 0", () => {
    const none = confusionMetrics({ tp: 0, fp: 0, fn: 0, tn: 5 });
    expect(none.sensitivity.value).toBeNaN();
    expect(none.sensitivity.ci).toBeNaN();
    expect(none.precision.value).toBeNaN();
    expect(none.f1.value).toBeNaN();
    expect(none.specificity.value).toBe(1);
    expect(none.specificity.ci).toBe(0);
    // nothing predicted positive but positives exist: precision undefined, F1 = 0
    const missed = confusionMetrics({ tp: 0, fp: 0, fn: 3, tn: 5 });
    expect(missed.precision.value).toBeNaN();
    expect(missed.f1.value).toBe(0);
    expect(ciRadius(0.5, 0)).toBeNaN();
    expect(ciRadius(0.5, 100, 2.576)).toBeCloseTo(2.576 * 0.05, 12);
  });

  it("pools confusion matrices", () => {
    expect(
      sumConfusion([
        { tp: 1, fp: 2, fn: 3, tn: 4 },
        { tp: 10, fp: 20, fn: 30, tn: 40 },
      ]),
    ).toEqual({ tp: 11, fp: 22, fn: 33, tn: 44 });
  });
});

describe("ROC and precision–recall", () => {
  // positives .9 .8 .7 .5, negatives .8 .5 .3 (one tie at .8, one at .5)
  const scores = [0.9, 0.8, 0.8, 0.7, 0.5, 0.5, 0.3];
  const labels = [1, 1, 0, 1, 0, 1, 0];
  const c = curves(scores, labels);

  it("AUC counts tied pairs as ½ (hand count 9/12)", () => {
    // .9 beats 3; .8 ties 1 & beats 2 → 2.5; .7 beats 2; .5 ties 1 & beats 1 → 1.5; 9/12
    expect(c.rocAuc).toBeCloseTo(0.75, 12);
    expect(c.rocAuc).toBeCloseTo(pairwiseAuc(scores, labels), 12);
  });

  it("ROC has one point per distinct threshold", () => {
    expect(c.roc.map((p) => [p.threshold, p.fpr, p.tpr])).toEqual([
      [Infinity, 0, 0],
      [0.9, 0, 0.25],
      [0.8, 1 / 3, 0.5],
      [0.7, 1 / 3, 0.75],
      [0.5, 2 / 3, 1],
      [0.3, 1, 1],
    ]);
    let trapezoid = 0;
    for (let i = 1; i < c.roc.length; i++)
      trapezoid += ((c.roc[i].fpr - c.roc[i - 1].fpr) * (c.roc[i].tpr + c.roc[i - 1].tpr)) / 2;
    expect(trapezoid).toBeCloseTo(c.rocAuc, 12);
  });

  it("average precision = Σ ΔR·P (hand: .25·1 + .25·2/3 + .25·3/4 + .25·4/6 = 37/48)", () => {
    expect(c.pr.map((p) => [p.recall, p.precision])).toEqual([
      [0.25, 1],
      [0.5, 2 / 3],
      [0.75, 3 / 4],
      [1, 4 / 6],
      [1, 4 / 7],
    ]);
    expect(c.averagePrecision).toBeCloseTo(37 / 48, 12);
  });

  it("matches the brute-force AUC on random heavily tied scores", () => {
    let s = 42;
    const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let trial = 0; trial < 20; trial++) {
      const n = 5 + Math.floor(rnd() * 60);
      const sc = Array.from({ length: n }, () => Math.round(rnd() * 5) / 5);
      const lb = Array.from({ length: n }, (_, i) => (i === 0 ? 1 : i === 1 ? 0 : rnd() < 0.4 ? 1 : 0));
      expect(curves(sc, lb).rocAuc).toBeCloseTo(pairwiseAuc(sc, lb), 12);
    }
  });

  it("degenerate inputs", () => {
    expect(curves([0.1, 0.2], [1, 1]).rocAuc).toBeNaN();
    expect(curves([0.1, 0.2], [0, 0]).averagePrecision).toBeNaN();
    expect(curves([0.3, 0.3], [1, 0]).rocAuc).toBe(0.5);
    expect(() => curves([0.1], [1, 0])).toThrow(/1 scores but 2 labels/);
    expect(() => curves([NaN], [1])).toThrow(/NaN/);
  });

  it("the histogram gives the exact curves when scores sit on bin edges", () => {
    const h = new ScoreHistogram(10);
    h.add(scores.slice(0, 3), labels.slice(0, 3));
    h.add(scores.slice(3), labels.slice(3));
    const hc = h.curves();
    expect(hc.rocAuc).toBeCloseTo(c.rocAuc, 12);
    expect(hc.averagePrecision).toBeCloseTo(c.averagePrecision, 12);
    expect(hc.roc.map((p) => [p.fpr, p.tpr])).toEqual(c.roc.map((p) => [p.fpr, p.tpr]));
    expect(hc.roc.slice(1).map((p) => p.threshold)).toEqual([0.9, 0.8, 0.7, 0.5, 0.3]);
  });

  it("the histogram bins by ≥ edge even where p·bins rounds", () => {
    const h = new ScoreHistogram(100);
    h.add([0.57, 0.56999999], [1, 0]); // 0.57·100 = 56.99999999999999 in floating point
    expect(
      h
        .curves()
        .roc.slice(1)
        .map((p) => [p.threshold, p.tpr, p.fpr]),
    ).toEqual([
      [0.57, 1, 0],
      [0.56, 1, 1],
    ]);
  });
});

describe("pixel-level evaluation", () => {
  it("accumulates confusion over images at the threshold", () => {
    const ev = new PixelEvaluator();
    ev.add([0.9, 0.5, 0.49, 0], [1, 0, 1, 0]); // TP, FP, FN, TN
    ev.add([0.7, 0.2], [1, 0]); // TP, TN
    const r = ev.result();
    expect(r.confusion).toEqual({ tp: 2, fp: 1, fn: 1, tn: 2 });
    expect(r.metrics.sensitivity.value).toBeCloseTo(2 / 3, 12);
    expect(r.curves.positives).toBe(3);
    expect(r.curves.negatives).toBe(3);
    // positives .9 .49 .7, negatives .5 0 .2 → pairs won: 3 + 2 + 3 = 8 of 9
    expect(r.curves.rocAuc).toBeCloseTo(8 / 9, 12);
  });
});

describe("image-level detection", () => {
  it("an image is positive when any pixel reaches the threshold", () => {
    expect(isPositiveImage([0.1, 0.5, 0.2])).toBe(true);
    expect(isPositiveImage(Float32Array.of(0.1, 0.49, 0.2))).toBe(false);
    expect(isPositiveImage([0.1, 0.3], 0.3)).toBe(true);
    expect(imageScore([0.2, 0.8, 0.1])).toBe(0.8);
  });

  it("evaluates a set of images", () => {
    const r = detectionEvaluation([
      { prob: [0.1, 0.9], positive: true }, // TP (0.9)
      { prob: [0.4, 0.3], positive: true }, // FN (0.4)
      { prob: [0.6, 0.0], positive: false }, // FP (0.6)
      { prob: [0.2, 0.1], positive: false }, // TN (0.2)
      { prob: [0.0, 0.05], positive: false }, // TN (0.05)
    ]);
    expect(r.confusion).toEqual({ tp: 1, fn: 1, fp: 1, tn: 2 });
    expect(r.metrics.specificity.value).toBeCloseTo(2 / 3, 12);
    expect(r.metrics.specificity.n).toBe(3);
    // image scores: positives .9 .4, negatives .6 .2 .05 → 3 + 2 = 5 of 6 pairs
    expect(r.curves.rocAuc).toBeCloseTo(5 / 6, 12);
  });
});

describe("aggregation over folds", () => {
  it("mean ± sample sd", () => {
    const a = aggregate([0.8, 0.9, 1.0]);
    expect(a.mean).toBeCloseTo(0.9, 12);
    expect(a.sd).toBeCloseTo(0.1, 12); // sqrt((0.01 + 0 + 0.01)/2)
    expect(a.n).toBe(3);
    expect(aggregate([0.5, NaN, 0.7])).toMatchObject({ n: 2 });
    expect(aggregate([0.5]).sd).toBeNaN();
    expect(aggregate([]).mean).toBeNaN();
  });

  it("aggregates every metric", () => {
    const folds = [
      confusionMetrics({ tp: 8, fn: 2, fp: 0, tn: 10 }),
      confusionMetrics({ tp: 6, fn: 4, fp: 0, tn: 10 }),
    ];
    const agg = aggregateMetrics(folds);
    expect(agg.sensitivity.mean).toBeCloseTo(0.7, 12);
    expect(agg.sensitivity.sd).toBeCloseTo(Math.sqrt(0.02), 12);
    expect(agg.specificity).toEqual({ mean: 1, sd: 0, n: 2 });
    expect(Object.keys(agg).sort()).toEqual(["accuracy", "f1", "f2", "precision", "sensitivity", "specificity"]);
  });
});
