// How long MDs take: seconds per drawing (grows with the number and size of regions) and per vote (grows
// with the number of candidates), scaled by each MD's speed, with optional log-normal variability.
import { connectedComponents, maskArea } from "./mask-ops";
import type { Rng } from "./prng";

export interface TimeModel {
  drawBaseSec: number;
  drawPerRegionSec: number;
  /** Seconds per unit of sqrt(mask area / image area) — outline length grows with the square root of area. */
  drawPerSqrtAreaSec: number;
  voteBaseSec: number;
  votePerCandidateSec: number;
  /** Sigma of the log-normal factor applied when an rng is given; 0 = always the expected time. */
  variability: number;
}

export const DEFAULT_TIME_MODEL: Readonly<TimeModel> = {
  drawBaseSec: 20,
  drawPerRegionSec: 25,
  drawPerSqrtAreaSec: 150,
  voteBaseSec: 4,
  votePerCandidateSec: 2.5,
  variability: 0.25,
};

export interface DrawingWork {
  regions: number;
  /** Mask area divided by image area, 0–1. */
  areaFraction: number;
}

function jitter(rng: Rng | undefined, sigma: number): number {
  // The -σ²/2 keeps the mean of the factor at 1.
  return rng && sigma > 0 ? Math.exp(rng.normal(-0.5 * sigma * sigma, sigma)) : 1;
}

function checkSpeed(speed: number) {
  if (!(speed > 0)) throw new Error(`speed must be positive, got ${speed}`);
}

/** Seconds for an MD with relative `speed` (1 = typical, 2 = twice as fast) to draw one mask. */
export function drawingSeconds(work: DrawingWork, speed = 1, model: TimeModel = DEFAULT_TIME_MODEL, rng?: Rng): number {
  checkSpeed(speed);
  const area = Math.min(1, Math.max(0, work.areaFraction));
  const base =
    model.drawBaseSec + model.drawPerRegionSec * Math.max(0, work.regions) + model.drawPerSqrtAreaSec * Math.sqrt(area);
  return (base / speed) * jitter(rng, model.variability);
}

/** Seconds for an MD with relative `speed` to vote among `candidates` masks. */
export function voteSeconds(candidates: number, speed = 1, model: TimeModel = DEFAULT_TIME_MODEL, rng?: Rng): number {
  checkSpeed(speed);
  const base = model.voteBaseSec + model.votePerCandidateSec * Math.max(0, candidates);
  return (base / speed) * jitter(rng, model.variability);
}

/** The drawing work a mask represents: its separate regions and its share of the image. */
export function drawingWorkOf(mask: Uint8Array, width: number, height: number): DrawingWork {
  return {
    regions: connectedComponents(mask, width, height).count,
    areaFraction: maskArea(mask) / (width * height),
  };
}
