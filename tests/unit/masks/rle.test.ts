import { describe, expect, it } from "vitest";
import {
  compressRle,
  decodeRle,
  decompressRle,
  encodeRle,
  rleArea,
  rleBbox,
  rleCountsFromString,
  rleCountsToString,
} from "../../../lib/masks/rle";
import { boundingBox, maskArea } from "../../../lib/masks/measures";
import { AppError } from "../../../lib/errors/app-error";

function randomMask(w: number, h: number, seed: number, density = 0.5): Uint8Array {
  let s = seed;
  const m = new Uint8Array(w * h);
  for (let i = 0; i < m.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    m[i] = s / 2 ** 32 < density ? 1 : 0;
  }
  return m;
}

describe("uncompressed COCO RLE", () => {
  // 3 rows × 2 columns, row-major:
  //   0 1
  //   1 1
  //   0 0
  // column-major: col 0 = 0,1,0; col 1 = 1,1,0 → 0 | 1 | 0 | 1 1 | 0 → counts 1,1,1,2,1
  const mask = Uint8Array.of(0, 1, 1, 1, 0, 0);

  it("encodes the hand-worked example", () => {
    expect(encodeRle(mask, 2, 3)).toEqual({ size: [3, 2], counts: [1, 1, 1, 2, 1] });
  });

  it("decodes it back to the row-major mask", () => {
    expect(Array.from(decodeRle({ size: [3, 2], counts: [1, 1, 1, 2, 1] }))).toEqual(Array.from(mask));
  });

  it("starts with a zero count when the first pixel is foreground", () => {
    expect(encodeRle(Uint8Array.of(1, 0, 0, 1), 2, 2).counts).toEqual([0, 1, 2, 1]);
    expect(encodeRle(new Uint8Array(6).fill(1), 3, 2).counts).toEqual([0, 6]);
    expect(encodeRle(new Uint8Array(6), 3, 2).counts).toEqual([6]);
  });

  it("area and bbox", () => {
    const rle = encodeRle(mask, 2, 3);
    expect(rleArea(rle)).toBe(3);
    expect(rleBbox(rle)).toEqual([0, 0, 2, 2]);
    expect(rleBbox({ size: [3, 2], counts: [6] })).toEqual([0, 0, 0, 0]);
  });

  it("bbox of a run that wraps into the next column spans every row", () => {
    // 3×3, foreground at column-major indices 2 (row 2, col 0) and 3 (row 0, col 1)
    const rle = { size: [3, 3] as [number, number], counts: [2, 2, 5] };
    expect(rleBbox(rle)).toEqual([0, 0, 2, 3]);
    const m = decodeRle(rle);
    expect(Array.from(m)).toEqual([0, 1, 0, 0, 0, 0, 1, 0, 0]);
  });

  it("round-trips random masks and agrees with the raster measures", () => {
    for (const [w, h, seed, d] of [
      [13, 7, 1, 0.5],
      [1, 9, 2, 0.3],
      [9, 1, 3, 0.7],
      [64, 48, 4, 0.05],
    ]) {
      const m = randomMask(w, h, seed, d);
      const rle = encodeRle(m, w, h);
      expect(rle.counts.reduce((a, b) => a + b, 0)).toBe(w * h);
      expect(Array.from(decodeRle(rle))).toEqual(Array.from(m));
      expect(rleArea(rle)).toBe(maskArea(m));
      const box = boundingBox(m, w, h);
      expect(rleBbox(rle)).toEqual(box ? [box.x, box.y, box.width, box.height] : [0, 0, 0, 0]);
    }
  });

  it("rejects counts that do not cover the image", () => {
    expect(() => decodeRle({ size: [3, 2], counts: [1, 1, 1] })).toThrow(/sum to 3, expected 3×2 = 6/);
    expect(() => decodeRle({ size: [1, 2], counts: [1, -1, 2] })).toThrow(AppError);
    expect(() => encodeRle(new Uint8Array(5), 2, 3)).toThrow(AppError);
  });
});

describe("compressed COCO RLE strings", () => {
  it("encodes small counts as one character each, from the 4th on as differences", () => {
    // counts 1,1,1,2,1 → 1, 1, 1, 2−1 = 1, 1−1 = 0
    expect(rleCountsToString([1, 1, 1, 2, 1])).toBe("11110");
  });

  it("splits large counts into 5-bit groups", () => {
    // 100 = 3·32 + 4 → group 4 with "more" (4|32 = 36 → 'T'), then 3 → '3'   → "T3"
    // 5 → '5'; 3 → '3'; 50 − 5 = 45 = 1·32 + 13 → 13|32 = 45 → ']', then 1 → '1'
    expect(rleCountsToString([100, 5, 3, 50])).toBe("T353]1");
    expect(rleCountsFromString("T353]1")).toEqual([100, 5, 3, 50]);
  });

  it("sign-extends negative differences and pads positives with bit 4 set", () => {
    // 10 → ':'. 20 has bit 4 set, so it needs a 0 group after it: 20|32 = 52 → 'd', then '0'.
    // 5 → '5'. 2 − 20 = −18: low group 14 with more (46 → '^'), then −1 → group 31 → 'O'.
    expect(rleCountsToString([10, 20, 5, 2])).toBe(":d05^O");
    expect(rleCountsFromString(":d05^O")).toEqual([10, 20, 5, 2]);
  });

  it("round-trips through compress/decompress", () => {
    const m = randomMask(50, 40, 9, 0.1);
    const rle = encodeRle(m, 50, 40);
    const compressed = compressRle(rle);
    expect(compressed.size).toEqual([40, 50]);
    expect(typeof compressed.counts).toBe("string");
    expect(decompressRle(compressed)).toEqual(rle);
    const big = [0, 1_000_000, 3, 999_000, 123_456_789, 7];
    expect(rleCountsFromString(rleCountsToString(big))).toEqual(big);
  });

  it("rejects malformed strings", () => {
    expect(() => rleCountsFromString("T")).toThrow(/ends in the middle of a count/);
    expect(() => rleCountsFromString("1 1")).toThrow(/invalid character/);
    expect(() => decompressRle({ size: [2, 2], counts: "11" })).toThrow(/sum to 2/);
  });
});
