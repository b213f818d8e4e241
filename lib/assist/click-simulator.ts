import type { Click } from "./types";

// The simulated annotator of the interactive-segmentation literature (RITM / Xu et al.), the same
// rule as workers/trainer/tandem_trainer/interactive/clicks.py: click the error pixel farthest
// from any correct pixel (Euclidean distance transform of the error mask, image border counted as
// outside); a false negative gives a positive click, a false positive a negative one.

const INF = 1e20;

/** Squared 1-D distance transform (Felzenszwalb & Huttenlocher) of f over n samples, in place into d. */
function edt1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -INF;
  z[1] = INF;
  for (let q = 1; q < n; q++) {
    let s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    while (s <= z[k]) {
      k--;
      s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = INF;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    d[q] = (q - v[k]) * (q - v[k]) + f[v[k]];
  }
}

/** Euclidean distance of each region pixel to the nearest pixel outside it (border = outside). */
export function distanceTransform(region: Uint8Array, width: number, height: number): Float64Array {
  const w = width + 2;
  const h = height + 2;
  const g = new Float64Array(w * h);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (region[y * width + x]) g[(y + 1) * w + x + 1] = INF;
  const n = Math.max(w, h);
  const f = new Float64Array(n);
  const d = new Float64Array(n);
  const v = new Int32Array(n);
  const z = new Float64Array(n + 1);
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) f[y] = g[y * w + x];
    edt1d(f, h, d, v, z);
    for (let y = 0; y < h; y++) g[y * w + x] = d[y];
  }
  const out = new Float64Array(width * height);
  for (let y = 1; y <= height; y++) {
    for (let x = 0; x < w; x++) f[x] = g[y * w + x];
    edt1d(f, w, d, v, z);
    for (let x = 1; x <= width; x++) out[(y - 1) * width + x - 1] = Math.sqrt(d[x]);
  }
  return out;
}

function deepest(region: Uint8Array, width: number, height: number): { depth: number; index: number } {
  let any = false;
  for (let i = 0; i < region.length; i++) if (region[i]) { any = true; break; }
  if (!any) return { depth: 0, index: -1 };
  const dt = distanceTransform(region, width, height);
  let index = 0;
  for (let i = 1; i < dt.length; i++) if (dt[i] > dt[index]) index = i;
  return { depth: dt[index], index };
}

/** The next simulated click given the truth and the current mask (both 0/1); null when they agree. */
export function nextClick(truth: Uint8Array, current: Uint8Array, width: number, height: number): Click | null {
  const fn = new Uint8Array(truth.length);
  const fp = new Uint8Array(truth.length);
  for (let i = 0; i < truth.length; i++) {
    fn[i] = truth[i] && !current[i] ? 1 : 0;
    fp[i] = current[i] && !truth[i] ? 1 : 0;
  }
  const a = deepest(fn, width, height);
  const b = deepest(fp, width, height);
  if (a.index < 0 && b.index < 0) return null;
  const positive = a.depth >= b.depth;
  const index = positive ? a.index : b.index;
  return { x: index % width, y: Math.floor(index / width), positive };
}

export function dice(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let total = 0;
  for (let i = 0; i < a.length; i++) {
    const p = a[i] ? 1 : 0;
    const q = b[i] ? 1 : 0;
    inter += p & q;
    total += p + q;
  }
  return total === 0 ? 1 : (2 * inter) / total;
}
