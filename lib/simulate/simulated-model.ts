// How a segmentation network's output looks next to a drawing: the true region, smoothed at a
// scale tied to the image size and bent by low-frequency noise, thresholded at 0.5 — smooth,
// blobby boundaries without vertices or pen wobble, with over- or under-segmentation.
import { blurField, fractalNoise } from "./field-ops";
import { createRng, hashSeed } from "./prng";

export interface ModelProfile {
  seed: number;
  /** Boundary shift; positive grows the region. */
  bias: number;
  /** Strength of the low-frequency error field. */
  noise: number;
}

/** A machine candidate for `truth` (0/non-zero), as 0/1 pixels. */
export function simulatePrediction(
  truth: Uint8Array,
  width: number,
  height: number,
  model: ModelProfile,
  imageKey: string | number,
): Uint8Array {
  const rng = createRng(hashSeed("predict", model.seed, imageKey));
  const f = new Float32Array(truth.length);
  for (let i = 0; i < f.length; i++) f[i] = truth[i] ? 1 : 0;
  const size = Math.max(width, height);
  const prob = blurField(f, width, height, size * 0.02, 3);
  const err = fractalNoise(rng, width, height, Math.max(4, Math.round(size / 6)), 3);
  const out = new Uint8Array(truth.length);
  for (let i = 0; i < out.length; i++) out[i] = prob[i] + model.bias * 0.1 + model.noise * 0.35 * err[i] >= 0.5 ? 1 : 0;
  return out;
}
