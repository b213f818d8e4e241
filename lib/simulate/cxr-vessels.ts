// Lung markings: a ridged texture sampled in polar coordinates around each hilum, so the bright lines
// radiate from the hila and fade towards the periphery.
import type { Acquisition, Anatomy } from "./cxr-geometry";
import type { Frame, Grid } from "./cxr-grid";
import { BUMP_MAX_Q, BUMP_STEPS, expTable, vesselTexture, VESSEL_SIZE } from "./cxr-tables";
import { smooth } from "./field-ops";
import type { Rng } from "./prng";

export function addVesselMarkings(
  density: Float32Array,
  lung: Float32Array,
  grid: Grid,
  frame: Frame,
  a: Anatomy,
  acq: Acquisition,
  rng: Rng,
) {
  const { lw, lh } = grid;
  const tex = vesselTexture();
  const texMask = VESSEL_SIZE - 1;
  const turn = rng.uniform(0, VESSEL_SIZE);
  const shift = rng.uniform(0, VESSEL_SIZE);
  const expT = expTable();
  const expScale = BUMP_STEPS / BUMP_MAX_Q;
  const { hila, cx } = a;
  const r2 = hila.r * hila.r;
  const gain = 0.36 * acq.markings;
  for (let j = 0; j < lh; j++) {
    const hy = (frame.v(j) - hila.y) / frame.aspect;
    for (let i = 0; i < lw; i++) {
      const p = j * lw + i;
      const L = lung[p];
      if (L <= 0.01) continue;
      const dx = frame.u(i) - cx;
      const side = dx < 0 ? -1 : 1;
      const hx = dx - side * hila.dx;
      const q = (hx * hx + hy * hy) / r2 / 9;
      const near = q < BUMP_MAX_Q ? expT[(q * expScale) | 0] : 0;
      const r = Math.sqrt(hx * hx + hy * hy);
      const tu = Math.atan2(hy, side * hx) * 38 + turn;
      const tv = Math.log(r + 0.03) * 16 + shift;
      const ti = Math.floor(tu);
      const tj = Math.floor(tv);
      const fu = tu - ti;
      const fv = tv - tj;
      const r0 = (tj & texMask) * VESSEL_SIZE;
      const r1 = ((tj + 1) & texMask) * VESSEL_SIZE;
      const c0 = ti & texMask;
      const c1 = (ti + 1) & texMask;
      const top = tex[r0 + c0] + (tex[r0 + c1] - tex[r0 + c0]) * fu;
      const bot = tex[r1 + c0] + (tex[r1 + c1] - tex[r1 + c0]) * fu;
      const taper = smooth(0.4, 1.2, r / hila.r) * (0.2 + 0.8 * near);
      density[p] += gain * L * taper * (top + (bot - top) * fv);
    }
  }
}
