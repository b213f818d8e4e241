// Pillow's 8-bit BILINEAR resample (a triangle filter widened by the scale when shrinking,
// fixed-point weights, horizontal pass then vertical), so a model sees in Node exactly the
// pixels the PyTorch trainer fed it.

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 2 ** PRECISION_BITS;
const HALF = 2 ** (PRECISION_BITS - 1);

type Coeffs = { bounds: Int32Array; weights: Int32Array[] };

function coefficients(inSize: number, outSize: number): Coeffs {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = filterscale;
  const bounds = new Int32Array(outSize * 2);
  const weights: Int32Array[] = [];
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterscale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    const k = new Float64Array(xmax);
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const d = Math.abs((x + xmin - center + 0.5) * ss);
      const w = d < 1 ? 1 - d : 0;
      k[x] = w;
      ww += w;
    }
    const fixed = new Int32Array(xmax);
    for (let x = 0; x < xmax; x++) {
      const v = ww !== 0 ? k[x] / ww : 0;
      fixed[x] = v < 0 ? Math.trunc(-0.5 + v * ONE) : Math.trunc(0.5 + v * ONE);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
    weights.push(fixed);
  }
  return { bounds, weights };
}

const clip8 = (ss: number) => {
  const v = Math.floor(ss / ONE);
  return v < 0 ? 0 : v > 255 ? 255 : v;
};

/** Resizes 8-bit grayscale pixels like `PIL.Image.resize((w, h), Image.BILINEAR)`. */
export function pilResizeBilinear(src: Uint8Array, inW: number, inH: number, outW: number, outH: number): Uint8Array {
  let cur = src;
  let w = inW;
  if (outW !== inW) {
    const { bounds, weights } = coefficients(inW, outW);
    const out = new Uint8Array(outW * inH);
    for (let y = 0; y < inH; y++) {
      const row = y * inW;
      for (let xx = 0; xx < outW; xx++) {
        const xmin = bounds[xx * 2],
          n = bounds[xx * 2 + 1],
          k = weights[xx];
        let ss = HALF;
        for (let x = 0; x < n; x++) ss += cur[row + xmin + x] * k[x];
        out[y * outW + xx] = clip8(ss);
      }
    }
    cur = out;
    w = outW;
  }
  if (outH !== inH) {
    const { bounds, weights } = coefficients(inH, outH);
    const out = new Uint8Array(w * outH);
    for (let yy = 0; yy < outH; yy++) {
      const ymin = bounds[yy * 2],
        n = bounds[yy * 2 + 1],
        k = weights[yy];
      for (let x = 0; x < w; x++) {
        let ss = HALF;
        for (let y = 0; y < n; y++) ss += cur[(ymin + y) * w + x] * k[y];
        out[yy * w + x] = clip8(ss);
      }
    }
    cur = out;
  }
  return cur === src ? src.slice() : cur;
}
