// Renders the anatomy on the coarse grid as density (more = brighter), lung membership and rib fields.
import { blurField, fillPolygon, fractalNoise, valueNoise } from "./field-ops";
import type { Acquisition, Anatomy, LungShape } from "./cxr-geometry";
import type { Frame, Grid } from "./cxr-grid";
import { BUMP_MAX_Q, BUMP_STEPS, expTable, smooth, vesselTexture, VESSEL_SIZE } from "./cxr-tables";
import type { Rng } from "./prng";

export interface AnatomyFields {
  density: Float32Array;
  lung: Float32Array;
  ribPhase: Float32Array;
  ribAmp: Float32Array;
}

/** Closed lung outline in anatomy fractions; side -1 is the lung on the image's left. */
export function lungOutline(l: LungShape, side: -1 | 1, points = 120): { u: number[]; v: number[] } {
  const u: number[] = [];
  const v: number[] = [];
  for (let k = 0; k < points; k++) {
    const th = (2 * Math.PI * k) / points;
    const c = Math.cos(th);
    const s = Math.sin(th);
    const lateral = c >= 0;
    const lower = s >= 0;
    const n = lower ? (lateral ? l.nBotLat : l.nBotMed) : l.nTop;
    const rx = lateral ? l.rLat : l.rMed;
    const ry = lower ? l.rBot : l.rTop;
    let wob = 1;
    for (const w of l.wobble) wob += w.amp * Math.cos(w.k * th + w.phase);
    let px = rx * Math.sign(c) * Math.abs(c) ** (2 / n) * wob;
    let py = ry * Math.sign(s) * Math.abs(s) ** (2 / n) * wob;
    if (py < 0) px *= 1 - l.taper * Math.min(1, -py / l.rTop) ** 1.5;
    else {
      const xn = px / rx / 0.88;
      py -= l.dome * l.rBot * Math.max(0, 1 - xn * xn);
    }
    u.push(l.cx + side * px);
    v.push(l.cy + py);
  }
  return { u, v };
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

function ellipse(du: number, dv: number, rx: number, ry: number, cos: number, sin: number, soft: number) {
  const a = (du * cos + dv * sin) / rx;
  const b = (-du * sin + dv * cos) / ry;
  const r = Math.sqrt(a * a + b * b);
  return Math.min(1, Math.max(0, (1 - r) / soft + 0.5));
}

function lungMembership(grid: Grid, frame: Frame, a: Anatomy): Float32Array {
  const { lw, lh } = grid;
  const raw = new Float32Array(lw * lh);
  a.lungs.forEach((shape, k) => {
    const o = lungOutline(shape, k === 0 ? -1 : 1);
    fillPolygon(raw, lw, lh, o.u.map(frame.i), o.v.map(frame.j));
  });
  const soft = blurField(raw, lw, lh, 1, 2);
  const h = a.heart;
  const hc = Math.cos(h.tilt);
  const hs = Math.sin(h.tilt);
  const k = a.aorticKnob;
  for (let j = 0; j < lh; j++) {
    const v = frame.v(j);
    for (let i = 0; i < lw; i++) {
      const p = j * lw + i;
      if (soft[p] === 0) continue;
      const u = frame.u(i);
      const hv = (v - h.cy) / frame.aspect;
      const heart = ellipse(u - h.cx, hv > 0 ? hv * 0.4 : hv, h.rx, h.ry / frame.aspect, hc, hs, 0.06);
      const knob = ellipse(u - k.cx, (v - k.cy) / frame.aspect, k.r, k.r, 1, 0, 0.15);
      soft[p] *= (1 - heart) * (1 - knob);
    }
  }
  return soft;
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
  const tex = vesselTexture();
  const texMask = VESSEL_SIZE - 1;
  const texTurn = rng.uniform(0, VESSEL_SIZE);
  const texShift = rng.uniform(0, VESSEL_SIZE);

  const softU = 1.2 * frame.du;
  const { cx, clavicle: cl, ribs, hila, breasts, gastricBubble: gb } = a;
  const ribLen = ribs.bottom - ribs.top;
  const bone = acq.boneContrast;
  const lungR = a.lungs[1];
  const bubbleV = lungR.cy + lungR.rBot * (1 - 0.5 * lungR.dome) + (gb?.dy ?? 0);

  for (let j = 0; j < lh; j++) {
    const v = frame.v(j);
    const shoulder = Math.sqrt(smooth(a.shoulderY - 0.16, a.shoulderY + 0.06, v));
    const bw = a.neckHalfW + (a.bodyHalfW - a.neckHalfW) * shoulder;
    const basal = 1 - 0.3 * smooth(0.55, 0.8, v);
    const vert = (v - 0.02) / a.vertebraPeriod;
    const vf = vert - Math.floor(vert);
    const vertebra = 0.85 + 0.15 * smooth(0, 0.18, vf) * (1 - smooth(0.82, 1, vf));
    const trachea = smooth(a.carinaY + 0.02, a.carinaY - 0.02, v);
    const heel = 1 + acq.heel * (v - 0.5);
    for (let i = 0; i < lw; i++) {
      const p = j * lw + i;
      const u = frame.u(i);
      const dx = u - cx;
      const ax = Math.abs(dx);
      const side = dx < 0 ? -1 : 1;

      const body = Math.min(1, Math.max(0, (bw - ax) / softU + 0.5));
      const t = Math.min(1, ax / bw);
      let d = body * a.softTissue * (0.5 + 0.5 * Math.sqrt(1 - t * t));

      const L = lung[p];
      d -= L * (0.3 + 0.3 * inner[p]) * basal;


      const spine = Math.min(1, Math.max(0, (a.spineHalfW - ax) / (2.5 * softU) + 0.5));
      d += spine * 0.05 * vertebra * bone * body;
      d -= Math.min(1, Math.max(0, (a.tracheaHalfW - ax) / (1.5 * softU) + 0.5)) * trachea * 0.14;

      const ct = (ax - cl.medialX) / (cl.lateralX - cl.medialX);
      if (ct > -0.05 && ct < 1.05) {
        const yc = cl.medialY + (cl.lateralY - cl.medialY) * ct + cl.bow * Math.sin(Math.PI * ct);
        const q = Math.abs(v - yc) / (cl.thick * (0.75 + 0.35 * Math.sin(Math.PI * Math.min(1, Math.max(0, ct)))));
        if (q < 1.2) {
          const ends = smooth(-0.05, 0.12, ct) * (1 - smooth(0.85, 1.05, ct));
          d += 0.13 * bone * ends * (1 - smooth(0.6, 1.2, q)) * (0.8 + 0.35 * q * q);
        }
      }

      const rd = ax / a.thoraxHalfW;
      const yy = v - (ribs.drop * rd * rd * Math.sqrt(rd) - ribs.rise * rd) + 0.006 * ribWarp[p];
      const rt = (yy - ribs.top) / ribLen;
      ribPhase[p] = ribs.count * (rt <= 0 ? rt : rt < WARP_MAX ? warp[(rt * WARP_SCALE) | 0] : rt ** ribs.warp);
      const cage = (1 - smooth(0.98, 1.06, rd)) * smooth(-0.03, 0.02, rt) * (1 - smooth(1.0, 1.08, rt));
      ribAmp[p] = 0.11 * bone * cage * smooth(0.07, 0.2, rd) * (0.08 + 0.92 * L);

      if (rd > 0.25 && rd < 1.02) {
        const at = (v + 0.16 * rd - ribs.top - 0.1) / (ribLen * 0.8);
        const ap = at * (ribs.count - 3);
        const af = ap - Math.floor(ap);
        d += 0.07 * bone * L * smooth(0.25, 0.45, rd) * smooth(0, 0.1, at) * (af < 0.4 ? bump4(af / 0.4) : 0);
      }

      const hx = dx - side * hila.dx;
      const hy = (v - hila.y) / frame.aspect;
      const hr2 = (hx * hx + hy * hy) / (hila.r * hila.r);
      const hilum = hr2 < BUMP_MAX_Q ? expT[(hr2 * expScale) | 0] : 0;
      const near = hr2 < 9 * BUMP_MAX_Q ? expT[((hr2 / 9) * expScale) | 0] : 0;
      d += 0.07 * hilum * Math.max(L, 0.3 * body);
      if (L > 0.01) {
        const ang = Math.atan2(hy, side * hx);
        const r = Math.sqrt(hx * hx + hy * hy);
        const tu = ang * 38 + texTurn;
        const tv = Math.log(r + 0.03) * 16 + texShift;
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
        const vessel = top + (bot - top) * fv;
        const taper = smooth(0.4, 1.2, r / hila.r) * (0.2 + 0.8 * near);
        d += 0.36 * acq.markings * L * taper * vessel;
      }

      if (breasts) {
        const bu = (ax - (a.thoraxHalfW - breasts.rx * 0.6)) / breasts.rx;
        const bv = (v - breasts.y) / breasts.ry;
        const br = bu * bu + bv * bv;
        if (br < 1.6) d += breasts.density * (1 - smooth(0.8, 1.05, br)) * body;
      }
      if (gb && side > 0) {
        const gu = (dx - gb.dx) / gb.r;
        const gv = ((v - bubbleV) / frame.aspect) / (gb.r * 0.7);
        const g2 = gu * gu + gv * gv;
        if (g2 < 1.6) d -= 0.08 * (1 - smooth(0.5, 1.4, g2)) * (1 - L) * body;
      }

      d += acq.mottle * mottle[p] * (0.3 + body);
      density[p] = d * heel;
    }
  }
  return { density, lung, ribPhase, ribAmp };
}
