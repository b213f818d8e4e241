import { resizeBilinear } from "../masks/resize";
import { binarize } from "./threshold";

/** A network-resolution probability map back at the image's native size, thresholded. */
export function toNativeMask(
  prob: Float32Array,
  size: number,
  width: number,
  height: number,
  threshold = 0.5,
): Uint8Array {
  const native = size === width && size === height ? prob : resizeBilinear(prob, size, size, width, height);
  return binarize(native, threshold);
}

/** The probability map as 8-bit PNG-ready bytes (p × 255, rounded): compact to store. */
export function probToBytes(prob: Float32Array): Uint8Array {
  const out = new Uint8Array(prob.length);
  for (let i = 0; i < prob.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, prob[i])) * 255);
  return out;
}
