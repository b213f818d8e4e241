import { describe, expect, it } from "vitest";
import { bootstrap, meanOver } from "../../../lib/simulate/bootstrap";
import { createRng } from "../../../lib/simulate/prng";

describe("image-level bootstrap", () => {
  it("gives an interval around the mean that shrinks with more images and is reproducible", () => {
    const rng = createRng(3);
    const small = Array.from({ length: 20 }, () => rng.normal(1, 1));
    const large = Array.from({ length: 500 }, () => rng.normal(1, 1));
    const a = bootstrap(small.length, (idx) => meanOver(small, idx), { seed: 1 });
    const b = bootstrap(large.length, (idx) => meanOver(large, idx), { seed: 1 });
    expect(a.lo).toBeLessThan(a.estimate);
    expect(a.hi).toBeGreaterThan(a.estimate);
    expect(b.hi - b.lo).toBeLessThan((a.hi - a.lo) / 2);
    expect(b.lo).toBeLessThan(1.1);
    expect(b.hi).toBeGreaterThan(0.9);
    expect(bootstrap(small.length, (idx) => meanOver(small, idx), { seed: 1 })).toEqual(a);
  });

  it("skips NaN entries (images a statistic does not apply to)", () => {
    expect(meanOver([1, Number.NaN, 3], Int32Array.from([0, 1, 2]))).toBe(2);
    expect(Number.isNaN(meanOver([Number.NaN], Int32Array.from([0])))).toBe(true);
  });
});
