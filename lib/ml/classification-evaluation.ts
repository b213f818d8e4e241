import { AppError } from "../errors/app-error";
import { aucCiRadius } from "./auc-ci";
import { BOOTSTRAP_RESAMPLES, bootstrapConfusion, percentiles, wilson } from "./intervals";
import { ciRadius, curves, type Curves } from "./metrics";
import { mulberry32 } from "../simulate/prng";

// Image-level evaluation as Deep-COVID reports it: sensitivity and specificity at several
// thresholds with the paper's interval (r = z·sqrt(p(1−p)/N)) and an image-level bootstrap,
// ROC and PR curves with their areas, a confusion matrix per threshold. The trainer's
// metrics/classification.py computes the same table for its reports.

export const TABLE_THRESHOLDS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] as const;

export type ImageScore = { id: string; label: 0 | 1; prob: number };
export type Rate = {
  value: number | null;
  n: number;
  paper: [number, number] | null;
  boot: [number, number] | null;
  bootMethod: "bootstrap" | "wilson" | null;
};
export type ThresholdRow = {
  threshold: number;
  confusion: { tp: number; fp: number; tn: number; fn: number };
  sensitivity: Rate;
  specificity: Rate;
};
export type ClassifierEvaluation = {
  n: number;
  positives: number;
  negatives: number;
  rocAuc: { value: number; boot: [number, number] | null; hanleyMcNeil: [number, number] | null };
  averagePrecision: { value: number; boot: [number, number] | null };
  curves: Curves;
  table: ThresholdRow[];
};

function paper(k: number, n: number): [number, number] | null {
  if (!(n > 0)) return null;
  const p = k / n,
    r = ciRadius(p, n);
  return [Math.max(0, p - r), Math.min(1, p + r)];
}

/** Binary calls (e.g. a segmentation detection rule) → confusion, sensitivity and specificity with both intervals. */
export function callRates(
  calls: readonly boolean[],
  labels: readonly (0 | 1)[],
  resamples = BOOTSTRAP_RESAMPLES,
): Omit<ThresholdRow, "threshold"> {
  const perImage = calls.map((c, i) => ({
    tp: +(c && labels[i] === 1),
    fp: +(c && labels[i] === 0),
    tn: +(!c && labels[i] === 0),
    fn: +(!c && labels[i] === 1),
  }));
  const total = perImage.reduce((a, c) => ({ tp: a.tp + c.tp, fp: a.fp + c.fp, tn: a.tn + c.tn, fn: a.fn + c.fn }), {
    tp: 0,
    fp: 0,
    tn: 0,
    fn: 0,
  });
  const boot = bootstrapConfusion(perImage, resamples);
  const rate = (k: number, n: number, name: "sensitivity" | "specificity"): Rate => ({
    value: n ? k / n : null,
    n,
    paper: paper(k, n),
    boot: boot[name].interval,
    bootMethod: boot[name].method,
  });
  return {
    confusion: total,
    sensitivity: rate(total.tp, total.tp + total.fn, "sensitivity"),
    specificity: rate(total.tn, total.tn + total.fp, "specificity"),
  };
}

export function evaluateClassifier(
  images: readonly ImageScore[],
  opts: { thresholds?: readonly number[]; resamples?: number; seed?: number } = {},
): ClassifierEvaluation {
  const resamples = opts.resamples ?? BOOTSTRAP_RESAMPLES;
  const probs = images.map((i) => i.prob);
  const labels = images.map((i) => i.label);
  const positives = labels.filter((l) => l === 1).length;
  const negatives = labels.length - positives;
  if (!positives || !negatives)
    throw new AppError(
      "BAD_REQUEST",
      `evaluation needs COVID-19 and control images; got ${positives} COVID-19 and ${negatives} control`,
    );
  const c = curves(probs, labels);
  const next = mulberry32(opts.seed ?? 0);
  const aucs: number[] = [],
    aps: number[] = [];
  const n = images.length;
  for (let r = 0; r < resamples; r++) {
    const s = new Float64Array(n),
      l = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const j = Math.floor(next() * n);
      s[i] = probs[j];
      l[i] = labels[j];
    }
    const b = curves(s, l);
    aucs.push(b.rocAuc);
    aps.push(b.averagePrecision);
  }
  const hm = aucCiRadius(c.rocAuc, positives, negatives);
  const table = (opts.thresholds ?? TABLE_THRESHOLDS).map((threshold) => ({
    threshold,
    ...callRates(
      probs.map((p) => p >= threshold),
      labels,
      resamples,
    ),
  }));
  return {
    n,
    positives,
    negatives,
    rocAuc: {
      value: c.rocAuc,
      boot: percentiles(aucs),
      hanleyMcNeil: Number.isFinite(hm) ? [Math.max(0, c.rocAuc - hm), Math.min(1, c.rocAuc + hm)] : null,
    },
    averagePrecision: { value: c.averagePrecision, boot: percentiles(aps) },
    curves: c,
    table,
  };
}

/** Specificity at `threshold` on the controls of one class (e.g. other lung disease). */
export function controlSpecificity(
  images: readonly (ImageScore & { group?: string | null })[],
  group: string,
  threshold = 0.5,
) {
  const chosen = images.filter((i) => i.label === 0 && i.group === group);
  const tn = chosen.filter((i) => i.prob < threshold).length;
  return {
    group,
    threshold,
    n: chosen.length,
    value: chosen.length ? tn / chosen.length : null,
    paper: paper(tn, chosen.length),
    wilson: wilson(tn, chosen.length),
  };
}

export type ComparedMethod =
  | { name: string; kind: "classifier"; images: readonly ImageScore[] }
  | { name: string; kind: "rule"; images: readonly { id: string; label: 0 | 1; positive: boolean }[] };

/**
 * Segmentation-based detection rules (binary calls) and classifiers (probabilities) side by
 * side on the images every method scored. Classifiers are read at `threshold`.
 */
export function combinedReport(methods: readonly ComparedMethod[], threshold = 0.5) {
  if (!methods.length) throw new AppError("BAD_REQUEST", "nothing to compare");
  const common = methods
    .map((m) => new Set(m.images.map((i) => i.id)))
    .reduce((a, b) => new Set([...a].filter((id) => b.has(id))));
  const ids = [...common].sort();
  if (!ids.length) throw new AppError("BAD_REQUEST", "the methods share no images");
  const rows = methods.map((m) => {
    const byId = new Map<string, (typeof m.images)[number]>(m.images.map((i) => [i.id, i]));
    const chosen = ids.map((id) => byId.get(id)!);
    const labels = chosen.map((i) => i.label);
    if (m.kind === "classifier") {
      const scores = chosen as ImageScore[];
      const ev = evaluateClassifier(scores, { thresholds: [threshold] });
      return { name: m.name, kind: m.kind, rocAuc: ev.rocAuc, averagePrecision: ev.averagePrecision, ...ev.table[0] };
    }
    return {
      name: m.name,
      kind: m.kind,
      rocAuc: null,
      averagePrecision: null,
      threshold: null,
      ...callRates(
        chosen.map((i) => (i as { positive: boolean }).positive),
        labels,
      ),
    };
  });
  return { images: ids.length, rows };
}
