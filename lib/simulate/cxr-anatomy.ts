// Renders the anatomy on the coarse grid as density (more = brighter), lung membership and rib fields.
import { blurField, fillPolygon, fractalNoise } from "./field-ops";
import type { Acquisition, Anatomy, LungShape } from "./cxr-geometry";
import type { Frame, Grid } from "./cxr-grid";
import { smooth, vesselTexture, VESSEL_SIZE } from "./cxr-tables";
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
      const xn = px / rx;
      py -= l.dome * l.rBot * Math.max(0, 1 - xn * xn);
    }
    u.push(l.cx + side * px);
    v.push(l.cy + py);
  }
  return { u, v };
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
      const heart = ellipse(u - h.cx, (v - h.cy) / frame.aspect, h.rx, h.ry / frame.aspect, hc, hs, 0.06);
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
  const mottle = fractalNoise(rng.fork("mottle"), lw, lh, Math.max(2, lw / 24), 3);
  const density = new Float32Array(n);
  const ribPhase = new Float32Array(n);
  const ribAmp = new Float32Array(n);
  const tex = vesselTexture();
  const texMask = VESSEL_SIZE - 1;
  const texTurn = rng.uniform(0, VESSEL_SIZE);
  const texShift = rng.uniform(0, VESSEL_SIZE);

  const softU = 1.2 * frame.du;
  const { cx, heart: hrt, clavicle: cl, ribs, hila, breasts, gastricBubble: gb } = a;
  const hc = Math.cos(hrt.tilt);
  const hs = Math.sin(hrt.tilt);
  const ribLen = ribs.bottom - ribs.top;
  const bone = acq.boneContrast;
  const lungR = a.lungs[1];
  const bubbleV = lungR.cy + lungR.rBot * (1 - 0.5 * lungR.dome) + (gb?.dy ?? 0);

  for (let j = 0; j < lh; j++) {
    const v = frame.v(j);
    const shoulder = smooth(a.shoulderY - 0.12, a.shoulderY + 0.04, v);
    const bw = a.neckHalfW + (a.bodyHalfW - a.neckHalfW) * shoulder;
    const vert = (v - 0.02) / a.vertebraPeriod;
    const vf = vert - Math.floor(vert);
    const vertebra = 0.75 + 0.25 * smooth(0, 0.18, vf) * (1 - smooth(0.82, 1, vf));
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
      let d = body * a.softTissue * (0.7 + 0.3 * Math.sqrt(1 - t * t));

      const L = lung[p];
      d -= L * (0.36 + 0.3 * inner[p]);

      const hdv = (v - hrt.cy) / frame.aspect;
      d += 0.1 * ellipse(dx - (hrt.cx - cx), hdv, hrt.rx, hrt.ry / frame.aspect, hc, hs, 0.05);

      const spine = Math.min(1, Math.max(0, (a.spineHalfW - ax) / softU + 0.5));
      d += spine * 0.15 * vertebra * bone * body;
      d -= Math.min(1, Math.max(0, (a.tracheaHalfW - ax) / softU + 0.5)) * trachea * 0.1;

      const ct = (ax - cl.medialX) / (cl.lateralX - cl.medialX);
      if (ct > -0.05 && ct < 1.05) {
        const yc = cl.medialY + (cl.lateralY - cl.medialY) * ct + cl.bow * Math.sin(Math.PI * ct);
        const q = Math.abs(v - yc) / cl.thick;
        if (q < 1.2) {
          const ends = smooth(-0.05, 0.05, ct) * (1 - smooth(0.95, 1.05, ct));
          d += 0.2 * bone * ends * (1 - smooth(0.75, 1.2, q)) * (0.85 + 0.3 * q * q);
        }
      }

      const rd = ax / a.thoraxHalfW;
      const yy = v - (ribs.drop * rd * rd * Math.sqrt(rd) - ribs.rise * rd);
      const rt = (yy - ribs.top) / ribLen;
      ribPhase[p] = rt > 0 ? ribs.count * rt ** ribs.warp : ribs.count * rt;
      const cage = (1 - smooth(0.98, 1.06, rd)) * smooth(-0.03, 0.02, rt) * (1 - smooth(1.0, 1.08, rt));
      ribAmp[p] = 0.2 * bone * cage * smooth(0.07, 0.2, rd) * (0.3 + 0.7 * L);

      if (rd > 0.25 && rd < 1.02) {
        const at = (v + 0.16 * rd - ribs.top - 0.1) / (ribLen * 0.8);
        const ap = at * (ribs.count - 3);
        const af = ap - Math.floor(ap);
        d += 0.045 * bone * L * smooth(0.25, 0.45, rd) * smooth(0, 0.1, at) * Math.sin(Math.PI * Math.min(1, af / 0.4)) ** 2 * (af < 0.4 ? 1 : 0);
      }

      const hx = dx - side * hila.dx;
      const hy = (v - hila.y) / frame.aspect;
      const hr2 = (hx * hx + hy * hy) / (hila.r * hila.r);
      const hilum = Math.exp(-hr2);
      const near = Math.exp(-hr2 / 9);
      d += 0.07 * hilum * Math.max(L, 0.3 * body);
      if (L > 0.01) {
        const ang = Math.atan2(hy, side * hx);
        const rad = Math.log(Math.sqrt(hx * hx + hy * hy) + 0.02);
        const tu = ((ang * 60 + texTurn) | 0) & texMask;
        const tv = ((rad * 28 + texShift) | 0) & texMask;
        d += 0.11 * acq.markings * L * (0.25 + 0.75 * near) * tex[tv * VESSEL_SIZE + tu];
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
        if (g2 < 1.4) d -= 0.18 * (1 - smooth(0.7, 1.2, g2)) * (1 - L) * body;
      }

      d += acq.mottle * mottle[p] * (0.3 + body);
      density[p] = d * heel;
    }
  }
  return { density, lung, ribPhase, ribAmp };
}
