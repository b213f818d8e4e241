import { describe, expect, it } from "vitest";
import { aucCiRadius } from "../../lib/ml/auc-ci";
import { buildEvaluationReport, type ReportRun } from "../../lib/ml/evaluation-report";
import { curvesCsv, metricsCsv } from "../../lib/ml/report-csv";
import { confusionMetrics } from "../../lib/ml/metrics";
import { runReport, stageReport } from "../../lib/ml/reports";
import { db } from "../../lib/db/client";
import { selectStage1Subset, startStage1, startStage1Training } from "../../lib/protocol/mutations";
import { makeProject } from "../setup/fixtures";
import { drawAllManual } from "../setup/protocol";
import { addTestImages } from "../setup/synthetic-images";
import { tinyModel } from "../setup/tiny-model";

const THRESHOLDS = Array.from({ length: 101 }, (_, i) => i / 100);

/** A level summary shaped like the trainer's metrics.json, from a confusion matrix and an AUC. */
function level(c: { tp: number; fp: number; tn: number; fn: number }, auc: number) {
  const m = confusionMetrics(c);
  const score = (k: keyof typeof m) => ({ value: m[k].value, ci: m[k].ci });
  const P = c.tp + c.fn,
    N = c.tn + c.fp;
  // A toy curve: rates fall linearly to the matrix at 0.5 and to zero at 1.
  const tpr = THRESHOLDS.map((t) => (t <= 0.5 ? 1 - (1 - c.tp / P) * (t / 0.5) : (c.tp / P) * (1 - (t - 0.5) / 0.5)));
  const fpr = THRESHOLDS.map((t) => (t <= 0.5 ? 1 - (1 - c.fp / N) * (t / 0.5) : (c.fp / N) * (1 - (t - 0.5) / 0.5)));
  return {
    n: P + N,
    confusion: c,
    sensitivity: score("sensitivity"),
    specificity: score("specificity"),
    precision: score("precision"),
    f1: score("f1"),
    f2: score("f2"),
    accuracy: score("accuracy"),
    roc_auc: auc,
    pr_auc: auc - 0.01,
    curves: {
      thresholds: THRESHOLDS,
      tpr,
      fpr,
      precision: tpr.map((t, i) => (t * P + fpr[i] * N > 0 ? (t * P) / (t * P + fpr[i] * N) : null)),
    },
  };
}

const run = (id: string, fold: number, c: Parameters<typeof level>[0], auc: number, arch = "unet"): ReportRun => ({
  id,
  arch,
  encoder: "densenet121",
  fold,
  roundNumber: 1,
  // Through JSON, as stored: undefined scores (NaN) become null, as the trainer writes them.
  metrics: JSON.parse(
    JSON.stringify({
      format: 1,
      final: {
        loss: 0.1,
        pixel: level({ tp: c.tp * 100, fp: c.fp * 100, tn: c.tn * 100, fn: c.fn * 100 }, auc),
        image: level(c, auc),
      },
    }),
  ),
});

describe("evaluation report", () => {
  // The paper's Table 4a (TP 2903, FN 48, FP 244, TN 12300) split over two folds.
  const folds = [
    run("r1", 0, { tp: 1450, fn: 20, fp: 100, tn: 6200 }, 0.99),
    run("r2", 1, { tp: 1453, fn: 28, fp: 144, tn: 6100 }, 0.98),
  ];

  it("pools folds into the paper's cumulative matrix and its intervals", () => {
    const [net] = buildEvaluationReport(folds);
    const image = net.levels.image;
    expect(image.rows.map((r) => r.label)).toEqual(["fold 1", "fold 2"]);
    expect(image.pooled!.confusion).toEqual({ tp: 2903, fp: 244, tn: 12300, fn: 48 });
    const s = image.pooled!.scores;
    expect(s.sensitivity.value).toBeCloseTo(2903 / 2951, 10);
    expect(s.sensitivity.ci).toBeCloseTo(0.0046, 4); // as published
    expect(s.specificity.ci).toBeCloseTo(0.0024, 4);
    expect(s.accuracy.value).toBeCloseTo((2903 + 12300) / 15495, 10);
    expect(s.auc.value).toBeCloseTo(0.985, 10);
    expect(s.auc.ci).toBeCloseTo(aucCiRadius(0.985, 2951, 12544), 12);
    expect(image.mean.sensitivity.n).toBe(2);
    expect(image.mean.auc.sd).toBeCloseTo(Math.SQRT1_2 * 0.01, 10);
    // Pooled curve: the summed counts back from each fold's rates.
    const at = image.pooled!.curves!.thresholds.indexOf(0.5);
    expect(image.pooled!.curves!.tpr![at]).toBeCloseTo(2903 / 2951, 10);
    expect(image.pooled!.curves!.fpr![at]).toBeCloseTo(244 / 12544, 10);
  });

  it("Hanley–McNeil intervals shrink with more samples and vanish at AUC 1", () => {
    expect(aucCiRadius(0.9, 50, 50)).toBeGreaterThan(aucCiRadius(0.9, 500, 500));
    expect(aucCiRadius(1, 10, 10)).toBe(0);
    expect(aucCiRadius(0.75, 0, 10)).toBeNaN();
  });

  it("groups by network, lists runs without evaluation, and keeps undefined scores undefined", () => {
    const noVal: ReportRun = {
      id: "r3",
      arch: "unet",
      encoder: "densenet121",
      fold: 2,
      roundNumber: 1,
      metrics: { format: 1, final: null },
    };
    const allNegative = run("r4", 0, { tp: 0, fn: 0, fp: 3, tn: 7 }, NaN, "dla");
    const report = buildEvaluationReport([...folds, noVal, allNegative]);
    expect(report.map((n) => n.network)).toEqual(["unet/densenet121", "dla/densenet121"]);
    expect(report[0].missing).toEqual(["fold 3"]);
    const dla = report[1].levels.image;
    expect(dla.pooled).toBeNull();
    expect(dla.rows[0].scores.sensitivity).toEqual({ value: null, ci: null });
    expect(dla.rows[0].scores.auc).toEqual({ value: null, ci: null });
    expect(dla.rows[0].scores.specificity.value).toBeCloseTo(0.7, 12);
  });

  it("exports metrics and curves as CSV", () => {
    const report = buildEvaluationReport(folds);
    const lines = metricsCsv(report).trim().split("\r\n");
    const header = lines[0].split(",");
    expect(header.slice(0, 8)).toEqual(["network", "level", "row", "n", "tp", "fp", "tn", "fn"]);
    expect(header).toContain("auc_ci95");
    expect(lines.length).toBe(1 + 2 * (2 + 1 + 2)); // two levels × (two folds, pooled, mean, sd)
    const pooled = lines.find((l) => l.startsWith("unet/densenet121,image,pooled,"))!.split(",");
    expect(pooled.slice(3, 8)).toEqual(["15495", "2903", "244", "12300", "48"]);
    expect(Number(pooled[header.indexOf("sensitivity_ci95")])).toBeCloseTo(0.0046, 4);
    const curves = curvesCsv(report).trim().split("\r\n");
    expect(curves[0]).toBe("network,level,row,threshold,tpr,fpr,precision");
    expect(curves.length).toBe(1 + 2 * 3 * 101);
  });

  it("reads a real metrics.json from the trainer", async () => {
    const tiny = await tinyModel();
    const [net] = buildEvaluationReport([
      { id: "t", arch: "unet", encoder: "tiny", fold: 0, roundNumber: 1, metrics: tiny.metrics },
    ]);
    expect(net.missing).toEqual([]);
    for (const l of ["pixel", "image"] as const) {
      const row = net.levels[l].rows[0];
      expect(row.n).toBeGreaterThan(0);
      expect(row.curves?.thresholds.length).toBe(101);
      expect(row.scores.accuracy.value).toBeGreaterThanOrEqual(0);
    }
  }, 120_000);
});

describe("evaluation report access", () => {
  it("leads and exporters read run and stage reports; MDs and outsiders do not", async () => {
    const tiny = await tinyModel();
    const fx = await makeProject({ folds: 2, stage1Archs: [{ arch: "unet", encoder: "tiny" }] });
    const p = fx.project.id;
    await addTestImages(p, 4, (i) => ({ label: "COVID", patientPseudonym: `P${i}` }));
    await selectStage1Subset(fx.lead.actor, p, { size: 4 });
    await startStage1(fx.lead.actor, p);
    await drawAllManual(p, fx.md.id);
    const { roundId, runIds } = await startStage1Training(fx.lead.actor, p);
    await db().modelRun.update({
      where: { id: runIds[0] },
      data: { status: "SUCCEEDED", metrics: tiny.metrics as object },
    });

    const r = await runReport(fx.exporter.actor, runIds[0]);
    expect(r.title).toBe("unet/tiny, fold 1 (Stage I, round 1)");
    expect(r.networks[0].levels.pixel.rows.length).toBe(1);
    const stage = await stageReport(fx.lead.actor, p, "STAGE_I", roundId);
    expect(stage.networks[0].levels.image.rows.map((x) => x.label)).toEqual(["fold 1"]); // the other run has not succeeded
    expect((await stageReport(fx.lead.actor, p, "STAGE_II")).networks).toEqual([]);
    await expect(runReport(fx.md.actor, runIds[0])).rejects.toMatchObject({ code: "FORBIDDEN" });
    const outsider = await makeProject();
    await expect(runReport(outsider.lead.actor, runIds[0])).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(stageReport(outsider.lead.actor, p, "STAGE_I")).rejects.toMatchObject({ code: "NOT_FOUND" });
  }, 120_000);
});
