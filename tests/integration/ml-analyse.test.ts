import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { db } from "../../lib/db/client";
import { analyseUpload } from "../../lib/ml/analyse-upload";
import { ensembleMean } from "../../lib/ml/detection";
import { loadModel, predictBatch, predictBatchWithPresence } from "../../lib/ml/onnx-model";
import { pilResizeBilinear } from "../../lib/ml/pil-resize";
import { LocalStore } from "../../lib/storage/local-store";
import { setStoreForTests } from "../../lib/storage/store";
import { makeProject } from "../setup/fixtures";
import { blobImage, grayPng, projectWithTinyRuns, tinyModel, TINY_SIZE, type TinyModel } from "../setup/tiny-model";
import { buildDicom, imageModule, nativePixels } from "../unit/images/helpers/dicom-builder";

const W = 120,
  H = 100;
let fx: Awaited<ReturnType<typeof makeProject>>;
let runIds: string[];
let model: TinyModel;
let storageDir: string;
const cxr = blobImage(W, H, 7, true).pixels;

const files = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce(
    (n, e) => n + (e.isDirectory() ? files(path.join(dir, e.name)) : 1),
    0,
  );

/** What the model gives for the CXR at the network's size, computed here independently. */
async function reference(pixels = cxr): Promise<Float32Array> {
  const session = await loadModel(model.onnx, TINY_SIZE);
  return (await predictBatch(session, [pilResizeBilinear(pixels, W, H, TINY_SIZE, TINY_SIZE)]))[0];
}

beforeAll(async () => {
  storageDir = mkdtempSync(path.join(os.tmpdir(), "tandem-analyse-store-"));
  setStoreForTests(new LocalStore(storageDir));
  model = await tinyModel([], { presenceHead: true });
  ({ fx, runIds } = await projectWithTinyRuns(model));
}, 300_000);

describe("analyse a CXR", () => {
  it("detects per model and for the ensemble, returns infection maps, and stores nothing but an audit line", async () => {
    const png = await grayPng(cxr, W, H);
    const filesBefore = files(storageDir);
    const rowsBefore = await Promise.all([
      db().image.count({ where: { projectId: fx.project.id } }),
      db().mask.count({ where: { projectId: fx.project.id } }),
      db().auditLog.count({ where: { action: "cxr.analyse", projectId: fx.project.id } }),
    ]);

    const r = await analyseUpload(fx.lead.actor, fx.project.id, { runIds, threshold: 0.5 }, async () => png);
    const prob = await reference();
    // The presence head's probability, as onnxruntime gives it for the same input, beside the map.
    const session = await loadModel(model.onnx, TINY_SIZE);
    const { presence } = await predictBatchWithPresence(session, [pilResizeBilinear(cxr, W, H, TINY_SIZE, TINY_SIZE)]);
    let max = 0;
    for (const p of prob) max = Math.max(max, p);
    expect([r.width, r.height, r.displayWidth, r.displayHeight]).toEqual([W, H, W, H]);
    expect(r.models.map((m) => m.id)).toEqual(runIds);
    for (const m of r.models) {
      expect(m.detection.score).toBeCloseTo(max, 6);
      expect(m.detection.positive).toBe(max >= 0.5);
      expect(m.detection.presence).toBeCloseTo(presence![0], 5);
      const meta = await sharp(m.mapPng).metadata();
      expect([meta.width, meta.height, meta.channels]).toEqual([W, H, 4]);
    }
    // Two copies of one model: the mean map is the model's map.
    expect(r.ensemble!.detection.score).toBeCloseTo(Math.max(...ensembleMean([prob, prob])), 6);
    expect(r.ensemble!.detection.positive).toBe(max >= 0.5);

    expect(files(storageDir)).toBe(filesBefore);
    const rowsAfter = await Promise.all([
      db().image.count({ where: { projectId: fx.project.id } }),
      db().mask.count({ where: { projectId: fx.project.id } }),
      db().auditLog.count({ where: { action: "cxr.analyse", projectId: fx.project.id } }),
    ]);
    expect(rowsAfter).toEqual([rowsBefore[0], rowsBefore[1], rowsBefore[2] + 1]);
    const audit = await db().auditLog.findFirstOrThrow({
      where: { action: "cxr.analyse", projectId: fx.project.id },
      orderBy: { at: "desc" },
    });
    expect(audit.after).toEqual({ runIds, threshold: 0.5, format: "PNG" });
  });

  it("takes the threshold from the caller", async () => {
    const png = await grayPng(cxr, W, H);
    const score = (
      await analyseUpload(fx.lead.actor, fx.project.id, { runIds: [runIds[0]], threshold: 0.5 }, async () => png)
    ).models[0].detection.score;
    const above = await analyseUpload(
      fx.lead.actor,
      fx.project.id,
      { runIds: [runIds[0]], threshold: Math.min(1, score + 0.01) },
      async () => png,
    );
    expect(above.models[0].detection.positive).toBe(false);
    const below = await analyseUpload(
      fx.lead.actor,
      fx.project.id,
      { runIds: [runIds[0]], threshold: score - 0.01 },
      async () => png,
    );
    expect(below.models[0].detection.positive).toBe(true);
    expect(below.ensemble).toBeNull();
  });

  it("reads DICOM uploads like the same pixels in a PNG", async () => {
    // Spanning 0–255, so the min–max rendering of a DICOM without a VOI window is the identity.
    const pixels = cxr.slice();
    pixels[0] = 0;
    pixels[1] = 255;
    const dicom = buildDicom(
      {
        ...imageModule({ rows: H, columns: W, bitsAllocated: 8 }),
        "00100010": { vr: "PN", Value: [{ Alphabetic: "Doe^Jane" }] },
      },
      { pixelData: nativePixels(pixels, 8) },
    );
    const r = await analyseUpload(
      fx.exporter.actor,
      fx.project.id,
      { runIds: [runIds[0]], threshold: 0.5 },
      async () => dicom,
    );
    const prob = await reference(pixels);
    expect(r.models[0].detection.score).toBeCloseTo(Math.max(...prob), 6);
    const audit = await db().auditLog.findFirstOrThrow({
      where: { action: "cxr.analyse", projectId: fx.project.id },
      orderBy: { at: "desc" },
    });
    expect(JSON.stringify(audit.after)).not.toMatch(/Doe|Jane/);
  });

  it("checks the role and the models before reading the upload", async () => {
    let read = false;
    const upload = async () => {
      read = true;
      return Buffer.from("x");
    };
    await expect(analyseUpload(fx.md.actor, fx.project.id, { runIds, threshold: 0.5 }, upload)).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const outsider = await makeProject();
    await expect(
      analyseUpload(outsider.lead.actor, fx.project.id, { runIds, threshold: 0.5 }, upload),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    // Another project's run is not a model of this one.
    await expect(
      analyseUpload(outsider.lead.actor, outsider.project.id, { runIds, threshold: 0.5 }, upload),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(read).toBe(false);
    await expect(analyseUpload(fx.lead.actor, fx.project.id, { runIds, threshold: 0.5 }, upload)).rejects.toMatchObject(
      { code: "UNSUPPORTED" },
    );
  });
});
