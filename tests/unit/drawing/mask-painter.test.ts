import { describe, expect, it } from "vitest";
import { capsuleSpans, holeSpans, polygonSpans } from "../../../app/_components/draw/mask-raster";
import { MaskPainter } from "../../../app/_components/draw/mask-painter";
import { encodeBilevelPng } from "../../../lib/drawing/bilevel-png";
import { lut } from "../../../app/_components/draw/window-level";
import { fitView, toImage, toScreen, zoomAt } from "../../../app/_components/draw/viewport";
import { decodeMaskPng } from "../../../lib/masks/png-codec";

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function rasterize(w: number, h: number, fn: (visit: (y: number, x0: number, x1: number) => void) => void) {
  const m = new Uint8Array(w * h);
  fn((y, x0, x1) => m.fill(1, y * w + x0, y * w + x1));
  return m;
}

function distToSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number) {
  const dx = bx - ax,
    dy = by - ay;
  const l2 = dx * dx + dy * dy;
  const t = l2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / l2));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

function winding(px: number, py: number, pts: number[]) {
  let wn = 0;
  const n = pts.length / 2;
  for (let i = 0; i < n; i++) {
    const [x0, y0, x1, y1] = [pts[2 * i], pts[2 * i + 1], pts[(2 * i + 2) % pts.length], pts[(2 * i + 3) % pts.length]];
    const cross = (x1 - x0) * (py - y0) - (px - x0) * (y1 - y0);
    if (y0 <= py && y1 > py && cross > 0) wn++;
    else if (y0 > py && y1 <= py && cross < 0) wn--;
  }
  return wn;
}

const diff = (a: Uint8Array, b: Uint8Array) => a.reduce((n, v, i) => n + (v !== b[i] ? 1 : 0), 0);

describe("mask raster", () => {
  it("a capsule covers exactly the pixels whose centre is within r of the segment", () => {
    const r = rng(7);
    const w = 97,
      h = 83;
    for (let k = 0; k < 40; k++) {
      const [ax, ay, bx, by] = [r() * w, r() * h, r() * w, r() * h];
      const rad = 0.5 + r() * 15;
      const got = rasterize(w, h, (v) =>
        capsuleSpans(ax, ay, k % 5 === 0 ? ax : bx, k % 5 === 0 ? ay : by, rad, w, h, v),
      );
      const want = new Uint8Array(w * h);
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++)
          want[y * w + x] =
            distToSegment(x + 0.5, y + 0.5, ax, ay, k % 5 === 0 ? ax : bx, k % 5 === 0 ? ay : by) <= rad ? 1 : 0;
      expect(diff(got, want)).toBeLessThanOrEqual(1); // float ties on the boundary only
    }
  });

  it("a polygon fills by the non-zero rule, loops of a lasso included", () => {
    const r = rng(3);
    const w = 120,
      h = 90;
    for (let k = 0; k < 30; k++) {
      const pts: number[] = [];
      for (let i = 0; i < 3 + (k % 9); i++) pts.push(r() * (w + 20) - 10, r() * (h + 20) - 10);
      const got = rasterize(w, h, (v) => polygonSpans(pts, w, h, v));
      const want = new Uint8Array(w * h);
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) want[y * w + x] = winding(x + 0.5, y + 0.5, pts) !== 0 ? 1 : 0;
      expect(diff(got, want)).toBeLessThanOrEqual(2);
    }
  });
});

describe("fill holes", () => {
  it("fills exactly the background not 4-connected to the outside of the image", () => {
    const r = rng(5);
    for (let k = 0; k < 25; k++) {
      const w = 20 + Math.floor(r() * 60),
        h = 20 + Math.floor(r() * 60);
      const m = new Uint8Array(w * h);
      for (let i = 0; i < m.length; i++) m[i] = r() < 0.45 ? 1 : 0;
      const got = m.slice();
      holeSpans(m, w, h, (y, x0, x1) => got.fill(1, y * w + x0, y * w + x1));
      // Brute force: flood the background from every border pixel of the image.
      const reach = new Uint8Array(w * h);
      const stack: number[] = [];
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          if ((x === 0 || y === 0 || x === w - 1 || y === h - 1) && !m[y * w + x]) {
            reach[y * w + x] = 1;
            stack.push(y * w + x);
          }
        }
      while (stack.length) {
        const i = stack.pop()!,
          x = i % w,
          y = (i / w) | 0;
        for (const [nx, ny] of [
          [x - 1, y],
          [x + 1, y],
          [x, y - 1],
          [x, y + 1],
        ]) {
          const j = ny * w + nx;
          if (nx >= 0 && ny >= 0 && nx < w && ny < h && !m[j] && !reach[j]) {
            reach[j] = 1;
            stack.push(j);
          }
        }
      }
      const want = m.map((v, i) => (v || !reach[i] ? 1 : 0));
      expect(diff(got, want)).toBe(0);
    }
  });
});

describe("mask painter", () => {
  it("fills holes inside closed regions only", () => {
    const p = new MaskPainter(60, 40);
    // A ring (closed) and a C shape (open to the right).
    for (let a = 0; a < 64; a++) {
      const t0 = (a / 64) * 2 * Math.PI,
        t1 = ((a + 1) / 64) * 2 * Math.PI;
      p.stroke(15 + 10 * Math.cos(t0), 20 + 10 * Math.sin(t0), 15 + 10 * Math.cos(t1), 20 + 10 * Math.sin(t1), 1.5, 1);
    }
    p.stroke(50, 8, 38, 8, 1.5, 1);
    p.stroke(38, 8, 38, 32, 1.5, 1);
    p.stroke(38, 32, 50, 32, 1.5, 1);
    const before = p.area;
    p.fillHoles();
    expect(p.mask[20 * 60 + 15]).toBe(1);
    expect(p.mask[20 * 60 + 45]).toBe(0);
    expect(p.area).toBeGreaterThan(before + 200);
    p.undo();
    expect(p.area).toBe(before);
  });

  it("undo and redo walk many steps back and forth exactly, with the area kept in step", () => {
    const r = rng(11);
    const w = 300,
      h = 200;
    const p = new MaskPainter(w, h);
    const states: Uint8Array[] = [p.mask.slice()];
    for (let k = 0; k < 60; k++) {
      p.beginEdit();
      const kind = k % 6;
      if (kind === 4) p.fillPolygon([r() * w, r() * h, r() * w, r() * h, r() * w, r() * h], k % 12 === 4 ? 0 : 1);
      else if (kind === 5 && k % 4 === 1) p.clear();
      else for (let s = 0; s < 5; s++) p.stroke(r() * w, r() * h, r() * w, r() * h, 2 + r() * 20, kind === 3 ? 0 : 1);
      if (p.endEdit()) states.push(p.mask.slice());
    }
    const count = (m: Uint8Array) => m.reduce((a, b) => a + b, 0);
    for (let i = states.length - 1; i > 0; i--) {
      expect(diff(p.mask, states[i])).toBe(0);
      expect(p.area).toBe(count(states[i]));
      expect(p.undo()).toBe(true);
    }
    expect(diff(p.mask, states[0])).toBe(0);
    expect(p.undo()).toBe(false);
    for (let i = 1; i < states.length; i++) {
      expect(p.redo()).toBe(true);
      expect(diff(p.mask, states[i])).toBe(0);
    }
    expect(p.area).toBe(count(states[states.length - 1]));
  });

  it("the overlay shows the mask, or only its outline", () => {
    const p = new MaskPainter(20, 20);
    p.fillPolygon([5, 5, 15, 5, 15, 15, 5, 15], 1);
    expect(p.flushOverlay()).toEqual({ x0: 5, y0: 5, x1: 15, y1: 15 });
    expect(p.rgba[(10 * 20 + 10) * 4 + 3]).toBe(255);
    p.setOutlineOnly(true);
    p.flushOverlay();
    expect(p.rgba[(10 * 20 + 10) * 4 + 3]).toBe(0);
    expect(p.rgba[(5 * 20 + 10) * 4 + 3]).toBe(255);
    expect(p.flushOverlay()).toBeNull();
  });
});

describe("mask PNG from the browser", () => {
  it("round-trips through the server's decoder at odd widths", async () => {
    for (const [w, h] of [
      [13, 7],
      [64, 1],
      [1001, 333],
    ]) {
      const p = new MaskPainter(w, h);
      p.stroke(0, 0, w, h, Math.max(1, h / 4), 1);
      p.fillPolygon([w / 2, 0, w, h / 2, w / 2, h], 1);
      const png = encodeBilevelPng(p.mask, w, h);
      const back = await decodeMaskPng(png);
      expect([back.width, back.height]).toEqual([w, h]);
      expect(diff(back.mask, p.mask)).toBe(0);
    }
  });
});

describe("window/level and viewport", () => {
  it("maps gray values through the window, inverted on request", () => {
    expect(Array.from(lut({ level: 128, width: 256, invert: false }).subarray(0, 3))).toEqual([0, 1, 2]);
    const narrow = lut({ level: 100, width: 50, invert: false });
    expect([narrow[74], narrow[100], narrow[126]]).toEqual([0, 128, 255]);
    expect(lut({ level: 128, width: 256, invert: true })[0]).toBe(255);
  });

  it("zooming keeps the point under the cursor fixed", () => {
    const v = fitView(800, 600, 3000, 2000);
    const [ix, iy] = toImage(v, 400, 250);
    const z = zoomAt(v, 400, 250, 3);
    const [sx, sy] = toScreen(z, ix, iy);
    expect(sx).toBeCloseTo(400, 6);
    expect(sy).toBeCloseTo(250, 6);
  });
});
