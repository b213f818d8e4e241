import type { ImageFlag } from "./types";

/**
 * Histogram heuristics on the rendered 8-bit image (display sense: bright = white). They are
 * hints for a human to look, not rejections. Chest films have a dark background and bright
 * collimation borders, so the clipped-fraction thresholds are deliberately generous.
 * - over-exposed: more than 25 % of pixels at 250 or above, or a mean of 200 or above
 * - under-exposed: more than 50 % of pixels at 5 or below, or a mean of 40 or below
 * - low-contrast: the 1st–99th percentile spread is under 64 grey levels (a quarter of the range)
 */
export const exposureThresholds = {
  brightLevel: 250,
  brightFraction: 0.25,
  brightMean: 200,
  darkLevel: 5,
  darkFraction: 0.5,
  darkMean: 40,
  lowPercentile: 0.01,
  highPercentile: 0.99,
  minSpread: 64,
} as const;

export interface ExposureStats {
  mean: number;
  brightFraction: number;
  darkFraction: number;
  p1: number;
  p99: number;
}

function percentile(histogram: Float64Array, total: number, q: number): number {
  const target = q * total;
  let seen = 0;
  for (let level = 0; level < 256; level++) {
    seen += histogram[level];
    if (seen >= target && seen > 0) return level;
  }
  return 255;
}

export function exposureStats(pixels: Uint8Array): ExposureStats {
  const t = exposureThresholds;
  const histogram = new Float64Array(256);
  for (let i = 0; i < pixels.length; i++) histogram[pixels[i]]++;
  const total = pixels.length || 1;
  let sum = 0;
  let bright = 0;
  let dark = 0;
  for (let level = 0; level < 256; level++) {
    sum += level * histogram[level];
    if (level >= t.brightLevel) bright += histogram[level];
    if (level <= t.darkLevel) dark += histogram[level];
  }
  return {
    mean: sum / total,
    brightFraction: bright / total,
    darkFraction: dark / total,
    p1: percentile(histogram, total, t.lowPercentile),
    p99: percentile(histogram, total, t.highPercentile),
  };
}

export function exposureFlags(pixels: Uint8Array): ImageFlag[] {
  const t = exposureThresholds;
  const s = exposureStats(pixels);
  const flags: ImageFlag[] = [];
  if (s.brightFraction > t.brightFraction || s.mean >= t.brightMean) flags.push("over-exposed");
  if (s.darkFraction > t.darkFraction || s.mean <= t.darkMean) flags.push("under-exposed");
  if (s.p99 - s.p1 < t.minSpread) flags.push("low-contrast");
  return flags;
}
