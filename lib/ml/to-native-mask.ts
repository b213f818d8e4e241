import { bilinearTaps } from "../masks/resize";
import { binarize } from "./threshold";

/**
 * A network-resolution probability map back at the image's native size, thresholded: the same
 * 0/1 pixels as `binarize(resizeBilinear(prob, …))` (each value rounded to float32 as that map
 * stores it, then compared), in one pass with no native-size float map. Each source row is
 * interpolated horizontally once, and only the two rows the current output row blends are kept.
 */
export function toNativeMask(
  prob: Float32Array,
  size: number,
  width: number,
  height: number,
  threshold = 0.5,
): Uint8Array {
  if (size === width && size === height) return binarize(prob, threshold);
  const tx = bilinearTaps(size, width);
  const ty = bilinearTaps(size, height);
  const { lo: xlo, hi: xhi, w: xw } = tx;
  let topRow = -1,
    bottomRow = -1;
  let top = new Float64Array(width);
  let bottom = new Float64Array(width);
  const horizontal = (r: number, row: Float64Array) => {
    const base = r * size;
    for (let x = 0; x < width; x++) {
      const a = prob[base + xlo[x]];
      row[x] = a + (prob[base + xhi[x]] - a) * xw[x];
    }
  };
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const lo = ty.lo[y],
      hi = ty.hi[y];
    if (lo !== topRow) {
      if (lo === bottomRow) {
        const t = top;
        top = bottom;
        bottom = t;
        topRow = lo;
        bottomRow = -1;
      } else {
        horizontal(lo, top);
        topRow = lo;
      }
    }
    if (hi !== bottomRow) {
      if (hi === topRow) bottom.set(top);
      else horizontal(hi, bottom);
      bottomRow = hi;
    }
    const wy = ty.w[y];
    const dst = y * width;
    for (let x = 0; x < width; x++) {
      const t = top[x];
      out[dst + x] = Math.fround(t + (bottom[x] - t) * wy) >= threshold ? 1 : 0;
    }
  }
  return out;
}

/** The probability map as 8-bit PNG-ready bytes (p × 255, rounded): compact to store. */
export function probToBytes(prob: Float32Array): Uint8Array {
  const out = new Uint8Array(prob.length);
  for (let i = 0; i < prob.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, prob[i])) * 255);
  return out;
}
