import { describe, expect, it } from "vitest";
import {
  combinedReport,
  controlSpecificity,
  evaluateClassifier,
  type ImageScore,
} from "../../../lib/ml/classification-evaluation";

const images: ImageScore[] = [0.9, 0.8, 0.7, 0.3, 0.6, 0.2, 0.1, 0.05].map((prob, i) => ({
  id: `i${i}`,
  label: i < 4 ? 1 : 0,
  prob,
}));

describe("evaluateClassifier (Deep-COVID's threshold table)", () => {
  it("AUC, confusion at each threshold and the paper's interval", () => {
    const ev = evaluateClassifier(images, { resamples: 200 });
    expect(ev.rocAuc.value).toBeCloseTo(15 / 16, 10);
    const row = ev.table.find((r) => r.threshold === 0.5)!;
    expect(row.confusion).toEqual({ tp: 3, fp: 1, tn: 3, fn: 1 });
    expect(row.sensitivity.value).toBe(0.75);
    expect(row.sensitivity.paper![0]).toBeCloseTo(0.75 - 1.96 * Math.sqrt((0.75 * 0.25) / 4), 10);
    expect(row.sensitivity.paper![1]).toBe(1);
    const [lo, hi] = ev.rocAuc.boot!;
    expect(lo).toBeLessThanOrEqual(15 / 16);
    expect(hi).toBeLessThanOrEqual(1);
    expect(ev.table.find((r) => r.threshold === 0.9)!.confusion).toEqual({ tp: 1, fp: 0, tn: 4, fn: 3 }); // 0.9 ≥ 0.9
  });

  it("refuses a set without both classes", () => {
    expect(() => evaluateClassifier(images.filter((i) => i.label === 1))).toThrow(
      /needs COVID-19 and control images; got 4 COVID-19 and 0 control/,
    );
  });

  it("specificity on one control class", () => {
    const grouped = images.map((i, n) => ({ ...i, group: i.label ? "COVID-19" : n % 2 ? "Normal" : "Non-COVID" }));
    const s = controlSpecificity(grouped, "Non-COVID");
    expect([s.n, s.value]).toEqual([2, 0.5]); // 0.6 is called positive, 0.1 is not
  });

  it("puts rules and classifiers side by side on the images they share", () => {
    const rule = images.map((i) => ({ id: i.id, label: i.label, positive: i.prob > 0.25 }));
    const report = combinedReport([
      { name: "U-Net any-pixel", kind: "rule", images: [...rule, { id: "extra", label: 1, positive: true }] },
      { name: "ResNet-18", kind: "classifier", images },
    ]);
    expect(report.images).toBe(8);
    expect(report.rows[0].confusion).toEqual({ tp: 4, fp: 1, tn: 3, fn: 0 });
    expect(report.rows[1].rocAuc!.value).toBeCloseTo(15 / 16, 10);
  });
});
