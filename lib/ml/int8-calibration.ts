import * as ort from "onnxruntime-node";
import { predictBatch, sessionOptions, type Model } from "./onnx-model";

// The Node half of int8 quantisation (the trainer's `quantize-probe` and `quantize` rewrite the
// graph): the ranges of the tensors the probe exposes, over a few of the run's training images,
// and how far the int8 model's masks stray from the float model's on other images.

export type TensorRanges = Record<string, [number, number]>;

/** Each exposed tensor's [min, max] over the images (run one at a time: the probe's outputs are large). */
export async function recordRanges(
  probeModel: Uint8Array,
  tensors: string[],
  images: Uint8Array[],
  size: number,
): Promise<TensorRanges> {
  if (!images.length) throw new Error("int8 calibration needs at least one image");
  const session = await ort.InferenceSession.create(probeModel, sessionOptions());
  try {
    const ranges: TensorRanges = {};
    for (const img of images) {
      const input = new Float32Array(size * size);
      for (let i = 0; i < input.length; i++) input[i] = img[i] / 255;
      const out = await session.run(
        { [session.inputNames[0]]: new ort.Tensor("float32", input, [1, 1, size, size]) },
        tensors,
      );
      for (const name of tensors) {
        const data = out[name].data as Float32Array;
        let lo = Number.POSITIVE_INFINITY,
          hi = Number.NEGATIVE_INFINITY;
        for (let i = 0; i < data.length; i++) {
          const v = data[i];
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        const r = ranges[name];
        ranges[name] = r ? [Math.min(r[0], lo), Math.max(r[1], hi)] : [lo, hi];
      }
    }
    return ranges;
  } finally {
    await session.release();
  }
}

export type Int8Agreement = {
  images: number;
  /** Share of all pixels whose mask (p ≥ 0.5) is the same under both models. */
  pixelAgreement: number;
  /** Mean per-image Dice between the two masks (1 when both are empty). */
  meanDice: number;
  minDice: number;
  maxProbabilityDifference: number;
  msPerImageFloat: number;
  msPerImageInt8: number;
};

/** The float and int8 models on the same images, one image at a time (the batch-1 latency). */
export async function int8Agreement(float: Model, int8: Model, images: Uint8Array[]): Promise<Int8Agreement> {
  if (!images.length) throw new Error("int8 agreement needs at least one image");
  let same = 0,
    pixels = 0,
    diceSum = 0,
    minDice = 1,
    maxDiff = 0,
    msFloat = 0,
    msInt8 = 0;
  for (const img of images) {
    let t = performance.now();
    const [a] = await predictBatch(float, [img]);
    msFloat += performance.now() - t;
    t = performance.now();
    const [b] = await predictBatch(int8, [img]);
    msInt8 += performance.now() - t;
    let both = 0,
      na = 0,
      nb = 0;
    for (let i = 0; i < a.length; i++) {
      const ma = a[i] >= 0.5,
        mb = b[i] >= 0.5;
      if (ma === mb) same++;
      if (ma) na++;
      if (mb) nb++;
      if (ma && mb) both++;
      const d = Math.abs(a[i] - b[i]);
      if (d > maxDiff) maxDiff = d;
    }
    pixels += a.length;
    const dice = na + nb === 0 ? 1 : (2 * both) / (na + nb);
    diceSum += dice;
    minDice = Math.min(minDice, dice);
  }
  const n = images.length;
  return {
    images: n,
    pixelAgreement: same / pixels,
    meanDice: diceSum / n,
    minDice,
    maxProbabilityDifference: maxDiff,
    msPerImageFloat: msFloat / n,
    msPerImageInt8: msInt8 / n,
  };
}
