import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { db } from "../../lib/db/client";
import { storeImage } from "../../lib/images/mutations";
import { decodeMaskPng } from "../../lib/masks/png-codec";
import { resizeBilinear } from "../../lib/masks/resize";
import { encodeRle, rleBbox, rleCountsToString } from "../../lib/masks/rle";
import { loadModel, predictBatchWithPresence } from "../../lib/ml/onnx-model";
import { networkInput } from "../../lib/ml/prepare-input";
import { maskInfectionMap } from "../../lib/ml/mask-infection-map";
import { hsvToRgb, jet, rgbToHsv } from "../../lib/ml/infection-map";
import { maybeOpenVoting, selectStage1Subset, startStage1, startStage1Training } from "../../lib/protocol/mutations";
import { LocalStore } from "../../lib/storage/local-store";
import { setStoreForTests, store } from "../../lib/storage/store";
import { predictHandler } from "../../workers/handlers/predict";
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

// Native sizes around the network's 64 × 64, so the job's resize back to native is exercised.
const IMAGES = [
  { id: "a", w: 64, h: 64, blob: true },
  { id: "b", w: 96, h: 80, blob: true },
  { id: "c", w: 80, h: 112, blob: true },
  { id: "d", w: 72, h: 72, blob: false },
  { id: "e", w: 128, h: 96, blob: true },
  { id: "f", w: 64, h: 64, blob: false },
];
const STEP = 1 / 255;

let model: TinyModel;
let projectId: string;
let roundId: string;
let runIds: string[];
let lead: Awaited<ReturnType<typeof makeProject>>["lead"];
let imageIdOf: Map<string, string>; // test id → Image.id
const workingPng = new Map<string, Buffer>();

async function machineMasks() {
  return db().mask.findMany({ where: { projectId, kind: "MACHINE" }, orderBy: { imageId: "asc" } });
}

/** A Stage-I project over IMAGES whose two fold runs have finished training (the tiny model). */
async function stage1Project(decoded: Awaited<ReturnType<typeof decodedFromPixels>>[]) {
  const fx = await makeProject({
    folds: 2,
    stage1Archs: [{ arch: "unet", encoder: "tiny" }],
    trainConfig: { size: TINY_SIZE, epochs: 1, batchSize: 4, lr: 0.01 },
  });
  const ids = new Map<string, string>();
  for (const [i, im] of IMAGES.entries()) {
    const r = await storeImage(fx.project.id, decoded[i], {
      originalName: `${im.id}.png`,
      label: "COVID",
      patientPseudonym: `P${i}`,
    });
    ids.set(im.id, r.id);
  }
  await selectStage1Subset(fx.lead.actor, fx.project.id, { size: IMAGES.length, seed: 3 });
  await startStage1(fx.lead.actor, fx.project.id);
  await drawAllManual(fx.project.id, fx.md.id);
  const training = await startStage1Training(fx.lead.actor, fx.project.id);
  await completeRunsWithTinyModel(fx.project.id, training.runIds, model);
  return { projectId: fx.project.id, lead: fx.lead, ...training, imageIdOf: ids };
}

let decodedImages: Awaited<ReturnType<typeof decodedFromPixels>>[];

beforeAll(async () => {
  setStoreForTests(new LocalStore(mkdtempSync(path.join(os.tmpdir(), "tandem-predict-store-"))));
  const decoded = [];
  for (const [i, im] of IMAGES.entries()) {
    const d = await decodedFromPixels(blobImage(im.w, im.h, 200 + i, im.blob).pixels, im.w, im.h);
    workingPng.set(im.id, d.workingPng);
    decoded.push(d);
  }
  decodedImages = decoded;
  model = await tinyModel(
    IMAGES.map((im) => ({ id: im.id, png: workingPng.get(im.id)! })),
    { presenceHead: true },
  );

  ({ projectId, lead, roundId, runIds, imageIdOf } = await stage1Project(decoded));
}, 300_000);

describe("prediction job", () => {
  it("stores one candidate mask per held-out image, equal to PyTorch's thresholded output", async () => {
    // Two attempts of the same job at once (a retry racing a slow worker) and the other run.
    const [first, racing, other] = await Promise.all([
      predictHandler(ctx(runIds[0])),
      predictHandler(ctx(runIds[0], "retry")),
      predictHandler(ctx(runIds[1])),
    ]);
    const heldOut = await db().modelRunImage.count({ where: { runId: { in: runIds }, trained: false } });
    expect(heldOut).toBe(IMAGES.length);
    expect((first as { predicted: number }).predicted + (other as { predicted: number }).predicted).toBe(IMAGES.length);
    expect(racing).toBeTruthy();

    const masks = await machineMasks();
    expect(masks.length).toBe(IMAGES.length);
    let compared = 0,
      positives = 0,
      worstProb = 0;
    for (const im of IMAGES) {
      const m = masks.find((x) => x.imageId === imageIdOf.get(im.id))!;
      const trained = await db().modelRunImage.findUniqueOrThrow({
        where: { runId_imageId: { runId: m.modelRunId!, imageId: m.imageId } },
      });
      expect(trained.trained).toBe(false);
      expect([m.width, m.height]).toEqual([im.w, im.h]);
      const torch = Float32Array.from(await model.torchProb(im.id), (v) => v / 255);

      // Node's probabilities (onnxruntime on the Pillow-identical input) against PyTorch's PNG.
      const session = await loadModel(model.onnx, TINY_SIZE);
      const input = await networkInput(workingPng.get(im.id)!, TINY_SIZE);
      const {
        maps: [node],
        presence,
      } = await predictBatchWithPresence(session, [input.pixels]);
      // The presence head's probability is stored with the mask, as onnxruntime computed it.
      expect(presence).not.toBeNull();
      expect(m.presence).toBeCloseTo(presence![0], 5);
      for (let i = 0; i < node.length; i++) worstProb = Math.max(worstProb, Math.abs(node[i] - torch[i]));

      // The stored 8-bit map: the same rounding as the trainer's, so at most one step apart.
      const stored = await sharp(await store().get(m.probKey!))
        .toColourspace("b-w")
        .raw()
        .toBuffer();
      for (let i = 0; i < stored.length; i++)
        expect(Math.abs(stored[i] - Math.round(torch[i] * 255))).toBeLessThanOrEqual(1);

      // The stored mask at native size against PyTorch's map resized the same way and thresholded,
      // wherever PyTorch's probability is clearly on one side of 0.5.
      const { mask } = await decodeMaskPng(await store().get(m.storageKey));
      // COCO's RLE and bbox are stored with the mask when the batch registers it, equal to a recount from the PNG.
      const rle = encodeRle(mask, im.w, im.h);
      expect(m.rleCounts).toBe(rleCountsToString(rle.counts));
      expect(m.bbox).toEqual(rleBbox(rle));
      const ref =
        im.w === TINY_SIZE && im.h === TINY_SIZE ? torch : resizeBilinear(torch, TINY_SIZE, TINY_SIZE, im.w, im.h);
      for (let i = 0; i < ref.length; i++) {
        if (Math.abs(ref[i] - 0.5) <= STEP) continue;
        compared++;
        if (ref[i] >= 0.5) positives++;
        if (mask[i] !== (ref[i] >= 0.5 ? 1 : 0))
          throw new Error(`${im.id}: pixel ${i} is ${mask[i]}, PyTorch's p = ${ref[i]}`);
      }
    }
    expect(worstProb).toBeLessThanOrEqual(STEP + 1e-6);
    const total = IMAGES.reduce((a, im) => a + im.w * im.h, 0);
    console.log(
      `compared ${compared} of ${total} pixels, ${positives} positive; worst |node - torch| = ${(worstProb * 255).toFixed(3)}/255`,
    );
    expect(compared).toBeGreaterThan(0.75 * total);
    expect(positives).toBeGreaterThan(0); // the comparison covers both classes
    expect(positives).toBeLessThan(compared);
  }, 120_000);

  it("a retried job leaves one set of candidates, and the round opens for voting", async () => {
    const before = await machineMasks();
    const candidatesBefore = await db().candidate.count({ where: { roundId } });
    for (const runId of runIds) {
      const again = (await predictHandler({ ...ctx(runId), attempt: 2 })) as { predicted: number; skipped: number };
      expect(again.predicted).toBe(0);
      expect(again.skipped).toBeGreaterThan(0);
    }
    expect((await machineMasks()).map((m) => m.id)).toEqual(before.map((m) => m.id));
    expect(await db().candidate.count({ where: { roundId } })).toBe(candidatesBefore);
    const perImage = await db().candidate.groupBy({
      by: ["imageId", "maskId"],
      where: { roundId },
      _count: { _all: true },
    });
    for (const c of perImage) expect(c._count._all).toBe(1);

    await db()
      .$executeRaw`UPDATE "Job" SET status = 'SUCCEEDED' WHERE name = 'predict' AND payload->>'runId' = ANY(${runIds}::text[])`;
    // Retries are under test here, not the quality gate (tests/integration/blind-content.test.ts):
    // the untrained tiny model would fail it.
    await db().project.update({
      where: { id: (await db().round.findUniqueOrThrow({ where: { id: roundId } })).projectId },
      data: { qualityGateF1: 0 },
    });
    expect(await maybeOpenVoting(roundId)).toBe(true);
    // Stage I: each image's machine candidate and its manual mask.
    expect(await db().candidate.count({ where: { roundId } })).toBe(2 * IMAGES.length);
  });

  it("an image that cannot be read fails alone: the others are stored, and the retry predicts only it", async () => {
    const fx = await stage1Project(decodedImages);
    const runId = fx.runIds[0];
    const heldOut = await db().modelRunImage.findMany({
      where: { runId, trained: false },
      orderBy: { imageId: "asc" },
    });
    expect(heldOut.length).toBeGreaterThan(1);
    const broken = await db().image.findUniqueOrThrow({ where: { id: heldOut[1].imageId } });
    const good = await store().get(broken.storageKey);
    await store().put(broken.storageKey, Buffer.from("not a PNG at all"));

    const failed = predictHandler(ctx(runId));
    await expect(failed).rejects.toThrow(`1 of ${heldOut.length} images could not be predicted`);
    await expect(failed).rejects.toThrow(`image ${broken.id}:`);
    const stored = await db().mask.findMany({ where: { modelRunId: runId }, select: { id: true, imageId: true } });
    expect(stored.map((m) => m.imageId).sort()).toEqual(heldOut.map((h) => h.imageId).filter((id) => id !== broken.id));
    // The round does not open for voting while an image of the run has no prediction.
    expect((await db().round.findUniqueOrThrow({ where: { id: fx.roundId } })).status).not.toBe("VOTING");

    await store().put(broken.storageKey, good);
    const retry = (await predictHandler({ ...ctx(runId), attempt: 2 })) as { predicted: number; skipped: number };
    expect(retry).toEqual({ predicted: 1, skipped: heldOut.length - 1 });
    const after = await db().mask.findMany({ where: { modelRunId: runId }, select: { id: true, imageId: true } });
    expect(after.map((m) => m.imageId).sort()).toEqual(heldOut.map((h) => h.imageId));
    for (const m of stored) expect(after.find((a) => a.imageId === m.imageId)?.id).toBe(m.id);
    const candidates = await db().candidate.groupBy({
      by: ["imageId"],
      where: { roundId: fx.roundId, maskId: { in: after.map((m) => m.id) } },
      _count: { _all: true },
    });
    expect(candidates.length).toBe(heldOut.length);
    for (const c of candidates) expect(c._count._all).toBe(1);
  }, 120_000);

  it("a store failure in the middle of a pipelined chunk sets that image aside and stores the others", async () => {
    const fx = await stage1Project(decodedImages);
    const runId = fx.runIds[0];
    const heldOut = await db().modelRunImage.findMany({
      where: { runId, trained: false },
      orderBy: { imageId: "asc" },
    });
    expect(heldOut.length).toBeGreaterThanOrEqual(3);
    const victim = heldOut[1].imageId;
    const base = store();
    // Every other call goes to the real store; writing the victim's probability map fails.
    const failing = new Proxy(base, {
      get(target, prop, receiver) {
        if (prop === "put")
          return async (k: string, body: Buffer, opts?: object) => {
            if (k.endsWith(`/prob/${victim}.png`)) throw new Error("disk full");
            return target.put(k, body, opts as never);
          };
        const v = Reflect.get(target, prop, receiver);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    process.env.PREDICT_BATCH = "1"; // one image per batch: the failure is in the middle of the pipeline
    setStoreForTests(failing);
    try {
      const failed = predictHandler(ctx(runId));
      await expect(failed).rejects.toThrow(`1 of ${heldOut.length} images could not be predicted`);
      await expect(failed).rejects.toThrow(`image ${victim}: disk full`);
    } finally {
      setStoreForTests(base);
      delete process.env.PREDICT_BATCH;
    }
    // One mask row and one candidate per stored image, none for the victim.
    const stored = await db().mask.findMany({ where: { modelRunId: runId }, select: { id: true, imageId: true } });
    expect(stored.map((m) => m.imageId).sort()).toEqual(heldOut.map((h) => h.imageId).filter((id) => id !== victim));
    const candidates = await db().candidate.findMany({
      where: { roundId: fx.roundId, maskId: { in: stored.map((m) => m.id) } },
    });
    expect(candidates.map((c) => c.imageId).sort()).toEqual(stored.map((m) => m.imageId).sort());
    for (const m of stored)
      expect(
        (await store().get((await db().mask.findUniqueOrThrow({ where: { id: m.id } })).storageKey)).length,
      ).toBeGreaterThan(0);

    const retry = (await predictHandler({ ...ctx(runId), attempt: 2 })) as { predicted: number; skipped: number };
    expect(retry).toEqual({ predicted: 1, skipped: heldOut.length - 1 });
    expect(await db().mask.count({ where: { modelRunId: runId } })).toBe(heldOut.length);
  }, 120_000);

  it("serves a stored prediction's infection map: jet hue and saturation over the CXR's value", async () => {
    const m = (await machineMasks()).find((x) => x.imageId === imageIdOf.get("b"))!;
    const view = await maskInfectionMap(lead.actor, m.id);
    expect([view.width, view.height]).toEqual([96, 80]);
    const { data, info } = await sharp(view.png).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(4);
    const gray = await sharp(workingPng.get("b")!).toColourspace("b-w").raw().toBuffer();
    const probBytes = await sharp(await store().get(m.probKey!))
      .toColourspace("b-w")
      .raw()
      .toBuffer();
    const prob = resizeBilinear(
      Float32Array.from(probBytes, (v) => v / 255),
      TINY_SIZE,
      TINY_SIZE,
      96,
      80,
    );
    for (let i = 0; i < prob.length; i++) {
      const p = Math.fround(Math.round(prob[i] * 255) / 255);
      const [h, s] = rgbToHsv(...jet(p));
      const want =
        p === 0
          ? [gray[i], gray[i], gray[i], 0]
          : [...hsvToRgb(h, s, gray[i] / 255).map((v) => Math.round(v * 255)), 255];
      expect(Array.from(data.subarray(4 * i, 4 * i + 4))).toEqual(want);
    }
    await expect(maskInfectionMap((await makeProject()).lead.actor, m.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
