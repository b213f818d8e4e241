import { describe, expect, it, beforeAll } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { camMap, mapAgreement, occlusionMap } from "../../../lib/ml/activation-maps";
import { classifyBatch, loadClassifier, type ClassifierModel } from "../../../lib/ml/classifier-model";
import { infectionMapView } from "../../../lib/ml/infection-map-view";

// A classifier exported by the trainer (tools/classifier_case.py: a bright square raises
// P(COVID-19)), run by onnxruntime-node: outputs against PyTorch, CAM, occlusion, refusal.
const SIZE = 64;
const python = process.env.PYTHON ?? "/usr/bin/python3";

function trainerTool(args: string[]): string {
  const out = mkdtempSync(path.join(os.tmpdir(), "tandem-cls-"));
  const r = spawnSync(python, ["-m", ...args, out], { cwd: path.resolve("workers/trainer"), encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return out;
}

function f32(file: string): Float32Array {
  const b = readFileSync(file);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}

let dir: string;
let model: ClassifierModel;
let images: Uint8Array[];

beforeAll(async () => {
  dir = trainerTool(["tools.classifier_case", "squeezenet1_1", String(SIZE)]);
  model = await loadClassifier(readFileSync(path.join(dir, "model.onnx")), SIZE);
  const input = f32(path.join(dir, "input.f32"));
  images = [0, 1].map((b) =>
    Uint8Array.from(input.subarray(b * SIZE * SIZE, (b + 1) * SIZE * SIZE), (v) => Math.round(v * 255)),
  );
}, 180_000);

describe("classifier in onnxruntime-node", () => {
  it("returns PyTorch's probability and CAM for the same input (max |diff| ≤ 1e-4)", async () => {
    const expected = JSON.parse(readFileSync(path.join(dir, "expected.json"), "utf8"));
    const input = f32(path.join(dir, "input.f32"));
    // The float input itself (the worker-thread model takes 8-bit images): a session of its own.
    const ort = await import("onnxruntime-node");
    const session = await ort.InferenceSession.create(readFileSync(path.join(dir, "model.onnx")));
    const out = await session.run({ image: new ort.Tensor("float32", input, [2, 1, SIZE, SIZE]) });
    const prob = out.prob.data as Float32Array,
      cam = out.cam.data as Float32Array;
    expect(Array.from(out.cam.dims)).toEqual(expected.cam_shape);
    for (let i = 0; i < 2; i++) expect(Math.abs(prob[i] - expected.prob[i])).toBeLessThanOrEqual(1e-4);
    let worst = 0;
    for (let i = 0; i < cam.length; i++) worst = Math.max(worst, Math.abs(cam[i] - expected.cam[i]));
    expect(worst).toBeLessThanOrEqual(1e-4);
  });

  it("CAM map is in [0, 1] with its maximum 1, at the input size", async () => {
    const [c] = await classifyBatch(model, [images[0]]);
    expect(c.prob).toBeGreaterThan(0.9);
    const map = camMap(c.cam, c.camWidth, c.camHeight, SIZE);
    expect(map.prob.length).toBe(SIZE * SIZE);
    const max = Math.max(...Array.from(map.prob));
    expect(max).toBeGreaterThan(0.95); // the 3×3 map's maximum, bilinearly resized
    expect(max).toBeLessThanOrEqual(1);
    expect(Math.min(...Array.from(map.prob))).toBeGreaterThanOrEqual(0);
  });

  it("occlusion map: batched runs equal one-at-a-time runs, and hiding the bright square lowers P(COVID-19)", async () => {
    const opts = { patch: 16, stride: 8, fill: 51 };
    const batched = await occlusionMap(model, images[0], { ...opts, batch: 7 });
    const single = await occlusionMap(model, images[0], { ...opts, batch: 1 });
    expect(batched.runs).toBe(1 + 7 * 7);
    let worst = 0;
    for (let i = 0; i < batched.prob.length; i++) worst = Math.max(worst, Math.abs(batched.prob[i] - single.prob[i]));
    expect(worst).toBeLessThanOrEqual(1e-5);
    const square = new Uint8Array(SIZE * SIZE);
    for (let y = SIZE / 4; y < SIZE / 2; y++) square.fill(1, y * SIZE + SIZE / 4, y * SIZE + SIZE / 2);
    const agreement = mapAgreement(batched.prob, square)!;
    expect(agreement.maskFraction).toBeCloseTo(1 / 16, 5);
    expect(agreement.energyInside).toBeGreaterThan(0.3); // ≥ 5× the square's share of the image
    expect(agreement.pointing).toBe(true);
  });

  it("both maps render with the infection map's colour map (RGBA PNG at the CXR's size)", async () => {
    const [c] = await classifyBatch(model, [images[0]]);
    for (const map of [
      camMap(c.cam, c.camWidth, c.camHeight, SIZE),
      await occlusionMap(model, images[0], { patch: 16, stride: 16 }),
    ]) {
      const view = await infectionMapView({ pixels: images[0], width: SIZE, height: SIZE }, map, 1024);
      expect(view.png.subarray(1, 4).toString()).toBe("PNG");
      expect([view.width, view.height]).toEqual([SIZE, SIZE]);
    }
  });

  it("refuses a segmentation model with a message naming the difference", async () => {
    const seg = trainerTool(["tools.parity_case", "unet", "tiny", String(SIZE)]);
    await expect(loadClassifier(readFileSync(path.join(seg, "model.onnx")), SIZE, "run abc")).rejects.toThrow(
      /run abc is not a classifier.*\[prob(, presence)?\].*segmentation model/,
    );
  }, 120_000);
});

describe("mapAgreement", () => {
  it("share of map energy inside the mask and the pointing game; null without a mask", () => {
    const map = [3, 0, 0, 1],
      mask = [1, 0, 0, 0];
    expect(mapAgreement(map, mask)).toEqual({ energyInside: 0.75, pointing: true, maskFraction: 0.25 });
    expect(mapAgreement([0, 0, 0, 5], mask)!.pointing).toBe(false);
    expect(mapAgreement(map, [0, 0, 0, 0])).toBeNull();
  });
});
