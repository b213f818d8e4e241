import { describe, expect, it } from "vitest";
import { exposureFlags, exposureStats, exposureThresholds } from "@/lib/images/exposure";
import { phantom, to8, withNoise } from "./helpers/synthetic";

const N = 100 * 100;
const fill = (value: number) => new Uint8Array(N).fill(value);

describe("exposure flags", () => {
  it("leaves a normal chest-like image unflagged", () => {
    expect(exposureFlags(withNoise(to8(phantom(100, 100)), 4))).toEqual([]);
  });

  it("flags a washed-out image as over-exposed", () => {
    const img = withNoise(fill(240), 25);
    expect(exposureStats(img).brightFraction).toBeGreaterThan(exposureThresholds.brightFraction);
    expect(exposureFlags(img)).toContain("over-exposed");
  });

  it("flags a mostly black image as under-exposed", () => {
    const img = withNoise(fill(15), 20);
    expect(exposureFlags(img)).toContain("under-exposed");
  });

  it("flags a narrow histogram as low-contrast", () => {
    const img = withNoise(fill(128), 20); // spread ≈ 40 grey levels
    expect(exposureFlags(img)).toEqual(["low-contrast"]);
  });

  it("uses the documented thresholds", () => {
    const img = new Uint8Array(N);
    img.fill(128);
    img.fill(255, 0, Math.ceil(N * 0.26)); // just over a quarter saturated
    img.fill(0, N - 200); // and a few black pixels so contrast is fine
    const s = exposureStats(img);
    expect(s.p99).toBe(255);
    expect(exposureFlags(img)).toEqual(["over-exposed"]);
  });
});
