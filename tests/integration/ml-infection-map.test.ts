import { describe, expect, it } from "vitest";
import sharp from "sharp";
import { detect, ensembleMean } from "../../lib/ml/detection";
import { fitSize, infectionMapView } from "../../lib/ml/infection-map-view";
import { legendStops } from "../../lib/ml/legend-stops";
import { decodeProbabilityPng, encodeProbabilityPng } from "../../lib/ml/probability-png";

// MATLAB jet at its knots, as hue and saturation: what a pixel of CXR value V must show.
const KNOTS: [number, (v: number) => number[]][] = [
  [0.125, (v) => [0, 0, v]], // blue
  [0.375, (v) => [0, v, v]], // cyan
  [0.5, (v) => [v / 2, v, v / 2]], // jet (.5, 1, .5): green at half saturation
  [0.625, (v) => [v, v, 0]], // yellow
  [0.875, (v) => [v, 0, 0]], // red
  [1, (v) => [v, 0, 0]], // jet's dark red has red's hue: the CXR sets the value
];

async function rgba(png: Buffer) {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(4);
  return (i: number) => Array.from(data.subarray(4 * i, 4 * i + 4));
}

describe("infection map colours", () => {
  it("match the jet scale at known probabilities, with the CXR's value and p = 0 transparent", async () => {
    const values = [255, 200, 90];
    const probs = [0, 0.001, ...KNOTS.map(([p]) => p)];
    const width = probs.length,
      height = values.length;
    const gray = new Uint8Array(width * height);
    const prob = new Float32Array(width * height);
    values.forEach((v, y) => probs.forEach((p, x) => ((gray[y * width + x] = v), (prob[y * width + x] = p))));
    const view = await infectionMapView({ pixels: gray, width, height }, { prob, width, height });
    const px = await rgba(view.png);
    values.forEach((v, y) => {
      expect(px(y * width)).toEqual([v, v, v, 0]); // p = 0
      expect(px(y * width + 1)).toEqual([v, v, v, 0]); // below half an 8-bit step: zero as stored
      KNOTS.forEach(([p, want], k) => {
        const got = px(y * width + 2 + k);
        // Shown in the 8-bit steps maps are stored in: a knot moves by < 1/510, its colour by < 3 levels.
        want(v).forEach((c, i) => expect(Math.abs(got[i] - c), `p=${p} V=${v}`).toBeLessThanOrEqual(3));
        expect(got[3]).toBe(255);
        expect(Math.max(got[0], got[1], got[2])).toBe(v);
      });
    });
  });

  it("follows a stored 8-bit map resized onto the CXR, and fits large CXRs into the display size", async () => {
    const prob = Float32Array.from({ length: 16 }, (_, i) => (i % 4) / 3);
    const stored = await decodeProbabilityPng(await encodeProbabilityPng(prob, 4, 4));
    expect(Array.from(stored.prob, (p) => Math.round(p * 255))).toEqual(Array.from(prob, (p) => Math.round(p * 255)));
    const gray = new Uint8Array(8 * 8).fill(255);
    const px = await rgba((await infectionMapView({ pixels: gray, width: 8, height: 8 }, stored)).png);
    expect(px(0)).toEqual([255, 255, 255, 0]); // leftmost column: p = 0
    expect(px(7)).toEqual([255, 0, 0, 255]); // rightmost column: p = 1, red
    expect(fitSize(3000, 2000, 1024)).toEqual({ width: 1024, height: 683 });
    expect(fitSize(300, 200, 1024)).toEqual({ width: 300, height: 200 });
    const big = await infectionMapView(
      { pixels: new Uint8Array(3000 * 2000).fill(128), width: 3000, height: 2000 },
      stored,
      1024,
    );
    expect([big.width, big.height]).toEqual([1024, 683]);
  });

  it("has a legend from blue through green and yellow to red", () => {
    const stops = legendStops(9);
    expect(stops[0]).toEqual({ p: 0, color: "rgb(0 0 255)" });
    expect(stops[3]).toEqual({ p: 0.375, color: "rgb(0 255 255)" });
    expect(stops[5]).toEqual({ p: 0.625, color: "rgb(255 255 0)" });
    expect(stops[8]).toEqual({ p: 1, color: "rgb(255 0 0)" });
  });
});

describe("detection", () => {
  it("is positive when any pixel reaches the threshold, which is configurable", () => {
    const prob = Float32Array.of(0.1, 0.2, 0.5, 0.3);
    expect(detect(prob)).toEqual({
      score: 0.5,
      presence: null,
      threshold: 0.5,
      positive: true,
      infectedFraction: 0.25,
      calibrated: null,
    });
    expect(detect(prob, 0.51).positive).toBe(false);
    expect(detect(prob, 0.25)).toMatchObject({ positive: true, infectedFraction: 0.5 });
    expect(() => detect(prob, 0)).toThrow(/threshold/);
  });

  it("ensembles by the mean of the probability maps", () => {
    const a = Float32Array.of(0.9, 0.1),
      b = Float32Array.of(0.2, 0.3);
    const mean = ensembleMean([a, b]);
    expect(mean[0]).toBeCloseTo(0.55, 6);
    expect(mean[1]).toBeCloseTo(0.2, 6);
    expect(detect(a).positive && !detect(b).positive).toBe(true);
    expect(detect(mean).positive).toBe(true);
    expect(detect(ensembleMean([a, b, b])).positive).toBe(false);
    expect(() => ensembleMean([a, Float32Array.of(1)])).toThrow(/same size/);
  });
});
