import { describe, expect, it } from "vitest";
import { connectedComponents, fractionInside, iou, isEmptyMask, maskArea } from "../../../lib/simulate/mask-ops";
import { generateCxr } from "../../../lib/simulate/synthetic-cxr";
import { hammingDistance, NEAR_DUPLICATE_DISTANCE, perceptualHash } from "../../../lib/images/perceptual-hash";
import { createHash } from "node:crypto";

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function mean(pixels: Uint8Array, pick: (p: number) => boolean): number {
  let s = 0;
  let n = 0;
  for (let p = 0; p < pixels.length; p++) {
    if (!pick(p)) continue;
    s += pixels[p];
    n++;
  }
  return n === 0 ? Number.NaN : s / n;
}

describe("synthetic CXR", () => {
  it("is byte-identical for the same seed and differs for another", () => {
    const a = generateCxr({ seed: 11, label: "covid" });
    const b = generateCxr({ seed: 11, label: "covid" });
    const c = generateCxr({ seed: 12, label: "covid" });
    expect(equalBytes(a.pixels, b.pixels)).toBe(true);
    expect(equalBytes(a.mask, b.mask)).toBe(true);
    expect(equalBytes(a.lungMask, b.lungMask)).toBe(true);
    expect(a.meta).toEqual(b.meta);
    expect(equalBytes(a.pixels, c.pixels)).toBe(false);
    expect(equalBytes(a.mask, c.mask)).toBe(false);
  });

  it("defaults to 512 wide with a slightly varying height, and honours explicit sizes", () => {
    const heights = new Set<number>();
    for (let s = 0; s < 8; s++) {
      const img = generateCxr({ seed: s, label: "control" });
      expect(img.width).toBe(512);
      expect(img.height).toBeGreaterThanOrEqual(470);
      expect(img.height).toBeLessThanOrEqual(564);
      expect(img.pixels.length).toBe(img.width * img.height);
      heights.add(img.height);
    }
    expect(heights.size).toBeGreaterThan(1);
    const odd = generateCxr({ seed: 3, width: 300, height: 257 });
    expect([odd.width, odd.height, odd.mask.length, odd.lungMask.length]).toEqual([300, 257, 300 * 257, 300 * 257]);
    expect(() => generateCxr({ seed: 1, width: 8, height: 8 })).toThrow();
  });

  it("covid masks are binary, non-empty, inside the lungs, with 1–4 designed regions", () => {
    for (let s = 0; s < 40; s++) {
      const img = generateCxr({ seed: 1000 + s, label: "covid" });
      // One mask representation everywhere: 1 = foreground, 0 = background.
      expect([...new Set(img.mask)].sort()).toEqual([0, 1]);
      expect([...new Set(img.lungMask)].sort()).toEqual([0, 1]);
      expect(fractionInside(img.mask, img.lungMask)).toBe(1);
      expect(img.meta.regions.length).toBeGreaterThanOrEqual(1);
      expect(img.meta.regions.length).toBeLessThanOrEqual(4);
      expect(img.meta.maskArea).toBe(maskArea(img.mask));
      expect(img.meta.involvement).toBeGreaterThan(0.005);
      expect(img.meta.involvement).toBeLessThan(0.6);
      const cc = connectedComponents(img.mask, img.width, img.height);
      expect(cc.count).toBeGreaterThanOrEqual(1);
    }
  });

  it("honours a forced region count and keeps regions in the lungs at other sizes", () => {
    for (const width of [256, 1024]) {
      const img = generateCxr({ seed: 5, width, height: width, label: "covid", regions: 4 });
      expect(img.meta.regions.length).toBe(4);
      expect(fractionInside(img.mask, img.lungMask)).toBe(1);
      expect(isEmptyMask(img.mask)).toBe(false);
    }
  });

  it("controls have an empty mask but the same anatomy machinery", () => {
    for (let s = 0; s < 10; s++) {
      const img = generateCxr({ seed: 2000 + s, label: "control" });
      expect(isEmptyMask(img.mask)).toBe(true);
      expect(img.meta.regions).toEqual([]);
      expect(img.meta.involvement).toBe(0);
      expect(maskArea(img.lungMask)).toBeGreaterThan(0.12 * img.width * img.height);
      expect(maskArea(img.lungMask)).toBeLessThan(0.5 * img.width * img.height);
    }
  });

  it("has plausible intensities: dark lungs, bright mediastinum, a wide grey range", () => {
    for (let s = 0; s < 12; s++) {
      const img = generateCxr({ seed: 300 + s, label: s % 2 ? "covid" : "control" });
      const { width: w, pixels, lungMask } = img;
      let top = img.height;
      let bottom = 0;
      for (let p = 0; p < lungMask.length; p++) {
        if (lungMask[p] === 0) continue;
        const y = Math.floor(p / w);
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
      }
      const lung = mean(pixels, (p) => lungMask[p] !== 0);
      const mediastinum = mean(pixels, (p) => {
        const x = p % w;
        const y = Math.floor(p / w);
        return lungMask[p] === 0 && y > top + 0.3 * (bottom - top) && y < bottom && x > 0.44 * w && x < 0.56 * w;
      });
      expect(mediastinum - lung).toBeGreaterThan(40);
      const sorted = Uint8Array.from(pixels).sort();
      const p2 = sorted[Math.floor(0.02 * sorted.length)];
      const p98 = sorted[Math.floor(0.98 * sorted.length)];
      expect(p98 - p2).toBeGreaterThan(110);
    }
  });

  it("infection adds haze: the same seed without infection is darker inside the mask", () => {
    for (let s = 0; s < 10; s++) {
      const covid = generateCxr({ seed: 500 + s, label: "covid" });
      const control = generateCxr({ seed: 500 + s, label: "control" });
      expect(equalBytes(covid.lungMask, control.lungMask)).toBe(true);
      const inside = (p: number) => covid.mask[p] !== 0;
      expect(mean(covid.pixels, inside) - mean(control.pixels, inside)).toBeGreaterThan(5);
    }
  });

  it("images of one patient share anatomy more than images of different patients", () => {
    let same = 0;
    let other = 0;
    for (let k = 0; k < 6; k++) {
      const a = generateCxr({ seed: 10 * k + 1, width: 256, height: 256, patientId: `p${k}` });
      const b = generateCxr({ seed: 10 * k + 2, width: 256, height: 256, patientId: `p${k}` });
      const c = generateCxr({ seed: 10 * k + 3, width: 256, height: 256, patientId: `q${k}` });
      same += iou(a.lungMask, b.lungMask);
      other += iou(a.lungMask, c.lungMask);
    }
    expect(same).toBeGreaterThan(other);
  });

  it("reports throughput (informational)", () => {
    for (const width of [512, 1024]) {
      const n = width === 512 ? 40 : 10;
      const t0 = performance.now();
      for (let k = 0; k < n; k++) generateCxr({ seed: k, width, height: width, label: k % 2 ? "covid" : "control" });
      const perSec = n / ((performance.now() - t0) / 1000);
      console.info(`synthetic-cxr ${width}px: ${perSec.toFixed(0)} images/s (single thread, incl. warm-up)`);
      expect(perSec).toBeGreaterThan(0);
    }
  });

  describe("as an archive holds them (archive: true)", () => {
    /** How many films have a perceptual hash within the ingest's near-duplicate distance of an earlier one. */
    function nearDuplicates(archive: boolean, n: number): number {
      const hashes: string[] = [];
      let near = 0;
      for (let i = 0; i < n; i++) {
        const c = generateCxr({ seed: 7000 + i, width: 128, height: 128, label: i % 2 ? "covid" : "control", archive });
        const h = perceptualHash(c.pixels, c.width, c.height);
        if (hashes.some((e) => hammingDistance(e, h) <= NEAR_DUPLICATE_DISTANCE)) near++;
        hashes.push(h);
      }
      return near;
    }

    it("gives films distinct perceptual hashes, as real ones are (the clean films mostly are not)", () => {
      // Real films (cxr-train): 2 of the first 200 and 8 of 300 within the distance of an earlier one.
      expect(nearDuplicates(true, 60)).toBeLessThanOrEqual(3);
      expect(nearDuplicates(false, 60)).toBeGreaterThanOrEqual(20);
    });

    it("is seeded like the rest, and leaves the default films as they were", () => {
      const a = generateCxr({ seed: 5, width: 96, archive: true });
      expect(equalBytes(a.pixels, generateCxr({ seed: 5, width: 96, archive: true }).pixels)).toBe(true);
      expect(equalBytes(a.pixels, generateCxr({ seed: 5, width: 96 }).pixels)).toBe(false);
      // Pixels of the default film for seed 3 as generated before the option existed.
      const plain = generateCxr({ seed: 3, width: 96, label: "covid", archive: false }).pixels;
      expect(createHash("sha256").update(plain).digest("hex").slice(0, 16)).toBe("3d1c79d5060b735c");
    });
  });
});
