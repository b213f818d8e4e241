// Seeded synthetic chest X-rays (8-bit grey) with their true infection mask and lung mask.
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

// Upsamples the coarse fields bilinearly (one interpolated coarse row per output row), adds rib detail
// and film grain, maps density to grey and thresholds the lung and infection masks.
function compose(
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
  const xi = new Int32Array(width);
  const xs = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    xi[x] = Math.floor(x / factor);
    xs[x] = x / factor - xi[x];
  }
  const rd = new Float32Array(lw);
  const rp = new Float32Array(lw);
  const ra = new Float32Array(lw);
  const rl = new Float32Array(lw);
  const rf = new Float32Array(lw);
  const rib = ribProfile();
  const gauss = gaussTable();
  const gMask = (1 << GAUSS_BITS) - 1;
  const toneScale = (TONE_STEPS - 1) / (TONE_MAX - TONE_MIN);
  const toneTop = TONE_STEPS - 1;
  let state = grainSeed | 1;
  let lungArea = 0;
  let maskArea = 0;

  for (let y = 0; y < height; y++) {
    const j = Math.floor(y / factor);
    const t = y / factor - j;
    const a = j * lw;
    const b = a + lw;
    for (let i = 0; i < lw; i++) {
      rd[i] = density[a + i] + (density[b + i] - density[a + i]) * t;
      rp[i] = ribPhase[a + i] + (ribPhase[b + i] - ribPhase[a + i]) * t;
      ra[i] = ribAmp[a + i] + (ribAmp[b + i] - ribAmp[a + i]) * t;
      rl[i] = lung[a + i] + (lung[b + i] - lung[a + i]) * t;
      if (infection) rf[i] = infection[a + i] + (infection[b + i] - infection[a + i]) * t;
    }
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = xi[x];
      const s = xs[x];
      let d = rd[i] + (rd[i + 1] - rd[i]) * s;
      const amp = ra[i] + (ra[i + 1] - ra[i]) * s;
      if (amp > 0.002) {
        const ph = rp[i] + (rp[i + 1] - rp[i]) * s;
        d += amp * rib[((ph - Math.floor(ph)) * RIB_STEPS) | 0];
      }
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      d += grain * gauss[state & gMask];
      let k = ((d - TONE_MIN) * toneScale) | 0;
      if (k < 0) k = 0;
      else if (k > toneTop) k = toneTop;
      pixels[row + x] = tone[k];
      const l = rl[i] + (rl[i + 1] - rl[i]) * s;
      if (l > 0.5) {
        lungMask[row + x] = 255;
        lungArea++;
        if (infection && rf[i] + (rf[i + 1] - rf[i]) * s > INFECTION_THRESHOLD) {
          mask[row + x] = 255;
          maskArea++;
        }
      }
    }
  }
  return { lungArea, maskArea };
}
