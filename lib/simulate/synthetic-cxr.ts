// Seeded synthetic chest X-rays (8-bit grey) with their true infection mask and lung mask.
const NORIB = !!process.env.NORIB;
import { renderAnatomy } from "./cxr-anatomy";
import { sampleAcquisition, sampleAnatomy, type AcquisitionBias } from "./cxr-geometry";
import { makeFrame, makeGrid } from "./cxr-grid";
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

interface Rows {
  d: Float32Array;
  p: Float32Array;
  a: Float32Array;
  l: Float32Array;
  f: Float32Array;
}

const TONE_SCALE = (TONE_STEPS - 1) / (TONE_MAX - TONE_MIN);

function lerpRow(src: Float32Array, out: Float32Array, a: number, b: number, t: number, n: number, offset: number, scale: number) {
  for (let i = 0; i < n; i++) out[i] = (src[a + i] + (src[b + i] - src[a + i]) * t - offset) * scale;
}

// One output row of grey values: linear steps across each coarse cell, rib detail where ribs show, grain.
function shadeRow(
  rows: Rows,
  factor: number,
  width: number,
  tone: Uint8Array,
  noise: number,
  state: number,
  out: Uint8Array,
  row: number,
): number {
  const { d: rd, p: rp, a: ra } = rows;
  const rib = ribProfile();
  const gauss = gaussTable();
  const gMask = (1 << GAUSS_BITS) - 1;
  const top = TONE_STEPS - 1;
  const step = 1 / factor;
  let x = 0;
  for (let i = 0; x < width; i++) {
    const end = Math.min(width, Math.ceil((i + 1) * factor - 1e-9));
    const s0 = x * step - i;
    const dd = (rd[i + 1] - rd[i]) * step;
    let d = rd[i] + (rd[i + 1] - rd[i]) * s0;
    if (!NORIB && (ra[i] > 0.2 || ra[i + 1] > 0.2)) {
      const da = (ra[i + 1] - ra[i]) * step;
      const dp = (rp[i + 1] - rp[i]) * step;
      let amp = ra[i] + (ra[i + 1] - ra[i]) * s0;
      let ph = rp[i] + (rp[i + 1] - rp[i]) * s0;
      for (; x < end; x++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        let k = (d + amp * rib[((ph - Math.floor(ph)) * RIB_STEPS) | 0] + noise * gauss[state & gMask]) | 0;
        if (k < 0) k = 0;
        else if (k > top) k = top;
        out[row + x] = tone[k];
        d += dd;
        amp += da;
        ph += dp;
      }
    } else {
      for (; x < end; x++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        let k = (d + noise * gauss[state & gMask]) | 0;
        if (k < 0) k = 0;
        else if (k > top) k = top;
        out[row + x] = tone[k];
        d += dd;
      }
    }
  }
  return state;
}

// Lung and infection masks for one output row; only coarse cells that touch the lungs are visited per pixel.
function maskRow(
  rows: Rows,
  infected: boolean,
  factor: number,
  width: number,
  lungMask: Uint8Array,
  mask: Uint8Array,
  row: number,
  counts: { lung: number; mask: number },
) {
  const { l: rl, f: rf } = rows;
  const step = 1 / factor;
  let x = 0;
  for (let i = 0; x < width; i++) {
    const end = Math.min(width, Math.ceil((i + 1) * factor - 1e-9));
    const x0 = x;
    x = end;
    const l0 = rl[i];
    const l1 = rl[i + 1];
    if (l0 <= 0.5 && l1 <= 0.5) continue;
    const f0 = infected ? rf[i] : 0;
    const f1 = infected ? rf[i + 1] : 0;
    const any = f0 > INFECTION_THRESHOLD || f1 > INFECTION_THRESHOLD;
    for (let xx = x0; xx < end; xx++) {
      const s = xx * step - i;
      if (l0 + (l1 - l0) * s <= 0.5) continue;
      lungMask[row + xx] = 255;
      counts.lung++;
      if (any && f0 + (f1 - f0) * s > INFECTION_THRESHOLD) {
        mask[row + xx] = 255;
        counts.mask++;
      }
    }
  }
}

// Upsamples the coarse fields bilinearly (one interpolated coarse row per output row), adds rib detail and
// film grain, maps density to grey and thresholds the lung and infection masks.
export function compose(
  grid: ReturnType<typeof makeGrid>,
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
  const { width, height, factor, lw } = grid;
  const rows: Rows = {
    d: new Float32Array(lw),
    p: new Float32Array(lw),
    a: new Float32Array(lw),
    l: new Float32Array(lw),
    f: new Float32Array(lw),
  };
  const counts = { lung: 0, mask: 0 };
  let state = grainSeed | 1;
  for (let y = 0; y < height; y++) {
    const j = Math.floor(y / factor);
    const t = y / factor - j;
    const a = j * lw;
    const b = a + lw;
    lerpRow(density, rows.d, a, b, t, lw, TONE_MIN, TONE_SCALE);
    lerpRow(ribPhase, rows.p, a, b, t, lw, 0, 1);
    lerpRow(ribAmp, rows.a, a, b, t, lw, 0, TONE_SCALE);
    lerpRow(lung, rows.l, a, b, t, lw, 0, 1);
    if (infection) lerpRow(infection, rows.f, a, b, t, lw, 0, 1);
    state = shadeRow(rows, factor, width, tone, grain * TONE_SCALE, state, pixels, y * width);
    if (process.env.NOMASK) {} else maskRow(rows, infection !== null, factor, width, lungMask, mask, y * width, counts);
  }
  return { lungArea: counts.lung, maskArea: counts.mask };
}
