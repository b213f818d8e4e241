// Seeded synthetic chest X-rays (8-bit grey) with their true infection mask and lung mask.
import { renderAnatomy } from "./cxr-anatomy";
import { applyArchiveLook, archiveFraming } from "./cxr-archive";
import { sampleAcquisition, sampleAnatomy, type AcquisitionBias } from "./cxr-geometry";
import { composeCxr } from "./cxr-compose";
import { makeFrame, makeGrid } from "./cxr-grid";
import { renderInfection, sampleRegionCount, type InfectionRegion } from "./cxr-infection";
import { toneTable } from "./cxr-tables";
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
  /**
   * Films as an archive holds them (lib/simulate/cxr-archive.ts): varied framing, uneven
   * exposure, collimator edges, burned-in labels. Off by default, so seeded datasets and the
   * figures measured on them stay as they are. The masks follow the framing but not the
   * overlays (a label or an edge band may cover a little of the lung).
   */
  archive?: boolean;
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
  /** 1 where infected (always inside `lungMask`), else 0; all zero for controls. */
  mask: Uint8Array;
  /** 1 inside the lung fields, else 0. */
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
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 16 || height < 16) {
    throw new Error(`image size must be whole pixels, at least 16x16: ${width}x${height}`);
  }
  if (label !== "covid" && label !== "control") throw new Error(`unknown label: ${String(label)}`);
  if (opts.regions !== undefined && !(Number.isInteger(opts.regions) && opts.regions >= 1 && opts.regions <= 12)) {
    throw new Error(`regions must be a whole number from 1 to 12, got ${opts.regions}`);
  }

  const anatomy = sampleAnatomy(
    createRng(opts.patientId ? hashSeed("patient", opts.patientId) : hashSeed("anatomy", seed)),
  );
  const sampled = sampleAcquisition(acqRng, opts.bias);
  const archiveRng = opts.archive ? createRng(hashSeed("archive", seed)) : null;
  const acq = archiveRng ? archiveFraming(sampled, archiveRng) : sampled;
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

  const { pixels, mask, lungMask, lungArea, maskArea } = composeCxr({
    grid,
    fields,
    infection: infection?.field ?? null,
    tone: toneTable(acq.lo, acq.hi, acq.gamma),
    grain: acq.grain,
    seed,
  });
  if (archiveRng) applyArchiveLook(pixels, width, height, archiveRng);

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
