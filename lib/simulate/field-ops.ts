// Float fields (row-major Float32Array) used to build images: blurs, smooth noise, polygon fill.
import type { Rng } from "./prng";

/** Hermite step from 0 at e0 to 1 at e1 (e0 > e1 gives a falling step). */
export function smooth(e0: number, e1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
}

function boxPassH(src: Float32Array, dst: Float32Array, w: number, h: number, r: number) {
  const norm = 1 / (2 * r + 1);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let acc = src[row] * (r + 1);
    for (let k = 1; k <= r; k++) acc += src[row + Math.min(k, w - 1)];
    for (let x = 0; x < w; x++) {
      dst[row + x] = acc * norm;
      const add = x + r + 1 < w ? x + r + 1 : w - 1;
      const sub = x - r > 0 ? x - r : 0;
      acc += src[row + add] - src[row + sub];
    }
  }
}

function boxPassV(src: Float32Array, dst: Float32Array, w: number, h: number, r: number) {
  const norm = 1 / (2 * r + 1);
  for (let x = 0; x < w; x++) {
    let acc = src[x] * (r + 1);
    for (let k = 1; k <= r; k++) acc += src[Math.min(k, h - 1) * w + x];
    for (let y = 0; y < h; y++) {
      dst[y * w + x] = acc * norm;
      const add = y + r + 1 < h ? y + r + 1 : h - 1;
      const sub = y - r > 0 ? y - r : 0;
      acc += src[add * w + x] - src[sub * w + x];
    }
  }
}

/** Repeated separable box blur (2 passes ≈ tent, 3 ≈ gaussian); edges are clamped. Returns a new field. */
export function blurField(src: Float32Array, w: number, h: number, radius: number, passes = 2): Float32Array {
  const r = Math.max(0, Math.round(radius));
  const a = Float32Array.from(src);
  if (r === 0) return a;
  const b = new Float32Array(src.length);
  for (let p = 0; p < passes; p++) {
    boxPassH(a, b, w, h, r);
    boxPassV(b, a, w, h, r);
  }
  return a;
}

/** Smooth value noise in [-1, 1] with features about `cell` samples wide. */
export function valueNoise(rng: Rng, w: number, h: number, cell: number): Float32Array {
  const gw = Math.ceil(w / cell) + 2;
  const gh = Math.ceil(h / cell) + 2;
  const grid = new Float32Array(gw * gh);
  for (let i = 0; i < grid.length; i++) grid[i] = rng.next() * 2 - 1;
  const ox = rng.next();
  const oy = rng.next();
  const out = new Float32Array(w * h);
  const xi = new Int32Array(w);
  const xt = new Float32Array(w);
  for (let x = 0; x < w; x++) {
    const gx = x / cell + ox;
    xi[x] = Math.floor(gx);
    const t = gx - xi[x];
    xt[x] = t * t * (3 - 2 * t);
  }
  for (let y = 0; y < h; y++) {
    const gy = y / cell + oy;
    const j = Math.floor(gy);
    let t = gy - j;
    t = t * t * (3 - 2 * t);
    const r0 = j * gw;
    const r1 = r0 + gw;
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const i = xi[x];
      const s = xt[x];
      const top = grid[r0 + i] + (grid[r0 + i + 1] - grid[r0 + i]) * s;
      const bot = grid[r1 + i] + (grid[r1 + i + 1] - grid[r1 + i]) * s;
      out[row + x] = top + (bot - top) * t;
    }
  }
  return out;
}

/** Sum of value-noise octaves (each half the size, `gain` times the amplitude), roughly in [-1, 1]. */
export function fractalNoise(rng: Rng, w: number, h: number, cell: number, octaves: number, gain = 0.5): Float32Array {
  const out = new Float32Array(w * h);
  let amp = 1;
  let total = 0;
  for (let o = 0; o < octaves; o++) {
    const n = valueNoise(rng, w, h, Math.max(1, cell / 2 ** o));
    for (let i = 0; i < out.length; i++) out[i] += amp * n[i];
    total += amp;
    amp *= gain;
  }
  const k = 1 / total;
  for (let i = 0; i < out.length; i++) out[i] *= k;
  return out;
}

/** Scanline fill (even-odd) of a closed polygon given in field coordinates; sets covered samples to `value`. */
export function fillPolygon(field: Float32Array, w: number, h: number, xs: number[], ys: number[], value = 1) {
  const n = xs.length;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const y of ys) {
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const y0 = Math.max(0, Math.ceil(minY));
  const y1 = Math.min(h - 1, Math.floor(maxY));
  const cross: number[] = [];
  for (let y = y0; y <= y1; y++) {
    cross.length = 0;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const ya = ys[j];
      const yb = ys[i];
      if ((ya <= y && yb > y) || (yb <= y && ya > y)) {
        cross.push(xs[j] + ((y - ya) / (yb - ya)) * (xs[i] - xs[j]));
      }
    }
    cross.sort((a, b) => a - b);
    for (let k = 0; k + 1 < cross.length; k += 2) {
      const xa = Math.max(0, Math.ceil(cross[k]));
      const xb = Math.min(w - 1, Math.floor(cross[k + 1]));
      for (let x = xa; x <= xb; x++) field[y * w + x] = value;
    }
  }
}
