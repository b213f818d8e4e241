// Full-resolution synthesis of the CXR from the coarse fields, row by row.
import type { AnatomyFields } from "./cxr-anatomy";
import type { Grid } from "./cxr-grid";
import { INFECTION_THRESHOLD } from "./cxr-infection";
import { GAUSS_BITS, gaussTable, RIB_STEPS, ribProfile, TONE_MAX, TONE_MIN, TONE_STEPS } from "./cxr-tables";
import { createRng, hashSeed } from "./prng";

/** Per-rib brightness (indexed by rib number modulo a power of two) so ribs are not identical stripes. */
function ribGains(seed: number): Float32Array {
  const rng = createRng(hashSeed("ribs", seed));
  return Float32Array.from({ length: 16 }, () => rng.uniform(0.6, 1.15));
}

const TONE_SCALE = (TONE_STEPS - 1) / (TONE_MAX - TONE_MIN);

interface Columns {
  index: Int32Array;
  weight: Float32Array;
}

function columnWeights(grid: Grid): Columns {
  const { width, factor } = grid;
  const index = new Int32Array(width);
  const weight = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    index[x] = Math.floor(x / factor);
    weight[x] = x / factor - index[x];
  }
  return { index, weight };
}

// Density of one output row at the coarse columns, in tone-table units. Ribs are evaluated here, at full
// vertical resolution: they are near-horizontal bands, so only their vertical profile needs every row.
function densityRow(
  density: Float32Array,
  ribPhase: Float32Array,
  ribAmp: Float32Array,
  ribGain: Float32Array,
  a: number,
  t: number,
  lw: number,
  out: Float32Array,
) {
  const rib = ribProfile();
  const gainMask = ribGain.length - 1;
  const u = 1 - t;
  const b = a + lw;
  for (let i = 0; i < lw; i++) {
    let v = density[a + i] * u + density[b + i] * t;
    const m = ribAmp[a + i] * u + ribAmp[b + i] * t;
    if (m > 0.0005) {
      const p = ribPhase[a + i] * u + ribPhase[b + i] * t;
      const n = Math.floor(p);
      v += m * ribGain[n & gainMask] * rib[((p - n) * RIB_STEPS) | 0];
    }
    out[i] = (v - TONE_MIN) * TONE_SCALE;
  }
}

// One output row of grey values: the coarse row widened linearly, film grain, tone mapping.
function shadeRow(
  row: Float32Array,
  cols: Columns,
  width: number,
  tone: Uint8Array,
  noise: number,
  offset: number,
  out: Uint8Array,
  start: number,
) {
  const gauss = gaussTable();
  const gMask = (1 << GAUSS_BITS) - 1;
  const top = TONE_STEPS - 1;
  const { index, weight } = cols;
  for (let x = 0; x < width; x++) {
    const i = index[x];
    let k = (row[i] + (row[i + 1] - row[i]) * weight[x] + noise * gauss[(offset + x) & gMask]) | 0;
    if (k < 0) k = 0;
    else if (k > top) k = top;
    out[start + x] = tone[k];
  }
}

// Sets `out` to 1 (foreground) where the linearly widened coarse row exceeds `level` (and `within` is set, if given):
// whole coarse cells are filled or skipped at once, only cells that cross the level are visited per pixel.
function thresholdRow(
  field: Float32Array,
  a: number,
  t: number,
  grid: Grid,
  level: number,
  within: Uint8Array | null,
  out: Uint8Array,
  start: number,
): number {
  const { lw, width, factor } = grid;
  const u = 1 - t;
  const b = a + lw;
  const step = 1 / factor;
  let n = 0;
  let prev = field[a] * u + field[b] * t;
  for (let i = 0; i + 1 < lw; i++) {
    const next = field[a + i + 1] * u + field[b + i + 1] * t;
    const v0 = prev;
    prev = next;
    if (v0 <= level && next <= level) continue;
    const x0 = Math.ceil(i * factor - 1e-9);
    const x1 = Math.min(width, Math.ceil((i + 1) * factor - 1e-9));
    if (v0 > level && next > level && within === null) {
      out.fill(1, start + x0, start + x1);
      n += x1 - x0;
      continue;
    }
    for (let x = x0; x < x1; x++) {
      if (v0 + (next - v0) * (x * step - i) > level && (within === null || within[start + x] !== 0)) {
        out[start + x] = 1;
        n++;
      }
    }
  }
  return n;
}

export interface ComposeInput {
  grid: Grid;
  fields: AnatomyFields;
  /** Coarse infection field (thresholded at INFECTION_THRESHOLD inside the lungs), or null for controls. */
  infection: Float32Array | null;
  tone: Uint8Array;
  /** Film grain standard deviation in density units. */
  grain: number;
  seed: number;
}

export interface ComposedCxr {
  pixels: Uint8Array;
  mask: Uint8Array;
  lungMask: Uint8Array;
  lungArea: number;
  maskArea: number;
}

/**
 * Full-resolution image and masks from the coarse fields: bilinear upsampling, rib detail, film grain,
 * tone mapping, and thresholds for the lung and infection masks.
 */
export function composeCxr(input: ComposeInput): ComposedCxr {
  const { grid, infection, tone, grain, seed } = input;
  const { density, ribPhase, ribAmp, lung } = input.fields;
  const { width, height, factor, lw } = grid;
  const pixels = new Uint8Array(width * height);
  const mask = new Uint8Array(width * height);
  const lungMask = new Uint8Array(width * height);
  const ribGain = ribGains(seed);
  const cols = columnWeights(grid);
  const row = new Float32Array(lw);
  const noise = grain * TONE_SCALE;
  let lungArea = 0;
  let maskArea = 0;
  let state = hashSeed("grain", seed) | 1;
  for (let y = 0; y < height; y++) {
    const j = Math.floor(y / factor);
    const t = y / factor - j;
    const a = j * lw;
    const start = y * width;
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    densityRow(density, ribPhase, ribAmp, ribGain, a, t, lw, row);
    shadeRow(row, cols, width, tone, noise, state, pixels, start);
    lungArea += thresholdRow(lung, a, t, grid, 0.5, null, lungMask, start);
    if (infection) maskArea += thresholdRow(infection, a, t, grid, INFECTION_THRESHOLD, lungMask, mask, start);
  }
  return { pixels, mask, lungMask, lungArea, maskArea };
}
