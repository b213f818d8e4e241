import * as ort from "onnxruntime-node";
import type { Prediction } from "./predictor";

// Tandem's exported models take N×1×H×W grayscale in [0,1] ("image") and return
// probabilities N×1×H×W ("prob") and, since the presence head, the image-level probability of
// infection N ("presence"); normalisation lives inside the model.

export type Model = { session: ort.InferenceSession; size: number };

export function executionProviders(): string[] {
  return process.env.ORT_PROVIDER === "cuda" ? ["cuda", "cpu"] : ["cpu"];
}

/** Session options from the environment: ORT_PROVIDER=cuda, ORT_THREADS=n (intra-op threads), ORT_SPIN=1. */
export function sessionOptions(): ort.InferenceSession.SessionOptions {
  const threads = Number(process.env.ORT_THREADS ?? 0);
  return {
    executionProviders: executionProviders(),
    graphOptimizationLevel: "all",
    // onnxruntime-node rejects an explicit `intraOpNumThreads: undefined`: leave the key out for its default.
    ...(threads > 0 ? { intraOpNumThreads: threads } : {}),
    // Idle pool threads otherwise spin after each run, taking the CPU that a job's decoding,
    // encoding and database work needs between batches.
    ...(process.env.ORT_SPIN === "1" ? {} : { extra: { session: { intra_op: { allow_spinning: "0" } } } }),
  };
}

export async function loadModel(bytes: Uint8Array, size: number): Promise<Model> {
  const session = await ort.InferenceSession.create(bytes, sessionOptions());
  return { session, size };
}

/** The square input size fixed in the model's graph ([batch, 1, S, S]), or null when symbolic. */
export function modelInputSize(model: Model): number | null {
  const meta = model.session.inputMetadata?.[0];
  if (!meta || !meta.isTensor) return null;
  const [, channels, h, w] = meta.shape;
  if (meta.shape.length !== 4 || channels !== 1)
    throw new Error(
      `the model's input is ${JSON.stringify(meta.shape)}; Tandem models take [batch, 1, size, size] grayscale`,
    );
  return typeof h === "number" && h === w && h > 0 ? h : null;
}

/** Runs a batch of size×size 8-bit images; returns one probability map per image. */
export async function predictBatch(model: Model, images: Uint8Array[]): Promise<Float32Array[]> {
  return (await predictBatchWithPresence(model, images)).maps;
}

/**
 * Probability maps and, for a model with a presence head, its per-image probability. Outputs are
 * read by name ("prob", "presence"); a model from before the head has "prob" (or one output) only.
 */
export async function predictBatchWithPresence(model: Model, images: Uint8Array[]): Promise<Prediction> {
  const { size } = model;
  const n = images.length;
  const input = new Float32Array(n * size * size);
  images.forEach((img, b) => {
    const off = b * size * size;
    for (let i = 0; i < img.length; i++) input[off + i] = img[i] / 255;
  });
  const feeds = { [model.session.inputNames[0]]: new ort.Tensor("float32", input, [n, 1, size, size]) };
  const out = await model.session.run(feeds);
  const prob = (out.prob ?? out[model.session.outputNames[0]]).data as Float32Array;
  const presence = out.presence ? Array.from(out.presence.data as Float32Array) : null;
  return { maps: images.map((_, b) => prob.slice(b * size * size, (b + 1) * size * size)), presence };
}
