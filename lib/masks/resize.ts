import { AppError } from "../errors/app-error";

// Both resizers use half-pixel centres (like PIL and TensorFlow 2, unlike OpenCV's nearest):
// destination pixel d samples source position (d + 0.5) · src/dst − 0.5.

function checkSize(length: number, sw: number, sh: number, dw: number, dh: number): void {
  for (const v of [sw, sh, dw, dh]) {
    if (!Number.isInteger(v) || v < 1)
      throw new AppError("BAD_REQUEST", `invalid resize dimensions ${sw}×${sh} → ${dw}×${dh}`);
  }
  if (length !== sw * sh) throw new AppError("BAD_REQUEST", `input has ${length} values, expected ${sw}×${sh}`);
}

function nearestIndex(srcLen: number, dstLen: number): Int32Array {
  const idx = new Int32Array(dstLen);
  const scale = srcLen / dstLen;
  for (let d = 0; d < dstLen; d++) idx[d] = Math.min(srcLen - 1, Math.floor((d + 0.5) * scale));
  return idx;
}

export function resizeMaskNearest(mask: ArrayLike<number>, sw: number, sh: number, dw: number, dh: number): Uint8Array {
  checkSize(mask.length, sw, sh, dw, dh);
  const xs = nearestIndex(sw, dw);
  const ys = nearestIndex(sh, dh);
  const out = new Uint8Array(dw * dh);
  for (let y = 0; y < dh; y++) {
    const src = ys[y] * sw;
    const dst = y * dw;
    for (let x = 0; x < dw; x++) out[dst + x] = mask[src + xs[x]];
  }
  return out;
}

interface Taps {
  lo: Int32Array;
  hi: Int32Array;
  w: Float64Array; // weight of hi
}

export function bilinearTaps(srcLen: number, dstLen: number): Taps {
  const lo = new Int32Array(dstLen);
  const hi = new Int32Array(dstLen);
  const w = new Float64Array(dstLen);
  const scale = srcLen / dstLen;
  for (let d = 0; d < dstLen; d++) {
    const s = Math.min(srcLen - 1, Math.max(0, (d + 0.5) * scale - 0.5));
    const i = Math.floor(s);
    lo[d] = i;
    hi[d] = Math.min(srcLen - 1, i + 1);
    w[d] = s - i;
  }
  return { lo, hi, w };
}

/** Bilinear resize of a probability (or any float) map; edges are clamped. */
export function resizeBilinear(src: ArrayLike<number>, sw: number, sh: number, dw: number, dh: number): Float32Array {
  checkSize(src.length, sw, sh, dw, dh);
  const tx = bilinearTaps(sw, dw);
  const ty = bilinearTaps(sh, dh);
  // Horizontal pass once per source row actually used, then blend rows.
  const rows = new Map<number, Float64Array>();
  const rowAt = (r: number): Float64Array => {
    let row = rows.get(r);
    if (!row) {
      row = new Float64Array(dw);
      const base = r * sw;
      for (let x = 0; x < dw; x++) {
        const a = src[base + tx.lo[x]];
        row[x] = a + (src[base + tx.hi[x]] - a) * tx.w[x];
      }
      rows.set(r, row);
    }
    return row;
  };
  const out = new Float32Array(dw * dh);
  for (let y = 0; y < dh; y++) {
    const top = rowAt(ty.lo[y]);
    const bottom = rowAt(ty.hi[y]);
    const wy = ty.w[y];
    const dst = y * dw;
    for (let x = 0; x < dw; x++) out[dst + x] = top[x] + (bottom[x] - top[x]) * wy;
  }
  return out;
}
