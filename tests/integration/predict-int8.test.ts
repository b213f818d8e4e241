import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { db } from "../../lib/db/client";
import { storeImage } from "../../lib/images/mutations";
import { decodeMaskPng } from "../../lib/masks/png-codec";
import { loadModel, predictBatch } from "../../lib/ml/onnx-model";
import { networkInput } from "../../lib/ml/prepare-input";
import { setInferencePrecision } from "../../lib/projects/mutations";
import { selectStage1Subset, startStage1, startStage1Training } from "../../lib/protocol/mutations";
import { LocalStore } from "../../lib/storage/local-store";
import { setStoreForTests, store } from "../../lib/storage/store";
import { predictHandler } from "../../workers/handlers/predict";
import { int8InfoSchema } from "../../workers/int8-model";
import { makeProject } from "../setup/fixtures";
import { drawAllManual } from "../setup/protocol";
import { decodedFromPixels } from "../setup/synthetic-images";
import {
  blobImage,
  completeRunsWithTinyModel,
  predictJobContext as ctx,
  tinyModel,
  TINY_SIZE,
  type TinyModel,
} from "../setup/tiny-model";

// A project that opted into int8 predicts with each run's quantised model: made once from the
// float model (calibrated on the run's training images), stored with its measured agreement,
// and the candidate masks are that model's output.

const N = 6;
let model: TinyModel;
let decoded: Awaited<ReturnType<typeof decodedFromPixels>>[];

async function trainedProject(inferencePrecision: "INT8" | "FLOAT32") {
  const fx = await makeProject({
    folds: 2,
    stage1Archs: [{ arch: "unet", encoder: "tiny" }],
    trainConfig: { size: TINY_SIZE, epochs: 1, batchSize: 4, lr: 0.01 },
    inferencePrecision,
  });
  for (let i = 0; i < N; i++)
    await storeImage(fx.project.id, decoded[i], {
      originalName: `i${i}.png`,
      label: "COVID",
      patientPseudonym: `P${i}`,
    });
  await selectStage1Subset(fx.lead.actor, fx.project.id, { size: N, seed: 3 });
  await startStage1(fx.lead.actor, fx.project.id);
  await drawAllManual(fx.project.id, fx.md.id);
  const training = await startStage1Training(fx.lead.actor, fx.project.id);
  await completeRunsWithTinyModel(fx.project.id, training.runIds, model);
  return { projectId: fx.project.id, runIds: training.runIds };
}

beforeAll(async () => {
  setStoreForTests(new LocalStore(mkdtempSync(path.join(os.tmpdir(), "tandem-int8-store-"))));
  decoded = [];
  for (let i = 0; i < N; i++) decoded.push(await decodedFromPixels(blobImage(64, 64, 300 + i, i !== 2).pixels, 64, 64));
  model = await tinyModel(decoded.map((d, i) => ({ id: `i${i}`, png: d.workingPng })));
}, 300_000);

describe("int8 inference (opt-in per project)", () => {
  it("quantises each run once, records its agreement, and predicts the candidates with the int8 model", async () => {
    const { projectId, runIds } = await trainedProject("INT8");
    for (const runId of runIds) await predictHandler(ctx(runId));
    const runs = await db().modelRun.findMany({ where: { id: { in: runIds } } });
    for (const run of runs) {
      const info = int8InfoSchema.parse(run.int8);
      const int8Bytes = await store().get(info.artifactKey);
      expect(int8Bytes.length).toBeLessThan((await store().get(run.artifactKey!)).length);
      const agreement = info.agreement as { images: number; pixelAgreement: number; maxProbabilityDifference: number };
      expect(agreement.images).toBeGreaterThan(0);
      // The one-epoch tiny model's probabilities sit near 0.5, where masks flip easily, so the
      // check is on probabilities: 0.18 here, 0.43 with the saturating weights of an earlier version.
      expect(agreement.maxProbabilityDifference).toBeLessThan(0.3);
      expect(agreement.pixelAgreement).toBeGreaterThan(0.5);
      expect(info.calibrationImages).toBeGreaterThan(0);
      // The trainer's summary reaches the run: how many convolutions nearest the input stayed float.
      expect(info.keptFloat).toBeGreaterThan(0);

      // The stored candidate is the int8 model's mask (64² images: no resize back to native).
      const int8 = await loadModel(int8Bytes, TINY_SIZE);
      const masks = await db().mask.findMany({ where: { modelRunId: run.id } });
      expect(masks.length).toBeGreaterThan(0);
      for (const m of masks) {
        const img = await db().image.findUniqueOrThrow({ where: { id: m.imageId } });
        const [p] = await predictBatch(int8, [
          (await networkInput(await store().get(img.storageKey), TINY_SIZE)).pixels,
        ]);
        const { mask } = await decodeMaskPng(await store().get(m.storageKey));
        let differ = 0;
        for (let i = 0; i < p.length; i++)
          if (Math.abs(p[i] - 0.5) > 1 / 255 && mask[i] !== (p[i] >= 0.5 ? 1 : 0)) differ++;
        expect(differ).toBe(0);
      }
      await int8.session.release();
    }

    // A retry (or a later chunk) reuses the stored int8 model instead of quantising again.
    const before = await db().modelRun.findUniqueOrThrow({ where: { id: runIds[0] } });
    await predictHandler({ ...ctx(runIds[0]), attempt: 2 });
    const after = await db().modelRun.findUniqueOrThrow({ where: { id: runIds[0] } });
    expect(after.int8).toEqual(before.int8);
    expect(await db().project.findUniqueOrThrow({ where: { id: projectId } })).toMatchObject({
      inferencePrecision: "INT8",
    });
  }, 240_000);

  it("a float32 project (the default) never makes an int8 model", async () => {
    const { runIds } = await trainedProject("FLOAT32");
    await predictHandler(ctx(runIds[0]));
    const run = await db().modelRun.findUniqueOrThrow({ where: { id: runIds[0] } });
    expect(run.int8).toBeNull();
    expect(await db().mask.count({ where: { modelRunId: run.id } })).toBeGreaterThan(0);
  }, 240_000);

  it("the lead switches precision (audited); an MD may not, and an unknown precision is refused by name", async () => {
    const fx = await makeProject();
    await expect(setInferencePrecision(fx.md.actor, fx.project.id, { precision: "INT8" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(setInferencePrecision(fx.lead.actor, fx.project.id, { precision: "int4" as never })).rejects.toThrow(
      /precision/,
    );
    expect(await setInferencePrecision(fx.lead.actor, fx.project.id, { precision: "INT8" })).toEqual({
      precision: "INT8",
      changed: true,
    });
    expect(await setInferencePrecision(fx.lead.actor, fx.project.id, { precision: "INT8" })).toMatchObject({
      changed: false,
    });
    const audit = await db().auditLog.findMany({
      where: { projectId: fx.project.id, action: "project.inference_precision" },
    });
    expect(audit.map((a) => a.after)).toEqual([{ precision: "INT8" }]);
    expect((await db().project.findUniqueOrThrow({ where: { id: fx.project.id } })).inferencePrecision).toBe("INT8");
  });
});
