import { describe, expect, it } from "vitest";
import { connectedComponents, dice, isEmptyMask, maskArea } from "../../../lib/simulate/mask-ops";
import { simulateDrawing, type MdProfile } from "../../../lib/simulate/simulated-md";
import { generateCxr } from "../../../lib/simulate/synthetic-cxr";

const images = Array.from({ length: 12 }, (_, k) => generateCxr({ seed: 4000 + k, label: "covid" }));
const typical: MdProfile = { seed: 1, bias: 0, jitter: 0.5, missRate: 0.2 };

function meanDice(md: MdProfile): number {
  let s = 0;
  for (const img of images)
    s += dice(img.mask, simulateDrawing(img.mask, img.width, img.height, md, { pixels: img.pixels }));
  return s / images.length;
}

function disks(w: number, h: number, list: [number, number, number][]): Uint8Array {
  const m = new Uint8Array(w * h);
  for (const [cx, cy, r] of list)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) m[y * w + x] = 1;
  return m;
}

describe("simulated MD drawing", () => {
  it("is deterministic per MD and image, and differs between MDs", () => {
    const img = images[0];
    const a = simulateDrawing(img.mask, img.width, img.height, typical);
    const b = simulateDrawing(img.mask, img.width, img.height, typical);
    const c = simulateDrawing(img.mask, img.width, img.height, { ...typical, seed: 2 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(new Set(a)).toEqual(new Set([0, 1]));
    expect(a.length).toBe(img.mask.length);
  });

  it("draws nothing for an empty truth and rejects mismatched sizes", () => {
    expect(isEmptyMask(simulateDrawing(new Uint8Array(64 * 64), 64, 64, typical))).toBe(true);
    expect(() => simulateDrawing(new Uint8Array(10), 4, 4, typical)).toThrow();
  });

  it("agrees with the truth within a human-like Dice band", () => {
    const m = meanDice(typical);
    expect(m).toBeGreaterThan(0.75);
    expect(m).toBeLessThan(0.97);
    for (const img of images.slice(0, 6)) {
      const d = dice(img.mask, simulateDrawing(img.mask, img.width, img.height, typical, { pixels: img.pixels }));
      expect(d).toBeGreaterThan(0.5);
      expect(d).toBeLessThan(0.995);
    }
  });

  it("gets worse with more jitter", () => {
    const low = meanDice({ ...typical, jitter: 0.2 });
    const mid = meanDice({ ...typical, jitter: 1 });
    const high = meanDice({ ...typical, jitter: 2 });
    expect(low).toBeGreaterThan(mid);
    expect(mid).toBeGreaterThan(high);
    expect(high).toBeGreaterThan(0.4);
  });

  it("over- and under-segments with positive and negative bias", () => {
    let over = 0;
    let under = 0;
    let truth = 0;
    for (const img of images) {
      truth += maskArea(img.mask);
      over += maskArea(simulateDrawing(img.mask, img.width, img.height, { ...typical, bias: 1 }));
      under += maskArea(simulateDrawing(img.mask, img.width, img.height, { ...typical, bias: -1 }));
    }
    expect(over / truth).toBeGreaterThan(1.25);
    expect(under / truth).toBeLessThan(0.8);
  });

  it("misses small regions more often than large ones, and never the largest", () => {
    const w = 256;
    const truth = disks(w, w, [
      [128, 128, 40],
      [40, 40, 7],
      [210, 40, 7],
      [40, 210, 7],
      [210, 210, 7],
    ]);
    let kept = 0;
    const trials = 30;
    for (let s = 0; s < trials; s++) {
      const drawn = simulateDrawing(truth, w, w, { seed: s, bias: 0, jitter: 0.3, missRate: 0.8 });
      expect(drawn[128 * w + 128]).toBe(1);
      kept += connectedComponents(drawn, w, w).count - 1;
    }
    expect(kept / (4 * trials)).toBeLessThan(0.5);
    const careful = simulateDrawing(truth, w, w, { seed: 1, bias: 0, jitter: 0.3, missRate: 0 });
    expect(connectedComponents(careful, w, w).count).toBe(5);
  });

  it("misses faint regions more often than conspicuous ones of the same size", () => {
    const w = 256;
    const truth = disks(w, w, [
      [128, 128, 40],
      [60, 200, 14],
      [196, 200, 14],
    ]);
    const pixels = new Uint8Array(w * w).fill(70);
    const bright = disks(w, w, [
      [128, 128, 40],
      [60, 200, 14],
    ]);
    const faint = disks(w, w, [[196, 200, 14]]);
    for (let p = 0; p < pixels.length; p++) pixels[p] = bright[p] ? 150 : faint[p] ? 73 : 70;
    let brightKept = 0;
    let faintKept = 0;
    for (let s = 0; s < 40; s++) {
      const drawn = simulateDrawing(truth, w, w, { seed: s, bias: 0, jitter: 0.3, missRate: 0.7 }, { pixels });
      if (drawn[200 * w + 60]) brightKept++;
      if (drawn[200 * w + 196]) faintKept++;
    }
    expect(brightKept).toBeGreaterThan(faintKept + 10);
  });

  it("fills holes and smooths the outline", () => {
    const w = 200;
    const ring = disks(w, w, [[100, 100, 50]]);
    const hole = disks(w, w, [[100, 100, 15]]);
    for (let p = 0; p < ring.length; p++) if (hole[p]) ring[p] = 0;
    for (const vertexSpacing of [0, 0.03]) {
      const drawn = simulateDrawing(ring, w, w, { seed: 3, bias: 0, jitter: 0.3, missRate: 0, vertexSpacing });
      expect(drawn[100 * w + 100]).toBe(1);
      expect(connectedComponents(drawn, w, w).count).toBe(1);
    }
  });
});
