import { describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { syntheticImages } from "../../cli/simulation/sources";
import { runSimulation } from "../../cli/simulation/run-simulation";
import { formatReport } from "../../cli/simulation/report";

// Time costs use the time model's expected values (no random jitter) on both sides of the comparison.
// The whole protocol headless with the real trainer on a tiny config: does the collaboration
// give masks at least as good as drawing everything by hand, for less MD time?
describe("protocol simulation", () => {
  it("completes, every image holds one accepted mask with provenance, and it beats manual-only on quality and MD time", async () => {
    const images = await syntheticImages({ count: 48, covidFraction: 0.85, width: 128, seed: 3, infectionBoost: 45 });
    const report = await runSimulation({
      images,
      s1Size: 20,
      folds: 3,
      stage1Archs: [{ arch: "unet", encoder: "tiny" }, { arch: "dla", encoder: "tiny" }],
      stage2Networks: [{ arch: "unet", encoder: "tiny" }, { arch: "dla", encoder: "tiny" }, { arch: "unetpp", encoder: "tiny" }],
      train: { size: 64, epochs: 30, batchSize: 8, lr: 3e-3, width: 8 },
      maxStage2Rounds: 3,
      // MDs accept a machine mask only when it looks about as good as their own drawing.
      acceptDice: 0.85,
      seed: 3,
      log: () => undefined,
    });
    console.log(formatReport(report));
    expect(report.complete).toBe(true);
    expect(report.images).toBe(48);
    const project = { id: report.projectId };
    const images24 = await db().image.findMany({ where: { projectId: project.id }, select: { id: true } });
    expect(images24.length).toBe(48);
    for (const img of images24) {
      expect(await db().groundTruth.count({ where: { imageId: img.id, isCurrent: true } })).toBe(1);
    }
    const machine = await db().groundTruth.findMany({ where: { projectId: project.id, isCurrent: true, sourceKind: "MACHINE" } });
    for (const g of machine) {
      // The accepted mask is the style-normalised rendering; provenance leads to the original.
      const shown = await db().mask.findUniqueOrThrow({ where: { id: g.maskId! } });
      const mask = await db().mask.findUniqueOrThrow({ where: { id: shown.normalisedFromId ?? shown.id }, include: { modelRun: true } });
      expect(mask.modelRun?.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
      const trained = await db().modelRunImage.findUnique({ where: { runId_imageId: { runId: mask.modelRunId!, imageId: g.imageId } } });
      expect(trained?.trained ?? false).toBe(false);
      expect(await db().vote.count({ where: { imageId: g.imageId, roundId: g.roundId! } })).toBeGreaterThan(0);
    }
    expect(report.accepted.meanDice).toBeGreaterThanOrEqual(report.manualOnly.meanDice);
    expect(report.mdSeconds.perAcceptedMask).toBeLessThan(report.mdSeconds.manualOnlyPerMask);
  }, 900_000);
});
