// Lung fields on the coarse grid: two superellipse-based outlines with diaphragm domes, minus the heart
// and aortic knob, with softened edges.
import { blurField, fillPolygon } from "./field-ops";
import type { Anatomy, LungShape } from "./cxr-geometry";
import type { Frame, Grid } from "./cxr-grid";

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

/** Soft membership (0–1) of a rotated ellipse; `soft` is the edge width as a share of the radius. */
export function ellipseMembership(
  du: number,
  dv: number,
  rx: number,
  ry: number,
  cos: number,
  sin: number,
  soft: number,
) {
  const a = (du * cos + dv * sin) / rx;
  const b = (-du * sin + dv * cos) / ry;
  const r = Math.sqrt(a * a + b * b);
  return Math.min(1, Math.max(0, (1 - r) / soft + 0.5));
}

export function lungMembership(grid: Grid, frame: Frame, a: Anatomy): Float32Array {
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
    const hv = (v - h.cy) / frame.aspect;
    // Below its centre the heart is stretched downwards so it meets the diaphragm (cardiophrenic angles).
    const hvs = hv > 0 ? hv * 0.4 : hv;
    const kv = (v - k.cy) / frame.aspect;
    for (let i = 0; i < lw; i++) {
      const p = j * lw + i;
      if (soft[p] === 0) continue;
      const u = frame.u(i);
      const heart = ellipseMembership(u - h.cx, hvs, h.rx, h.ry / frame.aspect, hc, hs, 0.06);
      const knob = ellipseMembership(u - k.cx, kv, k.r, k.r, 1, 0, 0.15);
      soft[p] *= (1 - heart) * (1 - knob);
    }
  }
  return soft;
}
