// Pillow's 8-bit BILINEAR resample (a triangle filter widened by the scale when shrinking,
// fixed-point weights, horizontal pass then vertical), so a model sees in Node exactly the
// pixels the PyTorch trainer fed it.

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 2 ** PRECISION_BITS;
const HALF = 2 ** (PRECISION_BITS - 1);

/** Per output pixel: first source index, tap count, and `stride` fixed-point weights (flat, zero-padded). */
type Coeffs = { bounds: Int32Array; weights: Int32Array; stride: number };

function coefficients(inSize: number, outSize: number): Coeffs {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = filterscale;
  const stride = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * stride);
  const k = new Float64Array(stride);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterscale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const d = Math.abs((x + xmin - center + 0.5) * ss);
      const w = d < 1 ? 1 - d : 0;
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) {
      const v = ww !== 0 ? k[x] / ww : 0;
      weights[xx * stride + x] = v < 0 ? Math.trunc(-0.5 + v * ONE) : Math.trunc(0.5 + v * ONE);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { bounds, weights, stride };
}

// Sums stay below 2^31 (weights add up to ONE, pixels ≤ 255), so the shift is Math.floor(ss / ONE).
const clip8 = (ss: number) => {
  const v = ss >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
};

/**
 * Resizes 8-bit grayscale pixels like `PIL.Image.resize((w, h), Image.BILINEAR)`. The vertical
 * pass accumulates whole rows (the same integer sums as Pillow's, in another order, so the same
 * bytes) to read the image row by row.
 */
export function pilResizeBilinear(src: Uint8Array, inW: number, inH: number, outW: number, outH: number): Uint8Array {
  let cur = src;
  let w = inW;
  if (outW !== inW) {
    const { bounds, weights, stride } = coefficients(inW, outW);
    const out = new Uint8Array(outW * inH);
    for (let y = 0; y < inH; y++) {
      const row = y * inW;
      for (let xx = 0; xx < outW; xx++) {
        const start = row + bounds[xx * 2],
          n = bounds[xx * 2 + 1],
          k = xx * stride;
        let ss = HALF;
        for (let x = 0; x < n; x++) ss += cur[start + x] * weights[k + x];
        out[y * outW + xx] = clip8(ss);
      }
    }
    cur = out;
    w = outW;
  }
  if (outH !== inH) {
    const { bounds, weights, stride } = coefficients(inH, outH);
    const out = new Uint8Array(w * outH);
    const acc = new Int32Array(w);
    for (let yy = 0; yy < outH; yy++) {
      const ymin = bounds[yy * 2],
        n = bounds[yy * 2 + 1],
        k = yy * stride;
      acc.fill(HALF);
      for (let y = 0; y < n; y++) {
        const weight = weights[k + y],
          base = (ymin + y) * w;
        for (let x = 0; x < w; x++) acc[x] += cur[base + x] * weight;
      }
      const dst = yy * w;
      for (let x = 0; x < w; x++) out[dst + x] = clip8(acc[x]);
    }
    cur = out;
  }
  return cur === src ? src.slice() : cur;
}
