import { describe, expect, it } from "vitest";
import { binarize, DEFAULT_THRESHOLD } from "../../../lib/ml/threshold";

describe("binarize", () => {
  it("uses ≥ 0.5 by default", () => {
    expect(DEFAULT_THRESHOLD).toBe(0.5);
    expect(Array.from(binarize([0, 0.49999, 0.5, 0.7, 1]))).toEqual([0, 0, 1, 1, 1]);
  });

  it("takes another threshold", () => {
    expect(Array.from(binarize(Float32Array.of(0.1, 0.2, 0.3), 0.2))).toEqual([0, 1, 1]);
  });
});
