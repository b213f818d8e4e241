import * as ort from "onnxruntime-node";
import { AppError } from "../errors/app-error";
import { sessionOptions } from "./onnx-model";

// Tandem's exported classifiers take N×1×S×S grayscale in [0,1] ("image") and return
// "prob" (N: P(COVID-19)) and "cam" (N×h×w: the raw COVID-19 class activation map at the last
// feature map's resolution). For their pooling + linear head CAM equals Grad-CAM up to a
// positive factor (the trainer's tests check this against autograd).

export const CLASSIFIER_OUTPUTS = ["prob", "cam"] as const;

export type ClassifierModel = { session: ort.InferenceSession; size: number };
export type Classification = { prob: number; cam: Float32Array; camWidth: number; camHeight: number };

/** Refuses a segmentation model (output "prob" N×1×S×S, no "cam") with a message saying so. */
export function checkClassifierOutputs(outputNames: readonly string[], what = "this model"): void {
  const missing = CLASSIFIER_OUTPUTS.filter((n) => !outputNames.includes(n));
  if (missing.length) {
    throw new AppError(
      "BAD_REQUEST",
      `${what} is not a classifier: its ONNX outputs are [${outputNames.join(", ")}], a Tandem classifier returns [prob, cam]` +
        (outputNames.includes("prob") && !outputNames.includes("cam") ? " (this looks like a segmentation model)" : ""),
    );
  }
}

export async function loadClassifier(bytes: Uint8Array, size: number, what?: string): Promise<ClassifierModel> {
  const session = await ort.InferenceSession.create(bytes, sessionOptions());
  checkClassifierOutputs(session.outputNames, what);
  return { session, size };
}

/** size×size 8-bit images → P(COVID-19) and the raw CAM per image (one session run per call). */
export async function classifyBatch(model: ClassifierModel, images: readonly Uint8Array[]): Promise<Classification[]> {
  const { size } = model;
  const n = images.length;
  if (!n) return [];
  const input = new Float32Array(n * size * size);
  images.forEach((img, b) => {
    if (img.length !== size * size)
      throw new AppError("BAD_REQUEST", `classifier input must be ${size}×${size}, got ${img.length} pixels`);
    const off = b * size * size;
    for (let i = 0; i < img.length; i++) input[off + i] = img[i] / 255;
  });
  const out = await model.session.run({ image: new ort.Tensor("float32", input, [n, 1, size, size]) });
  const prob = out.prob.data as Float32Array;
  const cam = out.cam.data as Float32Array;
  const [, camHeight, camWidth] = out.cam.dims.map(Number);
  const per = camHeight * camWidth;
  return images.map((_, b) => ({ prob: prob[b], cam: cam.slice(b * per, (b + 1) * per), camWidth, camHeight }));
}
