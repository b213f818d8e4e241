// Precomputed tables that keep the per-pixel work of the synthetic CXR to lookups.
import { smooth } from "./field-ops";
import { createRng } from "./prng";

export const GAUSS_BITS = 16;
let gauss: Float32Array | null = null;

/** Standard-normal samples; index with any integer masked by (1 << GAUSS_BITS) - 1 (a row of grain is a random slice). */
export function gaussTable(): Float32Array {
  if (gauss) return gauss;
  const rng = createRng(0x5eed);
  const t = new Float32Array(1 << GAUSS_BITS);
  for (let i = 0; i < t.length; i++) t[i] = rng.normal();
  gauss = t;
  return t;
}

export const RIB_STEPS = 512;
let rib: Float32Array | null = null;

/**
 * Brightness across one rib period (phase 0 → 1 going down the image). The rib fills the first ~45%:
 * a soft upper margin, a sharper lower margin with a bright cortical line, slightly lucent middle.
 */
export function ribProfile(): Float32Array {
  if (rib) return rib;
  const t = new Float32Array(RIB_STEPS + 1);
  const width = 0.52;
  for (let i = 0; i <= RIB_STEPS; i++) {
    const q = i / RIB_STEPS / width;
    if (q >= 1.06) continue;
    const up = smooth(0, 0.18, q);
    const down = 1 - smooth(0.88, 1.04, q);
    const cortex = Math.exp(-(((q - 0.86) / 0.07) ** 2)) + 0.5 * Math.exp(-(((q - 0.14) / 0.07) ** 2));
    const middle = 1 - 0.15 * Math.exp(-(((q - 0.5) / 0.2) ** 2));
    t[i] = up * down * (0.9 * middle + 0.15 * cortex);
  }
  rib = t;
  return t;
}

export const TONE_MIN = -0.6;
export const TONE_MAX = 2.6;
export const TONE_STEPS = 2048;

/** Maps density (arbitrary units, more is brighter) to 8-bit grey: window [lo, hi], gamma, mild film toe/shoulder. */
export function toneTable(lo: number, hi: number, gamma: number): Uint8Array {
  const t = new Uint8Array(TONE_STEPS);
  for (let i = 0; i < TONE_STEPS; i++) {
    const d = TONE_MIN + ((TONE_MAX - TONE_MIN) * i) / (TONE_STEPS - 1);
    let v = (d - lo) / (hi - lo);
    v = Math.min(1, Math.max(0, v));
    v = v ** gamma;
    v = 0.75 * v + 0.25 * v * v * (3 - 2 * v);
    t[i] = Math.round(255 * v);
  }
  return t;
}

export const VESSEL_SIZE = 256;
let vessels: Float32Array | null = null;

function fade(t: number): number {
  return t * t * t * (t * (t * 6 - 15) + 10);
}

// Periodic gradient noise, roughly in [-1, 1], over a size×size tile with `cells` lattice cells per side.
function gradientNoise(size: number, cells: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const gx = new Float32Array(cells * cells);
  const gy = new Float32Array(cells * cells);
  for (let i = 0; i < gx.length; i++) {
    const a = rng.uniform(0, 2 * Math.PI);
    gx[i] = Math.cos(a);
    gy[i] = Math.sin(a);
  }
  const out = new Float32Array(size * size);
  const step = size / cells;
  for (let y = 0; y < size; y++) {
    const fy = y / step;
    const j0 = Math.floor(fy);
    const ty = fy - j0;
    const j1 = (j0 + 1) % cells;
    for (let x = 0; x < size; x++) {
      const fx = x / step;
      const i0 = Math.floor(fx);
      const tx = fx - i0;
      const i1 = (i0 + 1) % cells;
      const dot = (i: number, j: number, ox: number, oy: number) => gx[j * cells + i] * ox + gy[j * cells + i] * oy;
      const a = dot(i0, j0, tx, ty);
      const b = dot(i1, j0, tx - 1, ty);
      const c = dot(i0, j1, tx, ty - 1);
      const d = dot(i1, j1, tx - 1, ty - 1);
      const u = fade(tx);
      const top = a + (b - a) * u;
      const bot = c + (d - c) * u;
      out[y * size + x] = 1.4 * (top + (bot - top) * fade(ty));
    }
  }
  return out;
}

/** Tileable thin bright ridges (ridged gradient noise), VESSEL_SIZE² values in [0, 1]. */
export function vesselTexture(): Float32Array {
  if (vessels) return vessels;
  const n = VESSEL_SIZE;
  const out = new Float32Array(n * n);
  const octaves = [
    { cells: 8, amp: 1 },
    { cells: 16, amp: 0.6 },
    { cells: 32, amp: 0.3 },
  ];
  octaves.forEach(({ cells, amp }, k) => {
    const noise = gradientNoise(n, cells, 0xbe55e1 + k);
    for (let i = 0; i < out.length; i++) out[i] += amp * Math.max(0, 1 - Math.abs(noise[i])) ** 8;
  });
  let max = 0;
  for (const v of out) if (v > max) max = v;
  for (let i = 0; i < out.length; i++) out[i] /= max;
  vessels = out;
  return out;
}

export const BUMP_STEPS = 1024;
export const BUMP_MAX_Q = 6;
let bump: Float32Array | null = null;

/** exp(-q) for q in [0, BUMP_MAX_Q], sampled; use with q = r²/(2σ²). */
export function expTable(): Float32Array {
  if (bump) return bump;
  const t = new Float32Array(BUMP_STEPS + 1);
  for (let i = 0; i <= BUMP_STEPS; i++) t[i] = Math.exp(-(i / BUMP_STEPS) * BUMP_MAX_Q);
  bump = t;
  return t;
}
