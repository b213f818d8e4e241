import { AppError } from "../errors/app-error";
import { largestComponentFraction } from "./components";
import { imageScore } from "./metrics";
import type { DetectionRule } from "./model-card";
import { DEFAULT_THRESHOLD } from "./threshold";

export type Detection = {
  /** The image's score: its largest pixel probability. */
  score: number;
  /** The presence head's probability of infection; null for a model without the head. */
  presence: number | null;
  threshold: number;
  /** COVID-19 positive: some pixel reaches the threshold (the paper's detector). */
  positive: boolean;
  /** Share of pixels at or above the threshold (at the map's resolution). */
  infectedFraction: number;
  /** The model's calibrated rule (a component of ≥ minArea at prob ≥ threshold); null without one. */
  calibrated: CalibratedDetection | null;
};

export type CalibratedDetection = {
  positive: boolean;
  kind: DetectionRule["kind"];
  threshold: number;
  minArea: number;
  /** The presence probability the rule compared (presence rules), else null. */
  presence: number | null;
  /** Largest 8-connected component at the rule's threshold, as a share of the map. */
  largestComponent: number;
  targetSensitivity: number;
  /** Out-of-fold sensitivity and specificity the rule reached when it was calibrated. */
  sensitivity: number | null;
  specificity: number | null;
};

/**
 * The model's calibrated call on one image. A presence rule needs the presence head's probability:
 * without it (a map stored before the head existed) the result is null.
 */
export function detectCalibrated(
  prob: ArrayLike<number>,
  rule: DetectionRule,
  presence: number | null = null,
): CalibratedDetection | null {
  if (rule.kind === "presence" && presence === null) return null;
  const side = Math.round(Math.sqrt(prob.length));
  const componentThreshold = rule.kind === "presence" ? DEFAULT_THRESHOLD : rule.threshold;
  const largestComponent =
    side * side === prob.length ? largestComponentFraction(prob, side, side, componentThreshold) : 0;
  const positive =
    rule.kind === "presence"
      ? presence! >= rule.threshold
      : rule.minArea > 0
        ? largestComponent >= rule.minArea
        : largestComponent > 0;
  return {
    positive,
    kind: rule.kind,
    threshold: rule.threshold,
    minArea: rule.minArea,
    presence: rule.kind === "presence" ? presence : null,
    largestComponent,
    targetSensitivity: rule.targetSensitivity,
    sensitivity: rule.sensitivity,
    specificity: rule.specificity,
  };
}

export function detect(
  prob: ArrayLike<number>,
  threshold = DEFAULT_THRESHOLD,
  rule: DetectionRule | null = null,
  presence: number | null = null,
): Detection {
  if (!(threshold > 0 && threshold <= 1)) throw new AppError("BAD_REQUEST", "The threshold must be in (0, 1]");
  let above = 0;
  for (let i = 0; i < prob.length; i++) if (prob[i] >= threshold) above++;
  const score = prob.length ? imageScore(prob) : 0;
  return {
    score,
    presence,
    threshold,
    positive: score >= threshold,
    infectedFraction: prob.length ? above / prob.length : 0,
    calibrated: rule ? detectCalibrated(prob, rule, presence) : null,
  };
}

/** The ensemble's probability map: the pixel-wise mean of maps of one size. */
export function ensembleMean(maps: readonly ArrayLike<number>[]): Float32Array {
  if (!maps.length) throw new AppError("BAD_REQUEST", "An ensemble needs at least one map");
  const n = maps[0].length;
  if (maps.some((m) => m.length !== n)) throw new AppError("BAD_REQUEST", "Ensemble maps must have the same size");
  const sum = new Float64Array(n);
  for (const m of maps) for (let i = 0; i < n; i++) sum[i] += m[i];
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = sum[i] / maps.length;
  return out;
}
