// Renders the anatomy on the coarse grid as density (more = brighter), lung membership and rib fields.
// Terms that depend only on the column or only on the row are computed once per column/row.
import { blurField, fractalNoise, smooth, valueNoise } from "./field-ops";
import type { Acquisition, Anatomy } from "./cxr-geometry";
import type { Frame, Grid } from "./cxr-grid";
import { lungMembership } from "./cxr-lungs";
import { BUMP_MAX_Q, BUMP_STEPS, expTable } from "./cxr-tables";
import { addVesselMarkings } from "./cxr-vessels";
import type { Rng } from "./prng";

export interface AnatomyFields {
  density: Float32Array;
  lung: Float32Array;
  /** Rib position: its fractional part is the position within one rib period. */
  ribPhase: Float32Array;
  ribAmp: Float32Array;
}

const WARP_MAX = 1.25;
const WARP_STEPS = 1024;
const WARP_SCALE = WARP_STEPS / WARP_MAX;

function powTable(exponent: number): Float32Array {
  const t = new Float32Array(WARP_STEPS + 1);
  for (let k = 0; k <= WARP_STEPS; k++) t[k] = (k / WARP_SCALE) ** exponent;
  return t;
}

function bump4(x: number): number {
  const y = x * (1 - x);
  return 16 * y * y;
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

interface Columns {
  ax: Float32Array;
  dx: Float32Array;
  spine: Float32Array;
  trachea: Float32Array;
  rd: Float32Array;
  ribCurve: Float32Array;
  cage: Float32Array;
  anterior: Float32Array;
  clavEnds: Float32Array;
  clavY: Float32Array;
  clavThick: Float32Array;
}

function columns(grid: Grid, frame: Frame, a: Anatomy): Columns {
  const n = grid.lw;
  const c: Columns = {
    ax: new Float32Array(n),
    dx: new Float32Array(n),
    spine: new Float32Array(n),
    trachea: new Float32Array(n),
    rd: new Float32Array(n),
    ribCurve: new Float32Array(n),
    cage: new Float32Array(n),
    anterior: new Float32Array(n),
    clavEnds: new Float32Array(n),
    clavY: new Float32Array(n),
    clavThick: new Float32Array(n),
  };
  const softU = 1.2 * frame.du;
  const { clavicle: cl, ribs } = a;
  for (let i = 0; i < n; i++) {
    const dx = frame.u(i) - a.cx;
    const ax = Math.abs(dx);
    const rd = ax / a.thoraxHalfW;
    c.dx[i] = dx;
    c.ax[i] = ax;
    c.rd[i] = rd;
    c.spine[i] = clamp01((a.spineHalfW - ax) / (2.5 * softU) + 0.5);
    c.trachea[i] = clamp01((a.tracheaHalfW - ax) / (1.5 * softU) + 0.5);
    c.ribCurve[i] = ribs.drop * rd * rd * Math.sqrt(rd) - ribs.rise * rd;
    c.cage[i] = (1 - smooth(0.98, 1.06, rd)) * smooth(0.07, 0.2, rd);
    c.anterior[i] = rd < 1.02 ? smooth(0.25, 0.45, rd) : 0;
    const ct = (ax - cl.medialX) / (cl.lateralX - cl.medialX);
    if (ct > -0.05 && ct < 1.05) {
      c.clavEnds[i] = smooth(-0.05, 0.12, ct) * (1 - smooth(0.85, 1.05, ct));
      c.clavY[i] = cl.medialY + (cl.lateralY - cl.medialY) * ct + cl.bow * Math.sin(Math.PI * ct);
      c.clavThick[i] = cl.thick * (0.75 + 0.35 * Math.sin(Math.PI * clamp01(ct)));
    }
  }
  return c;
}

export function renderAnatomy(grid: Grid, frame: Frame, a: Anatomy, acq: Acquisition, rng: Rng): AnatomyFields {
  const { lw, lh } = grid;
  const n = lw * lh;
  const lung = lungMembership(grid, frame, a);
  const inner = blurField(lung, lw, lh, Math.max(2, Math.round(lw / 24)), 2);
  const mottle = fractalNoise(rng.fork("mottle"), lw, lh, Math.max(2, lw / 24), 2);
  const ribWarp = valueNoise(rng.fork("rib-warp"), lw, lh, Math.max(2, lw / 6));
  const warp = powTable(a.ribs.warp);
  const expT = expTable();
  const expScale = BUMP_STEPS / BUMP_MAX_Q;
  const density = new Float32Array(n);
  const ribPhase = new Float32Array(n);
  const ribAmp = new Float32Array(n);
  const col = columns(grid, frame, a);

  const softU = 1.2 * frame.du;
  const { ribs, hila, breasts, gastricBubble: gb } = a;
  const ribLen = ribs.bottom - ribs.top;
  const bone = acq.boneContrast;
  const lungR = a.lungs[1];
  const bubbleV = lungR.cy + lungR.rBot * (1 - 0.5 * lungR.dome) + (gb?.dy ?? 0);
  const hilaR2 = hila.r * hila.r;

  for (let j = 0; j < lh; j++) {
    const v = frame.v(j);
    const shoulder = Math.sqrt(smooth(a.shoulderY - 0.16, a.shoulderY + 0.06, v));
    const bw = a.neckHalfW + (a.bodyHalfW - a.neckHalfW) * shoulder;
    const basal = 1 - 0.3 * smooth(0.55, 0.8, v);
    const vert = (v - 0.02) / a.vertebraPeriod;
    const vf = vert - Math.floor(vert);
    const spineGain = 0.05 * bone * (0.85 + 0.15 * smooth(0, 0.18, vf) * (1 - smooth(0.82, 1, vf)));
    const trachea = 0.14 * smooth(a.carinaY + 0.02, a.carinaY - 0.02, v);
    const heel = 1 + acq.heel * (v - 0.5);
    const hy = (v - hila.y) / frame.aspect;
    const breastV = breasts ? (v - breasts.y) / breasts.ry : 0;
    const bubbleDv = gb ? (v - bubbleV) / frame.aspect / (gb.r * 0.7) : 0;
    for (let i = 0; i < lw; i++) {
      const p = j * lw + i;
      const ax = col.ax[i];
      const body = clamp01((bw - ax) / softU + 0.5);
      const t = ax < bw ? ax / bw : 1;
      let d = body * a.softTissue * (0.5 + 0.5 * Math.sqrt(1 - t * t));

      const L = lung[p];
      d -= L * (0.3 + 0.3 * inner[p]) * basal;
      d += col.spine[i] * spineGain * body - col.trachea[i] * trachea;

      const ce = col.clavEnds[i];
      if (ce > 0) {
        const q = Math.abs(v - col.clavY[i]) / col.clavThick[i];
        if (q < 1.2) d += 0.13 * bone * ce * (1 - smooth(0.6, 1.2, q)) * (0.8 + 0.35 * q * q);
      }

      const rt = (v - col.ribCurve[i] + 0.006 * ribWarp[p] - ribs.top) / ribLen;
      ribPhase[p] = ribs.count * (rt <= 0 ? rt : rt < WARP_MAX ? warp[(rt * WARP_SCALE) | 0] : rt ** ribs.warp);
      const cage = col.cage[i];
      if (cage > 0 && rt > -0.03 && rt < 1.08) {
        const fade = smooth(-0.03, 0.02, rt) * (1 - smooth(1.0, 1.08, rt)) * (1 - 0.45 * smooth(0.45, 0.9, rt));
        ribAmp[p] = 0.12 * bone * cage * fade * (0.08 + 0.92 * L);
      }

      const ant = col.anterior[i];
      if (ant > 0 && L > 0) {
        const at = (v + 0.16 * col.rd[i] - ribs.top - 0.1) / (ribLen * 0.8);
        const ap = at * (ribs.count - 3);
        const af = ap - Math.floor(ap);
        if (af < 0.4 && at > 0) d += 0.07 * bone * L * ant * smooth(0, 0.1, at) * bump4(af / 0.4);
      }

      const dx = col.dx[i];
      const hx = dx < 0 ? dx + hila.dx : dx - hila.dx;
      const hr2 = (hx * hx + hy * hy) / hilaR2;
      if (hr2 < BUMP_MAX_Q) d += 0.07 * expT[(hr2 * expScale) | 0] * Math.max(L, 0.3 * body);

      if (breasts) {
        const bu = (ax - (a.thoraxHalfW - breasts.rx * 0.6)) / breasts.rx;
        const br = bu * bu + breastV * breastV;
        // Seen over the lower lung fields only; the soft tissue of the abdomen already hides it.
        if (br < 1.3) d += breasts.density * (1 - smooth(0.55, 1.05, br)) * L;
      }
      if (gb && dx > 0) {
        const gu = (dx - gb.dx) / gb.r;
        const g2 = gu * gu + bubbleDv * bubbleDv;
        if (g2 < 1.6) d -= 0.08 * (1 - smooth(0.5, 1.4, g2)) * (1 - L) * body;
      }

      d += acq.mottle * mottle[p] * (0.3 + body);
      density[p] = d * heel;
    }
  }
  addVesselMarkings(density, lung, grid, frame, a, acq, rng.fork("vessels"));
  return { density, lung, ribPhase, ribAmp };
}
