import { describe, expect, it } from "vitest";
import { resizeBilinear, resizeMaskNearest } from "../../../lib/masks/resize";
import { AppError } from "../../../lib/errors/app-error";

describe("resizeMaskNearest", () => {
  it("doubles 2×2 into 2×2 blocks", () => {
    const out = resizeMaskNearest(Uint8Array.of(1, 0, 0, 1), 2, 2, 4, 4);
    expect(Array.from(out)).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1]);
  });

  it("samples pixel centres when shrinking", () => {
    // 4 → 2: centres at (0.5·2, 1.5·2) = 1, 3
    expect(Array.from(resizeMaskNearest(Uint8Array.of(0, 1, 0, 1), 4, 1, 2, 1))).toEqual([1, 1]);
    // 3 → 2: (0.5·1.5, 1.5·1.5) = 0.75, 2.25 → 0, 2
    expect(Array.from(resizeMaskNearest(Uint8Array.of(5, 6, 7), 3, 1, 2, 1))).toEqual([5, 7]);
    // 2 → 3 rows: (0.5, 1.5, 2.5)·2/3 = 0.33, 1, 1.67 → 0, 1, 1
    expect(Array.from(resizeMaskNearest(Uint8Array.of(0, 1), 1, 2, 1, 3))).toEqual([0, 1, 1]);
  });

  it("is the identity at the same size", () => {
    const m = Uint8Array.of(1, 0, 1, 1, 0, 0);
    expect(Array.from(resizeMaskNearest(m, 3, 2, 3, 2))).toEqual(Array.from(m));
  });

  it("rejects bad sizes", () => {
    expect(() => resizeMaskNearest(new Uint8Array(3), 2, 2, 4, 4)).toThrow(AppError);
    expect(() => resizeMaskNearest(new Uint8Array(4), 2, 2, 0, 4)).toThrow(AppError);
  });
});

describe("resizeBilinear", () => {
  it("upsamples 1-D with half-pixel centres and clamped edges", () => {
    // 2 → 4: source positions (d+0.5)/2 − 0.5 = −0.25, 0.25, 0.75, 1.25 → clamp → 0, 0.25, 0.75, 1
    expect(Array.from(resizeBilinear(Float32Array.of(0, 1), 2, 1, 4, 1))).toEqual([0, 0.25, 0.75, 1]);
  });

  it("upsamples 2×2 → 4×4 separably", () => {
    // v(x, y) = x + 2y on the source grid; out[y][x] = t[x] + 2·t[y] with t = 0, .25, .75, 1
    const out = resizeBilinear(Float32Array.of(0, 1, 2, 3), 2, 2, 4, 4);
    const t = [0, 0.25, 0.75, 1];
    const expected = t.flatMap((ty) => t.map((tx) => tx + 2 * ty));
    expect(Array.from(out)).toEqual(expected);
  });

  it("downsamples by averaging neighbours at the new centres", () => {
    // 4 → 2: positions 0.5 and 2.5
    expect(Array.from(resizeBilinear([0, 1, 2, 3], 4, 1, 2, 1))).toEqual([0.5, 2.5]);
  });

  it("keeps constants and the identity", () => {
    expect(Array.from(resizeBilinear(new Float32Array(6).fill(0.5), 3, 2, 7, 5)).every((v) => v === 0.5)).toBe(true);
    const src = Float32Array.of(0.1, 0.9, 0.3, 0.7);
    expect(Array.from(resizeBilinear(src, 2, 2, 2, 2))).toEqual(Array.from(src));
  });

  it("224 → native size and back keeps a smooth map close", () => {
    const n = 224;
    const src = new Float32Array(n * n);
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) src[y * n + x] = (x + y) / (2 * n);
    const up = resizeBilinear(src, n, n, 1000, 900);
    expect(up.length).toBe(900_000);
    const back = resizeBilinear(up, 1000, 900, n, n);
    let worst = 0;
    for (let y = 2; y < n - 2; y++)
      for (let x = 2; x < n - 2; x++) worst = Math.max(worst, Math.abs(back[y * n + x] - src[y * n + x]));
    expect(worst).toBeLessThan(1e-3);
  });
});
