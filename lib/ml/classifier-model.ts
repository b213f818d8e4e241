import { AppError } from "../errors/app-error";
import { ThreadedModel } from "./threaded-model";

// Tandem's exported classifiers take N×1×S×S grayscale in [0,1] ("image") and return
// "prob" (N: P(COVID-19)) and "cam" (N×h×w: the raw COVID-19 class activation map at the last
// feature map's resolution). For their pooling + linear head CAM equals Grad-CAM up to a
// positive factor (the trainer's tests check this against autograd).

export const CLASSIFIER_OUTPUTS = ["prob", "cam"] as const;

/**
 * A classifier session on its own worker thread (inference-worker.mjs): onnxruntime-node's
 * run blocks the thread that calls it, and an occlusion sweep is about 150 runs, so the web
 * server's event loop stays free while it computes.
 */
export type ClassifierModel = { thread: ThreadedModel; size: number };
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
  const thread = await ThreadedModel.load(bytes, size);
  try {
    checkClassifierOutputs(thread.outputNames, what);
  } catch (e) {
    await thread.close();
    throw e;
  }
  return { thread, size };
}

/** size×size 8-bit images → P(COVID-19) and the raw CAM per image (one session run per call). */
export async function classifyBatch(model: ClassifierModel, images: readonly Uint8Array[]): Promise<Classification[]> {
  const { size } = model;
  const n = images.length;
  if (!n) return [];
  for (const img of images)
    if (img.length !== size * size)
      throw new AppError("BAD_REQUEST", `classifier input must be ${size}×${size}, got ${img.length} pixels`);
  const out = await model.thread.run([...images]);
  const prob = out.prob.data;
  const cam = out.cam.data;
  const [, camHeight, camWidth] = out.cam.dims;
  const per = camHeight * camWidth;
  return images.map((_, b) => ({ prob: prob[b], cam: cam.slice(b * per, (b + 1) * per), camWidth, camHeight }));
}
