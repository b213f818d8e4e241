import { describe, expect, it } from "vitest";
import sharp from "sharp";
import { hsvToRgb, infectionMapPng, infectionMapRgba, jet, rgbToHsv } from "../../../lib/ml/infection-map";
import { AppError } from "../../../lib/errors/app-error";

describe("jet", () => {
  // MATLAB jet knots: dark blue → blue → cyan → yellow → red → dark red
  const expected: [number, [number, number, number]][] = [
    [0, [0, 0, 0.5]],
    [0.125, [0, 0, 1]],
    [0.25, [0, 0.5, 1]],
    [0.375, [0, 1, 1]],
    [0.5, [0.5, 1, 0.5]],
    [0.625, [1, 1, 0]],
    [0.75, [1, 0.5, 0]],
    [0.875, [1, 0, 0]],
    [1, [0.5, 0, 0]],
  ];
  it.each(expected)("jet(%f)", (p, rgb) => {
    const got = jet(p);
    for (let c = 0; c < 3; c++) expect(got[c]).toBeCloseTo(rgb[c], 12);
  });

  it("clamps outside [0, 1]", () => {
    expect(jet(-1)).toEqual(jet(0));
    expect(jet(2)).toEqual(jet(1));
  });
});

describe("HSV", () => {
  it("converts known colours", () => {
    expect(rgbToHsv(0.5, 1, 0.5)).toEqual([1 / 3, 0.5, 1]);
    expect(rgbToHsv(1, 0, 0)).toEqual([0, 1, 1]);
    expect(rgbToHsv(0, 0, 0.5)).toEqual([2 / 3, 1, 0.5]);
    expect(rgbToHsv(0.2, 0.2, 0.2)).toEqual([0, 0, 0.2]);
    const green = hsvToRgb(1 / 3, 0.5, 1);
    [0.5, 1, 0.5].forEach((v, c) => expect(green[c]).toBeCloseTo(v, 12));
    expect(hsvToRgb(0, 1, 0.4)).toEqual([0.4, 0, 0]);
  });

  it("round-trips colours in all six hue sectors", () => {
    const samples: [number, number, number][] = [
      [1, 0.2, 0.1],
      [0.8, 0.9, 0.1],
      [0.1, 0.7, 0.3],
      [0.1, 0.5, 0.6],
      [0.3, 0.2, 0.9],
      [0.9, 0.1, 0.6],
    ];
    samples.forEach(([r, g, b], i) => {
      const hsv = rgbToHsv(r, g, b);
      expect(Math.floor(hsv[0] * 6)).toBe(i);
      const back = hsvToRgb(...hsv);
      [r, g, b].forEach((v, c) => expect(back[c]).toBeCloseTo(v, 12));
    });
  });

  it("round-trips jet colours", () => {
    for (let p = 0; p <= 1; p += 0.01) {
      const rgb = jet(p);
      const back = hsvToRgb(...rgbToHsv(...rgb));
      for (let c = 0; c < 3; c++) expect(back[c]).toBeCloseTo(rgb[c], 12);
    }
  });
});

describe("infection map", () => {
  it("hue and saturation from jet, value from the CXR, transparent at p = 0", () => {
    const gray = Uint8Array.of(200, 128, 77, 90, 0, 255);
    const prob = Float32Array.of(0.5, 0.875, 0, 0.375, 0.3, 1);
    const out = infectionMapRgba(gray, prob, 3, 2);
    const px = (i: number) => Array.from(out.subarray(4 * i, 4 * i + 4));
    expect(px(0)).toEqual([100, 200, 100, 255]); // jet(.5) = (.5, 1, .5): h = 1/3, s = .5; V = 200/255
    expect(px(1)).toEqual([128, 0, 0, 255]); // red at V = 128
    expect(px(2)).toEqual([77, 77, 77, 0]); // p = 0: transparent, colour left as the CXR
    expect(px(3)).toEqual([0, 90, 90, 255]); // cyan
    expect(px(4)).toEqual([0, 0, 0, 255]); // black CXR pixel stays black
    expect(px(5)).toEqual([255, 0, 0, 255]); // jet(1) = dark red, but V comes from the CXR
  });

  it("keeps the CXR's value channel everywhere", () => {
    const n = 256;
    const gray = Uint8Array.from({ length: n }, (_, i) => i);
    const prob = Float32Array.from({ length: n }, (_, i) => ((i * 37) % 101) / 100);
    const out = infectionMapRgba(gray, prob, 16, 16);
    for (let i = 0; i < n; i++) {
      expect(Math.max(out[4 * i], out[4 * i + 1], out[4 * i + 2])).toBe(gray[i]);
      expect(out[4 * i + 3]).toBe(prob[i] === 0 ? 0 : 255);
    }
  });

  it("treats negative and NaN probabilities as zero", () => {
    const out = infectionMapRgba([10, 20], [-0.1, NaN], 2, 1);
    expect(out[3]).toBe(0);
    expect(out[7]).toBe(0);
  });

  it("writes an RGBA PNG", async () => {
    const gray = Uint8Array.of(200, 128, 77, 90);
    const prob = [0.5, 0.875, 0, 0.375];
    const png = await infectionMapPng(gray, prob, 2, 2);
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect(info).toMatchObject({ width: 2, height: 2, channels: 4 });
    expect(Buffer.from(data).equals(infectionMapRgba(gray, prob, 2, 2))).toBe(true);
  });

  it("rejects mismatched sizes", () => {
    expect(() => infectionMapRgba(new Uint8Array(4), new Float32Array(3), 2, 2)).toThrow(AppError);
    expect(() => infectionMapRgba(new Uint8Array(4), new Float32Array(4), 4, 2)).toThrow(/needs 8/);
  });
});
