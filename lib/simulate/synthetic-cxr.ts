// Seeded synthetic chest X-rays (8-bit grey) with their true infection mask and lung mask.
import { renderAnatomy } from "./cxr-anatomy";
import { sampleAcquisition, sampleAnatomy, type AcquisitionBias } from "./cxr-geometry";
import { makeFrame, makeGrid, type Grid } from "./cxr-grid";
import { INFECTION_THRESHOLD, renderInfection, sampleRegionCount, type InfectionRegion } from "./cxr-infection";
import { GAUSS_BITS, gaussTable, RIB_STEPS, ribProfile, TONE_MAX, TONE_MIN, TONE_STEPS, toneTable } from "./cxr-tables";
import { createRng, hashSeed } from "./prng";

export type CxrLabel = "covid" | "control";

export interface GenerateCxrOptions {
  seed: number;
  width?: number;
  /** Defaults to the width times a seed-dependent aspect in [0.92, 1.1]. */
  height?: number;
  label?: CxrLabel;
  /** Images of one patient share anatomy; acquisition and infection still follow `seed`. */
  patientId?: string;
  /** Force the number of infection regions (1–4 by default for covid). */
  regions?: number;
  /** Systematic exposure/contrast/noise differences, e.g. per source hospital. */
  bias?: AcquisitionBias;
}

export interface CxrMeta {
  seed: number;
  label: CxrLabel;
  patientId: string | null;
  regions: InfectionRegion[];
  exposure: { lo: number; hi: number; gamma: number };
  noise: { grain: number; mottle: number };
  placement: { scale: number; shiftX: number; shiftY: number };
  lungArea: number;
  maskArea: number;
  /** Infected share of the lung fields, 0–1. */
  involvement: number;
}

export interface SyntheticCxr {
  width: number;
  height: number;
  pixels: Uint8Array;
  /** 255 where infected (always inside `lungMask`); all zero for controls. */
  mask: Uint8Array;
  lungMask: Uint8Array;
  meta: CxrMeta;
}

export function generateCxr(opts: GenerateCxrOptions): SyntheticCxr {
  const seed = opts.seed >>> 0;
  const label = opts.label ?? "covid";
  const width = opts.width ?? 512;
  const acqRng = createRng(hashSeed("acquisition", seed));
  const aspect = acqRng.uniform(0.92, 1.1);
  const height = opts.height ?? Math.round(width * aspect);
  if (!(width >= 16 && height >= 16)) throw new Error(`image too small: ${width}x${height}`);

  const anatomy = sampleAnatomy(createRng(opts.patientId ? hashSeed("patient", opts.patientId) : hashSeed("anatomy", seed)));
  const acq = sampleAcquisition(acqRng, opts.bias);
  const grid = makeGrid(width, height);
  const frame = makeFrame(grid, acq);
  const fields = renderAnatomy(grid, frame, anatomy, acq, acqRng.fork("anatomy-noise"));

  const covid = label === "covid";
  let infection: ReturnType<typeof renderInfection> | null = null;
  if (covid) {
    const infRng = createRng(hashSeed("infection", seed));
    const count = opts.regions ?? sampleRegionCount(infRng);
    infection = renderInfection(grid, frame, fields.lung, anatomy.cx, count, infRng);
    const d = fields.density;
    for (let p = 0; p < d.length; p++) d[p] += infection.haze[p];
  }

  const pixels = new Uint8Array(width * height);
  const mask = new Uint8Array(width * height);
  const lungMask = new Uint8Array(width * height);
  const { lungArea, maskArea } = compose(
    grid,
    fields.density,
    fields.ribPhase,
    fields.ribAmp,
    fields.lung,
    infection?.field ?? null,
    toneTable(acq.lo, acq.hi, acq.gamma),
    acq.grain,
    hashSeed("grain", seed),
    pixels,
    mask,
    lungMask,
  );

  return {
    width,
    height,
    pixels,
    mask,
    lungMask,
    meta: {
      seed,
      label,
      patientId: opts.patientId ?? null,
      regions: infection?.regions ?? [],
      exposure: { lo: acq.lo, hi: acq.hi, gamma: acq.gamma },
      noise: { grain: acq.grain, mottle: acq.mottle },
      placement: { scale: acq.scale, shiftX: acq.shiftX, shiftY: acq.shiftY },
      lungArea,
      maskArea,
      involvement: lungArea === 0 ? 0 : maskArea / lungArea,
    },
  };
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

// Upsamples every coarse row to full width (linear), after mapping values with (v - offset) * scale.
function widenRows(src: Float32Array, grid: Grid, cols: Columns, offset: number, scale: number): Float32Array {
  const { lw, lh, width } = grid;
  const { index, weight } = cols;
  const out = new Float32Array(lh * width);
  for (let j = 0; j < lh; j++) {
    const a = j * lw;
    const o = j * width;
    for (let x = 0; x < width; x++) {
      const k = a + index[x];
      out[o + x] = (src[k] + (src[k + 1] - src[k]) * weight[x] - offset) * scale;
    }
  }
  return out;
}

// One output row of grey values: vertical blend of two widened rows, rib detail where ribs show, grain.
function shadeRow(
  d: Float32Array,
  ph: Float32Array,
  amp: Float32Array,
  a: number,
  t: number,
  width: number,
  tone: Uint8Array,
  noise: number,
  offset: number,
  out: Uint8Array,
  row: number,
) {
  const rib = ribProfile();
  const gauss = gaussTable();
  const gMask = (1 << GAUSS_BITS) - 1;
  const top = TONE_STEPS - 1;
  const u = 1 - t;
  const b = a + width;
  for (let x = 0; x < width; x++) {
    let v = d[a + x] * u + d[b + x] * t + noise * gauss[(offset + x) & gMask];
    const m = amp[a + x] * u + amp[b + x] * t;
    if (m > 0.2) {
      const p = ph[a + x] * u + ph[b + x] * t;
      v += m * rib[((p - Math.floor(p)) * RIB_STEPS) | 0];
    }
    let k = v | 0;
    if (k < 0) k = 0;
    else if (k > top) k = top;
    out[row + x] = tone[k];
  }
}

// Thresholds the vertical blend of two widened rows into `out`; returns how many pixels were set.
function thresholdRow(
  f: Float32Array,
  a: number,
  t: number,
  width: number,
  level: number,
  within: Uint8Array | null,
  out: Uint8Array,
  row: number,
): number {
  const u = 1 - t;
  const b = a + width;
  let n = 0;
  for (let x = 0; x < width; x++) {
    if (f[a + x] * u + f[b + x] * t > level && (within === null || within[row + x] !== 0)) {
      out[row + x] = 255;
      n++;
    }
  }
  return n;
}

// Upsamples the coarse fields bilinearly, adds rib detail and film grain, maps density to grey and
// thresholds the lung and infection masks.
function compose(
  grid: Grid,
  density: Float32Array,
  ribPhase: Float32Array,
  ribAmp: Float32Array,
  lung: Float32Array,
  infection: Float32Array | null,
  tone: Uint8Array,
  grain: number,
  grainSeed: number,
  pixels: Uint8Array,
  mask: Uint8Array,
  lungMask: Uint8Array,
): { lungArea: number; maskArea: number } {
  const { width, height, factor } = grid;
  const cols = columnWeights(grid);
  const d = widenRows(density, grid, cols, TONE_MIN, TONE_SCALE);
  const ph = widenRows(ribPhase, grid, cols, 0, 1);
  const amp = widenRows(ribAmp, grid, cols, 0, TONE_SCALE);
  const l = widenRows(lung, grid, cols, 0, 1);
  const f = infection ? widenRows(infection, grid, cols, 0, 1) : null;
  const noise = grain * TONE_SCALE;
  let lungArea = 0;
  let maskArea = 0;
  let state = grainSeed | 1;
  for (let y = 0; y < height; y++) {
    const j = Math.floor(y / factor);
    const t = y / factor - j;
    const a = j * width;
    const row = y * width;
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    shadeRow(d, ph, amp, a, t, width, tone, noise, state, pixels, row);
    lungArea += thresholdRow(l, a, t, width, 0.5, null, lungMask, row);
    if (f) maskArea += thresholdRow(f, a, t, width, INFECTION_THRESHOLD, lungMask, mask, row);
  }
  return { lungArea, maskArea };
}
