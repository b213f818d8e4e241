import { describe, expect, it } from "vitest";
import { camAgreementSummary, pickExamples, pooledOof } from "../../../lib/ml/classifier-oof";
import { classifierFolds } from "../../../lib/protocol/classifier-folds";

const run = (id: string, rows: unknown[], status = "SUCCEEDED") => ({ id, status, metrics: { val_per_image: rows } });

describe("a classifier's folds pooled out-of-fold", () => {
  it("keeps each held-out image once with the run that scored it, complete only when every fold has", () => {
    const a = run("r1", [
      { id: "x", label: "covid", prob: 0.9, agreement: { energy_inside: 0.5, pointing: 1, mask_fraction: 0.2 } },
      { id: "y", label: "control", prob: 0.7, agreement: null },
    ]);
    const b = run("r2", [
      { id: "z", label: "covid", prob: 0.2, agreement: { energy_inside: 0.1, pointing: 0, mask_fraction: 0.2 } },
    ]);
    const pending = pooledOof([a, { ...b, status: "RUNNING" }]);
    expect(pending).toMatchObject({ complete: false, done: 1 });
    expect(pending.images.map((i) => i.id)).toEqual(["x", "y"]);
    const all = pooledOof([a, b]);
    expect(all.complete).toBe(true);
    expect(all.images.map((i) => [i.id, i.label, i.runId])).toEqual([
      ["x", 1, "r1"],
      ["y", 0, "r1"],
      ["z", 1, "r2"],
    ]);
    expect(camAgreementSummary(all.images)).toEqual({ n: 2, energyInside: 0.3, pointing: 0.5, maskFraction: 0.2 });
    expect(pickExamples(all.images, 2).map((e) => [e.id, e.kind])).toEqual([
      ["x", "true positive"],
      ["y", "false positive"],
      ["z", "false negative"],
    ]);
  });
});

describe("classifier folds", () => {
  const images = (covid: number, control: number) => [
    ...Array.from({ length: covid }, (_, i) => ({ id: `c${i}`, patient: null, label: "COVID" as const })),
    ...Array.from({ length: control }, (_, i) => ({ id: `n${i}`, patient: null, label: "CONTROL" as const })),
  ];
  it("assigns every image a fold when each fold holds two of each class", () => {
    const r = classifierFolds(images(6, 4), 2, 0);
    expect(r.problem).toBeNull();
    expect(new Set(r.folds!.values())).toEqual(new Set([0, 1]));
    expect(r.folds!.size).toBe(10);
  });
  it("says which class is missing, and which fold is short", () => {
    expect(classifierFolds(images(0, 4), 2, 0).problem).toMatch(
      /0 image\(s\) labelled COVID-19 and 4 labelled control, so it has no COVID-19 images/,
    );
    expect(classifierFolds(images(0, 0), 2, 0).problem).toMatch(/no COVID-19 and control images/);
    expect(classifierFolds(images(6, 3), 2, 0).problem).toMatch(
      /^Too few images per fold: with 2 folds, fold 2 holds 3 COVID-19 and 1 control images/,
    );
  });
});
