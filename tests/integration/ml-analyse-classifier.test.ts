import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { db } from "../../lib/db/client";
import { analyseUpload } from "../../lib/ml/analyse-upload";
import { classifyBatch, loadClassifier } from "../../lib/ml/classifier-model";
import { pilResizeBilinear } from "../../lib/ml/pil-resize";
import { LocalStore } from "../../lib/storage/local-store";
import { setStoreForTests, store } from "../../lib/storage/store";
import type { makeProject } from "../setup/fixtures";
import {
  blobImage,
  classifierCase,
  grayPng,
  projectWithTinyRuns,
  tinyModel,
  TINY_SIZE,
  type TinyModel,
} from "../setup/tiny-model";

// One upload through a segmentation model and an image-level classifier (exported by the
// trainer): the classifier answers a probability, a call, CAM and occlusion maps, and no mask.
const W = 120,
  H = 100;
let fx: Awaited<ReturnType<typeof makeProject>>;
let segRun: string, clsRun: string;
let classifierOnnx: Buffer;
let model: TinyModel;
const cxr = blobImage(W, H, 7, true).pixels;

async function markClassifier(runId: string, onnx: Buffer) {
  const run = await db().modelRun.findUniqueOrThrow({ where: { id: runId } });
  await store().put(run.artifactKey!, onnx);
  await db().modelRun.update({
    where: { id: runId },
    data: {
      weightsSha256: `cls-${runId}-${onnx.length}`,
      metrics: { ...(run.metrics as object), task: "classify", spec: { size: TINY_SIZE } },
    },
  });
}

beforeAll(async () => {
  setStoreForTests(new LocalStore(mkdtempSync(path.join(os.tmpdir(), "tandem-analyse-cls-"))));
  const dir = mkdtempSync(path.join(os.tmpdir(), "tandem-cls-case-"));
  classifierCase("squeezenet1_1", TINY_SIZE, dir);
  classifierOnnx = readFileSync(path.join(dir, "model.onnx"));
  model = await tinyModel();
  let runIds: string[];
  ({ fx, runIds } = await projectWithTinyRuns(model));
  [segRun, clsRun] = runIds;
  await markClassifier(clsRun, classifierOnnx);
}, 300_000);

describe("analyse a CXR with a classifier", () => {
  it("shows the classifier's probability, call, CAM and occlusion map beside the infection map, and stores no mask", async () => {
    const png = await grayPng(cxr, W, H);
    const masksBefore = await db().mask.count({ where: { projectId: fx.project.id } });
    const r = await analyseUpload(
      fx.lead.actor,
      fx.project.id,
      { runIds: [segRun, clsRun], threshold: 0.5 },
      async () => png,
    );
    expect(r.models.map((m) => m.id)).toEqual([segRun]);
    expect(r.ensemble).toBeNull(); // a classifier never joins the segmentation ensemble
    expect(r.classifiers.map((c) => c.id)).toEqual([clsRun]);
    const reference = await loadClassifier(classifierOnnx, TINY_SIZE);
    const [expected] = await classifyBatch(reference, [pilResizeBilinear(cxr, W, H, TINY_SIZE, TINY_SIZE)]);
    const c = r.classifiers[0];
    expect(c.prob).toBeCloseTo(expected.prob, 6);
    expect(c.positive).toBe(expected.prob >= 0.5);
    expect(c.label).toMatch(/classifier/);
    for (const map of [c.camPng, c.occlusionPng]) {
      const meta = await sharp(map).metadata();
      expect([meta.width, meta.height, meta.channels]).toEqual([W, H, 4]);
    }
    expect(await db().mask.count({ where: { projectId: fx.project.id } })).toBe(masksBefore);
  });

  it("refuses a run marked as a classifier whose model is a segmentation network", async () => {
    await markClassifier(segRun, model.onnx as Buffer);
    const png = await grayPng(cxr, W, H);
    await expect(
      analyseUpload(fx.lead.actor, fx.project.id, { runIds: [segRun], threshold: 0.5 }, async () => png),
    ).rejects.toThrow(/is not a classifier.*segmentation model/);
  });
});
