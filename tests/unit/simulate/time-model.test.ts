import { describe, expect, it } from "vitest";
import { createRng } from "../../../lib/simulate/prng";
import { DEFAULT_TIME_MODEL, drawingSeconds, drawingWorkOf, voteSeconds } from "../../../lib/simulate/time-model";

describe("time model", () => {
  it("drawing time grows with regions and area, and shrinks with speed", () => {
    let prev = -1;
    for (const regions of [0, 1, 2, 4]) {
      const t = drawingSeconds({ regions, areaFraction: 0.05 });
      expect(t).toBeGreaterThan(prev);
      prev = t;
    }
    prev = -1;
    for (const areaFraction of [0, 0.01, 0.05, 0.2]) {
      const t = drawingSeconds({ regions: 2, areaFraction });
      expect(t).toBeGreaterThan(prev);
      prev = t;
    }
    const work = { regions: 2, areaFraction: 0.05 };
    expect(drawingSeconds(work, 2)).toBeCloseTo(drawingSeconds(work) / 2);
    expect(drawingSeconds({ regions: 0, areaFraction: 0 })).toBe(DEFAULT_TIME_MODEL.drawBaseSec);
  });

  it("vote time grows with the number of candidates", () => {
    expect(voteSeconds(2)).toBeLessThan(voteSeconds(4));
    expect(voteSeconds(4)).toBeLessThan(voteSeconds(6));
    expect(voteSeconds(5, 0.5)).toBeCloseTo(2 * voteSeconds(5));
  });

  it("variability is log-normal around the expected time", () => {
    const rng = createRng(3);
    const expected = drawingSeconds({ regions: 2, areaFraction: 0.05 });
    let s = 0;
    let min = Infinity;
    let max = 0;
    const n = 4000;
    for (let i = 0; i < n; i++) {
      const t = drawingSeconds({ regions: 2, areaFraction: 0.05 }, 1, DEFAULT_TIME_MODEL, rng);
      s += t;
      min = Math.min(min, t);
      max = Math.max(max, t);
    }
    expect(s / n / expected).toBeGreaterThan(0.96);
    expect(s / n / expected).toBeLessThan(1.04);
    expect(min).toBeGreaterThan(0);
    expect(max / min).toBeGreaterThan(2);
    expect(voteSeconds(3, 1, { ...DEFAULT_TIME_MODEL, variability: 0 }, rng)).toBe(voteSeconds(3));
  });

  it("rejects non-positive speeds and measures drawing work from a mask", () => {
    expect(() => drawingSeconds({ regions: 1, areaFraction: 0.1 }, 0)).toThrow();
    expect(() => voteSeconds(3, -1)).toThrow();
    const mask = Uint8Array.of(255, 0, 0, 0, 0, 0, 0, 0, 255);
    expect(drawingWorkOf(mask, 3, 3)).toEqual({ regions: 2, areaFraction: 2 / 9 });
  });
});
