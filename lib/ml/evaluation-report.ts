import type { ConfusionCounts } from "../masks/measures";
import { aucCiRadius } from "./auc-ci";
import { aggregate, confusionMetrics, metricNames, sumConfusion, type Aggregate, type MetricName } from "./metrics";
import { bootstrapConfusion } from "./intervals";
import {
  levels,
  parsePerImageConfusion,
  parseRunMetrics,
  type CurvePoints,
  type Level,
  type LevelSummary,
} from "./run-metrics";
import { foldLabel } from "./fold";

export type ScoreName = MetricName | "auc";
export const scoreNames: readonly ScoreName[] = [...metricNames, "auc"];

/** value ± ci (the half-width r of eq. 13; Hanley–McNeil for the AUC); null when undefined.
 * boot: the image-level bootstrap (Wilson at 0 or 1) 95% interval, when per-image data exists. */
export type Score = { value: number | null; ci: number | null; boot?: [number, number] | null };

export type ReportRow = {
  label: string;
  runId: string | null;
  n: number;
  confusion: ConfusionCounts;
  scores: Record<ScoreName, Score>;
  prAuc: number | null;
  curves: CurvePoints | null;
  /** Per-image pixel confusion counts (pixel level), for pooled bootstrap intervals. */
  perImage?: ConfusionCounts[] | null;
};

export type LevelReport = {
  /** One row per run (fold or round). */
  rows: ReportRow[];
  /** All rows' samples together: summed confusion matrix, its scores and intervals; null with one row. */
  pooled: ReportRow | null;
  /** Mean and sample SD of each score over the rows. */
  mean: Record<ScoreName, Aggregate>;
};

export type NetworkReport = {
  network: string;
  arch: string;
  encoder: string;
  levels: Record<Level, LevelReport>;
  /** Runs of this network that have no held-out evaluation (not trained yet, or no validation set). */
  missing: string[];
};

export type ReportRun = {
  id: string;
  arch: string;
  encoder: string;
  fold: number | null;
  roundNumber: number | null;
  metrics: unknown;
};

const finite = (v: number | null | undefined): number | null =>
  v === null || v === undefined || !Number.isFinite(v) ? null : v;

export function runLabel(run: Pick<ReportRun, "fold" | "roundNumber">): string {
  if (run.fold !== null) return foldLabel(run.fold);
  return run.roundNumber !== null ? `round ${run.roundNumber}` : "run";
}

function auc(value: number | null, c: ConfusionCounts): Score {
  return { value, ci: value === null ? null : finite(aucCiRadius(value, c.tp + c.fn, c.tn + c.fp)) };
}

function runRow(run: ReportRun, s: LevelSummary, perImage: ConfusionCounts[] | null = null): ReportRow {
  const scores = {} as Record<ScoreName, Score>;
  for (const name of metricNames)
    scores[name] = {
      value: finite(s[name].value),
      ci: finite(s[name].ci),
      ...(s[name].boot ? { boot: s[name].boot } : {}),
    };
  scores.auc = auc(finite(s.roc_auc), s.confusion);
  return {
    label: runLabel(run),
    runId: run.id,
    n: s.n,
    confusion: { ...s.confusion },
    scores,
    prAuc: finite(s.pr_auc),
    curves: s.curves ?? null,
    perImage,
  };
}

/** Summed counts per threshold, back from each row's rates: exact when the thresholds agree. */
function pooledCurves(rows: ReportRow[]): CurvePoints | null {
  const first = rows[0]?.curves;
  if (!first || rows.some((r) => !r.curves || r.curves.thresholds.join() !== first.thresholds.join())) return null;
  const k = first.thresholds.length;
  const tp = new Float64Array(k),
    fp = new Float64Array(k);
  let positives = 0,
    negatives = 0;
  for (const r of rows) {
    const P = r.confusion.tp + r.confusion.fn,
      N = r.confusion.tn + r.confusion.fp;
    positives += P;
    negatives += N;
    for (let i = 0; i < k; i++) {
      tp[i] += (r.curves!.tpr?.[i] ?? 0) * P;
      fp[i] += (r.curves!.fpr?.[i] ?? 0) * N;
    }
  }
  const rate = (a: Float64Array, d: number) => (d > 0 ? Array.from(a, (v) => v / d) : null);
  return {
    thresholds: [...first.thresholds],
    tpr: rate(tp, positives),
    fpr: rate(fp, negatives),
    precision: Array.from(tp, (t, i) => (t + fp[i] > 0 ? t / (t + fp[i]) : null)),
  };
}

function pooledRow(rows: ReportRow[]): ReportRow {
  const confusion = sumConfusion(rows.map((r) => r.confusion));
  const m = confusionMetrics(confusion);
  const scores = {} as Record<ScoreName, Score>;
  const perImage = rows.every((r) => r.perImage) ? rows.flatMap((r) => r.perImage!) : null;
  const boot = perImage ? bootstrapConfusion(perImage) : null;
  for (const name of metricNames)
    scores[name] = {
      value: finite(m[name].value),
      ci: finite(m[name].ci),
      ...(boot?.[name].interval ? { boot: boot[name].interval } : {}),
    };
  // AUCs cannot be pooled from the stored summaries: the mean over folds, with the pooled N.
  scores.auc = auc(finite(aggregate(rows.map((r) => r.scores.auc.value ?? NaN)).mean), confusion);
  const prAuc = finite(aggregate(rows.map((r) => r.prAuc ?? NaN)).mean);
  return {
    label: "pooled",
    runId: null,
    n: rows.reduce((a, r) => a + r.n, 0),
    confusion,
    scores,
    prAuc,
    curves: pooledCurves(rows),
  };
}

function levelReport(rows: ReportRow[]): LevelReport {
  const mean = {} as Record<ScoreName, Aggregate>;
  for (const name of scoreNames) mean[name] = aggregate(rows.map((r) => r.scores[name].value ?? NaN));
  return { rows, pooled: rows.length > 1 ? pooledRow(rows) : null, mean };
}

/** Tables 2/3/6-style reports: runs grouped by network, one row per fold or round. */
export function buildEvaluationReport(runs: readonly ReportRun[]): NetworkReport[] {
  const byNetwork = new Map<string, ReportRun[]>();
  for (const r of runs) {
    const k = `${r.arch}/${r.encoder}`;
    byNetwork.set(k, [...(byNetwork.get(k) ?? []), r]);
  }
  return [...byNetwork.entries()].map(([network, group]) => {
    const sorted = [...group].sort(
      (a, b) => (a.roundNumber ?? 0) - (b.roundNumber ?? 0) || (a.fold ?? 0) - (b.fold ?? 0),
    );
    const evaluated = sorted.map((r) => ({
      run: r,
      final: parseRunMetrics(r.metrics),
      perImage: parsePerImageConfusion(r.metrics),
    }));
    const report = {} as Record<Level, LevelReport>;
    for (const level of levels)
      report[level] = levelReport(
        evaluated
          .filter((e) => e.final)
          .map((e) => runRow(e.run, e.final![level], level === "pixel" ? e.perImage : null)),
      );
    return {
      network,
      arch: group[0].arch,
      encoder: group[0].encoder,
      levels: report,
      missing: evaluated.filter((e) => !e.final).map((e) => runLabel(e.run)),
    };
  });
}
