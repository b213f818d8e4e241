// Labels people read: ids told apart by their random tail, folds numbered from 1 everywhere.
import { describe, expect, it } from "vitest";
import { uuidv7 } from "@/lib/db/uuid";
import { imageLabel, shortId, shortIds } from "@/lib/labels/short-id";
import { foldLabel, foldNumber } from "@/lib/ml/fold";
import { modelLabel } from "@/lib/ml/model-label";
import { modelCard, modelFolder } from "@/lib/exports/model-card";
import { metadataHeader, metadataRow } from "@/lib/exports/metadata-csv";
import type { ExportItem, ExportModel } from "@/lib/exports/types";

describe("short ids", () => {
  it("tell apart ids made in the same instant (their heads are the same timestamp)", () => {
    const ids = Array.from({ length: 2000 }, () => uuidv7());
    // The old label, the first 8 characters, collides for rows made close together.
    expect(new Set(ids.map((i) => i.slice(0, 8))).size).toBeLessThan(50);
    const tails = shortIds(ids);
    expect(new Set(tails.values()).size).toBe(ids.length);
    for (const t of tails.values()) expect(t.length).toBeGreaterThanOrEqual(8);
    expect(imageLabel(ids[0], tails.get(ids[0]))).toBe(`image ${tails.get(ids[0])}`);
  });

  it("lengthen the tail only as far as a list needs", () => {
    const a = "0190a000-0000-7000-8000-0000aaaabbbb";
    const b = "0190a000-0000-7000-8000-0001aaaabbbb";
    expect(shortId(a)).toBe("aaaabbbb");
    const tails = shortIds([a, b, a]);
    expect(tails.size).toBe(2);
    expect(tails.get(a)).not.toBe(tails.get(b));
    expect(tails.get(a)).toBe("0aaaabbbb");
  });
});

const model: ExportModel = {
  runId: uuidv7(),
  roundNumber: 1,
  stage: "STAGE_I",
  arch: "unet",
  encoder: "densenet121",
  fold: 0,
  config: {},
  metrics: {},
  artifactKey: "k",
  weightsSha256: null,
  paramCount: 1,
  trainedCount: 4,
  heldOutCount: 1,
  trainingSetSha256: "0".repeat(64),
};

describe("fold numbering", () => {
  it("is defined once: stored 0 is shown 1", () => {
    expect(foldNumber(0)).toBe(1);
    expect(foldNumber(null)).toBeNull();
    expect(foldLabel(4)).toBe("fold 5");
    expect(foldLabel(null, "all")).toBe("all");
  });

  it("menus, model cards, archive folders and the metadata CSV all count from 1", () => {
    expect(modelLabel({ arch: "unet", encoder: "densenet121", fold: 0, round: { number: 1, stage: "STAGE_I" } })).toBe(
      "unet/densenet121 fold 1 · Stage I round 1",
    );
    expect(modelFolder(model)).toBe("r1-unet-densenet121-fold1");
    const card = modelCard(model);
    expect(card).toContain("# Model card: unet / densenet121, fold 1");
    expect(card).toMatch(/\| Fold \| 1 \|/);
    const item = {
      imageId: uuidv7(),
      width: 4,
      height: 4,
      sourceFormat: "PNG",
      imageKey: "i",
      originalKey: "o",
      patient: "p",
      label: "COVID",
      source: null,
      view: null,
      split: "TRAIN",
      fold: 2,
      groundTruthId: uuidv7(),
      mask: null,
      stage: "STAGE_I",
      round: 1,
      decision: "CONSENSUS",
      sourceKind: "MACHINE",
      model: { arch: "unet", encoder: "densenet121", fold: 0, weightsSha256: null },
      votes: 3,
      agreeing: 2,
      acceptedAt: new Date(0),
    } satisfies ExportItem;
    const header = metadataHeader().trim().split(",");
    const row = metadataRow("a", item, { split: "TRAIN", splitSource: "recorded", fold: 2 } as never, false)
      .trim()
      .split(",");
    expect(row[header.indexOf("fold")]).toBe("3");
    expect(row[header.indexOf("model")]).toBe("unet/densenet121/fold1");
  });
});
