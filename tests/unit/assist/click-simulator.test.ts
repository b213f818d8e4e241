import { describe, expect, it } from "vitest";
import { distanceTransform, dice, nextClick } from "../../../lib/assist/click-simulator";
import { clickInput } from "../../../lib/assist/click-input";
import { proposalAtNative } from "../../../lib/assist/proposal";
import { bootstrapMean, clicksToReach } from "../../../lib/assist/click-evaluation";

function bruteForce(region: Uint8Array, w: number, h: number): Float64Array {
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if (!region[y * w + x]) continue;
      let best = Infinity;
      for (let yy = -1; yy <= h; yy++)
        for (let xx = -1; xx <= w; xx++) {
          const inside = yy >= 0 && xx >= 0 && yy < h && xx < w && region[yy * w + xx];
          if (!inside) best = Math.min(best, Math.hypot(xx - x, yy - y));
        }
      out[y * w + x] = best;
    }
  return out;
}

describe("click simulator (same rule as the trainer's clicks.py)", () => {
  it("distance transform is the exact Euclidean one, border counted as outside", () => {
    const w = 23,
      h = 17;
    let seed = 7;
    const region = Uint8Array.from({ length: w * h }, () =>
      (seed = (seed * 1103515245 + 12345) >>> 0) % 10 < 7 ? 1 : 0,
    );
    const got = distanceTransform(region, w, h);
    const want = bruteForce(region, w, h);
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i], 9);
  });

  it("first click at the centre of the largest region; a deeper false positive gives a negative click", () => {
    const w = 40,
      h = 40;
    const gt = new Uint8Array(w * h);
    for (let y = 5; y < 10; y++) for (let x = 5; x < 10; x++) gt[y * w + x] = 1;
    for (let y = 15; y < 36; y++) for (let x = 12; x < 33; x++) gt[y * w + x] = 1;
    expect(nextClick(gt, new Uint8Array(w * h), w, h)).toEqual({ x: 22, y: 25, positive: true });
    const pred = gt.slice();
    for (let y = 0; y < 4; y++) for (let x = 30; x < 40; x++) pred[y * w + x] = 1;
    pred[25 * w + 22] = 0;
    const c = nextClick(gt, pred, w, h)!;
    expect(c.positive).toBe(false);
    expect(nextClick(gt, gt, w, h)).toBeNull();
  });

  it("click maps land where the click is, the current mask is downsampled, proposals upsample", () => {
    const maps = clickInput(
      [
        { x: 50, y: 25, positive: true },
        { x: 0, y: 99, positive: false },
      ],
      new Uint8Array(200 * 100).fill(1),
      200,
      100,
      20,
      1,
    );
    expect(maps[0 * 400 + 5 * 20 + 5]).toBe(1);
    expect(maps[0 * 400 + 5 * 20 + 7]).toBe(0);
    expect(maps[400 + 19 * 20 + 0]).toBe(1);
    expect(maps.subarray(800).every((v) => v === 1)).toBe(true);
    const prob = new Float32Array(4 * 4);
    prob[5] = 1; // model pixel (1, 1)
    const up = proposalAtNative(prob, 4, 8, 8);
    expect(up[2 * 8 + 2]).toBe(1);
    expect(up[7 * 8 + 7]).toBe(0);
  });

  it("NoC caps at 20, Dice of two empty masks is 1, bootstrap brackets the mean", () => {
    expect(clicksToReach([0.5, 0.86, 0.9], 0.85)).toBe(2);
    expect(clicksToReach([0.5, 0.6], 0.85)).toBe(20);
    expect(dice(new Uint8Array(4), new Uint8Array(4))).toBe(1);
    const b = bootstrapMean([0.1, 0.5, 0.9, 0.7, 0.3]);
    expect(b.lo).toBeLessThan(b.mean);
    expect(b.hi).toBeGreaterThan(b.mean);
  });
});
