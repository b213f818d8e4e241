// Ground-glass / consolidation-like opacities on the coarse grid: blobby soft-edged haze inside the lungs,
// plus the field whose threshold is the true infection mask.
import { blurField, fractalNoise, smooth } from "./field-ops";
import type { Frame, Grid } from "./cxr-grid";
import { BUMP_MAX_Q, BUMP_STEPS, expTable } from "./cxr-tables";
import type { Rng } from "./prng";

/** The infection field is thresholded here (before clipping to the lungs) to give the true mask. */
export const INFECTION_THRESHOLD = 0.5;

export interface InfectionRegion {
  /** Which side of the image (not of the patient) the region sits on. */
  side: "left" | "right";
  /** Centre and nominal radius in full-resolution pixels. */
  cx: number;
  cy: number;
  radius: number;
  /** Added density at the core (the lungs are ~0.35–0.65 darker than soft tissue). */
  contrast: number;
  lobes: number;
}

export interface InfectionFields {
  field: Float32Array;
  haze: Float32Array;
  regions: InfectionRegion[];
}

interface Lobe {
  i: number;
  j: number;
  sx: number;
  sy: number;
  w: number;
}

export function sampleRegionCount(rng: Rng): number {
  return rng.weighted([1, 2, 3, 4], [0.3, 0.33, 0.22, 0.15]);
}

function pickCentre(rng: Rng, grid: Grid, frame: Frame, lung: Float32Array, anatomyCx: number) {
  const { lw, lh } = grid;
  for (let attempt = 0; attempt < 4000; attempt++) {
    const i = rng.int(0, lw - 1);
    const j = rng.int(0, lh - 1);
    if (lung[j * lw + i] < 0.95) continue;
    const periph = smooth(0.1, 0.38, Math.abs(frame.u(i) - anatomyCx));
    const low = smooth(0.25, 0.7, frame.v(j));
    if (attempt < 3000 && !rng.chance(0.15 + 0.85 * periph * (0.3 + 0.7 * low))) continue;
    return { i, j };
  }
  let best = 0;
  for (let p = 1; p < lung.length; p++) if (lung[p] > lung[best]) best = p;
  return { i: best % lw, j: Math.floor(best / lw) };
}

export function renderInfection(
  grid: Grid,
  frame: Frame,
  lung: Float32Array,
  anatomyCx: number,
  count: number,
  rng: Rng,
): InfectionFields {
  const { lw, lh, factor } = grid;
  const field = new Float32Array(lw * lh);
  const haze = new Float32Array(lw * lh);
  const edge = fractalNoise(rng.fork("edge"), lw, lh, Math.max(2, lw / 18), 2);
  const patch = fractalNoise(rng.fork("patch"), lw, lh, Math.max(2, lw / 20), 2);
  const table = expTable();
  const qScale = BUMP_STEPS / BUMP_MAX_Q;
  const regions: InfectionRegion[] = [];
  const shrink = count > 2 ? 0.8 : 1;

  for (let r = 0; r < count; r++) {
    const c = pickCentre(rng, grid, frame, lung, anatomyCx);
    const radius = ((rng.uniform(0.035, 0.07) + rng.uniform(0, 0.07) ** 1.3 * 1.5) * shrink) / frame.du;
    // Peripheral opacities tend to run along the chest wall: stretch them vertically.
    const stretch = 1 + 0.6 * smooth(0.2, 0.35, Math.abs(frame.u(c.i) - anatomyCx)) * rng.next();
    const contrast = rng.chance(0.2) ? rng.uniform(0.08, 0.14) : rng.uniform(0.18, 0.38);
    const lobes: Lobe[] = [];
    const nLobes = rng.int(3, 8);
    for (let k = 0; k < nLobes; k++) {
      const a = rng.uniform(0, 2 * Math.PI);
      const d = k === 0 ? 0 : radius * Math.sqrt(rng.next());
      const s = Math.max(2.5, radius * rng.uniform(0.25, 0.5));
      lobes.push({
        i: c.i + d * Math.cos(a),
        j: c.j + d * Math.sin(a) * stretch,
        sx: s * rng.uniform(0.7, 1.3),
        sy: s * rng.uniform(0.7, 1.3) * stretch,
        w: k === 0 ? 0.95 : rng.uniform(0.6, 0.95),
      });
    }
    let i0 = lw;
    let i1 = 0;
    let j0 = lh;
    let j1 = 0;
    for (const l of lobes) {
      const ext = 2.6;
      i0 = Math.min(i0, Math.floor(l.i - ext * l.sx));
      i1 = Math.max(i1, Math.ceil(l.i + ext * l.sx));
      j0 = Math.min(j0, Math.floor(l.j - ext * l.sy));
      j1 = Math.max(j1, Math.ceil(l.j + ext * l.sy));
    }
    i0 = Math.max(0, i0);
    j0 = Math.max(0, j0);
    i1 = Math.min(lw - 1, i1);
    j1 = Math.min(lh - 1, j1);
    for (let j = j0; j <= j1; j++) {
      for (let i = i0; i <= i1; i++) {
        let keep = 1;
        for (const l of lobes) {
          const a = (i - l.i) / l.sx;
          const b = (j - l.j) / l.sy;
          const q = 0.5 * (a * a + b * b);
          if (q < BUMP_MAX_Q) keep *= 1 - l.w * table[(q * qScale) | 0];
        }
        const p = j * lw + i;
        const f = (1 - keep) * (1 + 0.35 * edge[p]);
        if (f > field[p]) field[p] = f;
        haze[p] += contrast * smooth(0.1, 0.9, f) * (0.9 + 0.3 * patch[p]) * lung[p];
      }
    }
    regions.push({
      side: frame.u(c.i) < anatomyCx ? "left" : "right",
      cx: c.i * factor,
      cy: c.j * factor,
      radius: radius * factor,
      contrast,
      lobes: nLobes,
    });
  }
  return { field, haze: blurField(haze, lw, lh, 1, 1), regions };
}
