import { describe, expect, it } from "vitest";
import { createRng, hashSeed, mulberry32 } from "../../../lib/simulate/prng";

describe("prng", () => {
  it("is deterministic per seed and differs between seeds", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  it("draws normals with the requested mean and spread", () => {
    const rng = createRng(7);
    const n = 20000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.normal(3, 2);
      s += x;
      s2 += x * x;
    }
    const mean = s / n;
    expect(mean).toBeCloseTo(3, 1);
    expect(Math.sqrt(s2 / n - mean * mean)).toBeCloseTo(2, 1);
  });

  it("int stays in range and covers it", () => {
    const rng = createRng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const k = rng.int(2, 5);
      expect(k).toBeGreaterThanOrEqual(2);
      expect(k).toBeLessThanOrEqual(5);
      seen.add(k);
    }
    expect([...seen].sort()).toEqual([2, 3, 4, 5]);
  });

  it("hashes parts into distinct, stable seeds", () => {
    expect(hashSeed("a", 1)).toBe(hashSeed("a", 1));
    expect(hashSeed("a", 1)).not.toBe(hashSeed("a", 2));
    expect(hashSeed("1")).not.toBe(hashSeed(1));
    expect(hashSeed("ab", "c")).not.toBe(hashSeed("a", "bc"));
  });

  it("forks independent, reproducible streams", () => {
    const r = createRng(9);
    expect(r.fork("x").next()).toBe(createRng(9).fork("x").next());
    expect(r.fork("x").next()).not.toBe(r.fork("y").next());
  });
});
