import { describe, expect, it } from "vitest";
import {
  boundingBox,
  close,
  connectedComponents,
  dice,
  dilate,
  erode,
  fillHoles,
  fractionInside,
  intersect,
  iou,
  maskArea,
  open,
  removeSmallComponents,
  signedDistance,
  squaredDistanceToForeground,
  subtract,
  traceContour,
  union,
} from "../../../lib/simulate/mask-ops";

function fromRows(rows: string[]): { mask: Uint8Array; w: number; h: number } {
  const h = rows.length;
  const w = rows[0].length;
  const mask = new Uint8Array(w * h);
  rows.forEach((r, y) => [...r].forEach((c, x) => (mask[y * w + x] = c === "#" ? 1 : 0)));
  return { mask, w, h };
}

function disk(w: number, h: number, cx: number, cy: number, r: number): Uint8Array {
  const m = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) m[y * w + x] = 1;
  return m;
}

describe("mask-ops", () => {
  it("dice and iou on known overlaps, empty masks agree", () => {
    const a = Uint8Array.of(1, 1, 0, 0);
    const b = Uint8Array.of(1, 0, 1, 0);
    expect(dice(a, b)).toBeCloseTo(0.5);
    expect(iou(a, b)).toBeCloseTo(1 / 3);
    expect(dice(a, a)).toBe(1);
    expect(dice(new Uint8Array(4), new Uint8Array(4))).toBe(1);
    expect(iou(new Uint8Array(4), new Uint8Array(4))).toBe(1);
    expect(dice(a, new Uint8Array(4))).toBe(0);
    expect(() => dice(a, new Uint8Array(3))).toThrow();
  });

  it("set operations and fractions", () => {
    const a = Uint8Array.of(1, 1, 0, 0);
    const b = Uint8Array.of(0, 1, 1, 0);
    expect([...union(a, b)]).toEqual([1, 1, 1, 0]);
    expect([...intersect(a, b)]).toEqual([0, 1, 0, 0]);
    expect([...subtract(a, b)]).toEqual([1, 0, 0, 0]);
    expect(fractionInside(a, b)).toBe(0.5);
    expect(fractionInside(new Uint8Array(4), b)).toBe(1);
  });

  it("labels components with 8- and 4-connectivity", () => {
    const { mask, w, h } = fromRows(["##...", "##...", "..#..", "...#."]);
    const eight = connectedComponents(mask, w, h);
    expect(eight.count).toBe(1);
    expect(eight.components[0].area).toBe(6);
    const four = connectedComponents(mask, w, h, 4);
    expect(four.count).toBe(3);
    expect(four.components.map((c) => c.area).sort()).toEqual([1, 1, 4]);
    expect(four.components[0].bbox).toEqual({ x0: 0, y0: 0, x1: 1, y1: 1 });
    expect(boundingBox(mask, w, h)).toEqual({ x: 0, y: 0, width: 4, height: 4 });
    expect(boundingBox(new Uint8Array(4), 2, 2)).toBeNull();
  });

  it("dilates and erodes with a disk", () => {
    const w = 101;
    const point = new Uint8Array(w * w);
    point[50 * w + 50] = 1;
    const d = dilate(point, w, w, 10);
    expect(maskArea(d)).toBeGreaterThan(Math.PI * 100 * 0.95);
    expect(maskArea(d)).toBeLessThan(Math.PI * 100 * 1.08);
    expect(d[50 * w + 60]).toBe(1);
    expect(d[50 * w + 61]).toBe(0);
    expect(d[57 * w + 57]).toBe(1);
    expect(d[58 * w + 58]).toBe(0);
    const big = disk(w, w, 50, 50, 30);
    const e = erode(big, w, w, 10);
    expect(dice(e, disk(w, w, 50, 50, 20))).toBeGreaterThan(0.97);
    expect(dice(open(big, w, w, 5), big)).toBeGreaterThan(0.97);
    expect(dice(close(big, w, w, 5), big)).toBeGreaterThan(0.97);
  });

  it("computes exact distances", () => {
    const { mask, w, h } = fromRows(["#....", ".....", "....."]);
    const d2 = squaredDistanceToForeground(mask, w, h);
    expect(d2[0]).toBe(0);
    expect(d2[2 * w + 4]).toBe(4 * 4 + 2 * 2);
    const sd = signedDistance(fromRows([".....", ".###.", ".###.", ".###.", "....."]).mask, 5, 5);
    expect(sd[2 * 5 + 2]).toBe(-2);
    expect(sd[1 * 5 + 1]).toBe(-1);
    expect(sd[0]).toBeCloseTo(Math.SQRT2);
  });

  it("fills holes but not bays open to the border", () => {
    const { mask, w, h } = fromRows(["#####.", "#...#.", "#####.", "...#..", "..#.#.", "...#.."]);
    const filled = fillHoles(mask, w, h);
    expect(filled[1 * w + 2]).toBe(1);
    expect(filled[4 * w + 3]).toBe(1);
    expect(filled[0 * w + 5]).toBe(0);
    expect(maskArea(filled)).toBe(maskArea(mask) + 4);
  });

  it("removes small components", () => {
    const { mask, w, h } = fromRows(["##..#", "##...", "....."]);
    const out = removeSmallComponents(mask, w, h, 2);
    expect(maskArea(out)).toBe(4);
    expect(out[4]).toBe(0);
  });

  it("traces a closed outer contour", () => {
    const { mask, w, h } = fromRows([".....", ".###.", ".###.", ".###.", "....."]);
    const cc = connectedComponents(mask, w, h);
    const c = traceContour(cc.labels, w, h, 1);
    expect(c.x.length).toBe(8);
    expect(new Set(c.x.map((x, i) => `${x},${c.y[i]}`)).size).toBe(8);
    expect(c.x[0]).toBe(1);
    expect(c.y[0]).toBe(1);
    const single = fromRows(["...", ".#.", "..."]);
    expect(traceContour(connectedComponents(single.mask, 3, 3).labels, 3, 3, 1).x).toEqual([1]);
  });
});
