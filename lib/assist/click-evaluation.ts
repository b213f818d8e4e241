import { mulberry32 } from "@/lib/simulate/prng";
import { dice, nextClick } from "./click-simulator";
import { propose, type ClickImage, type ClickModel } from "./click-model";
import type { Click } from "./types";

export const MAX_CLICKS = 20;

/** Dice after each of `maxClicks` simulated clicks on one image (truth 0/1 at native size). */
export async function clickCurve(
  model: ClickModel,
  image: ClickImage,
  truth: Uint8Array,
  maxClicks = MAX_CLICKS,
  start: Uint8Array | null = null,
): Promise<number[]> {
  let current = start ?? new Uint8Array(truth.length);
  const clicks: Click[] = [];
  const curve: number[] = [];
  for (let k = 0; k < maxClicks; k++) {
    const click = nextClick(truth, current, image.width, image.height);
    if (click) {
      clicks.push(click);
      current = await propose(model, image, clicks, current);
    }
    curve.push(dice(truth, current));
  }
  return curve;
}

/** Number of clicks to reach `target` Dice; the cap when never reached (NoC@target). */
export function clicksToReach(curve: number[], target: number, cap = MAX_CLICKS): number {
  const k = curve.findIndex((d) => d >= target);
  return k < 0 ? cap : Math.min(cap, k + 1);
}

/** Mean with a 95 % percentile-bootstrap interval over the items. */
export function bootstrapMean(values: number[], resamples = 2000, seed = 1): { mean: number; lo: number; hi: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const rand = mulberry32(seed);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[Math.floor(rand() * n)];
    means[r] = s / n;
  }
  means.sort();
  return {
    mean,
    lo: means[Math.floor(0.025 * resamples)],
    hi: means[Math.min(resamples - 1, Math.floor(0.975 * resamples))],
  };
}
