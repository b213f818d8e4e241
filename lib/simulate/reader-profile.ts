// Who a simulated MD is: perception habits (how their latent reading departs from the truth),
// drawing hand, voting habits and speed. Plain data; no truth anywhere.

export interface ReaderProfile {
  name: string;
  seed: number;
  /** Over- (+) or under- (−) segmentation of what they see; 1 ≈ boundary 1.5% of the image size outside. */
  bias: number;
  /** Boundary disagreement, varying smoothly along the boundary; 1 ≈ ±2% of the image size. */
  jitter: number;
  /** Chance (0–1) of missing a faint or small lesion (scaled by the lesion's contrast and size in the image). */
  missRate: number;
  /** Expected number of false-positive regions they see on a positive image. */
  falsePositiveRate: number;
  /** Chance of calling a control image positive (one false-positive region). */
  controlCallRate: number;
  /** Hand (motor) wobble when outlining what they see, same units as jitter. */
  handJitter: number;
  /** Polygon-tool vertex spacing as a share of the image size. */
  vertexSpacing: number;
  /** Voting: a candidate whose perceived Dice to their own reading is below this is not acceptable. */
  acceptDice: number;
  /** Voting: sd of the error in judging a candidate's similarity to their reading. */
  perceptionNoise: number;
  /** Voting: bonus in perceived Dice for the first position (primacy), falling linearly to 0 for the last. */
  positionBias: number;
  /** Voting: relative growth of perception noise per 100 votes already cast (0 = no fatigue). */
  fatigue: number;
  /** Relative speed (1 = typical; 2 = twice as fast). */
  speed: number;
}

/**
 * Five readers with different habits. Their spread was calibrated so that the mean pairwise
 * Dice between their drawings sits in the published inter-reader band (see README.md).
 */
export const DEFAULT_PANEL: readonly ReaderProfile[] = [
  {
    name: "MD 1",
    seed: 11,
    bias: 0.402,
    jitter: 1.15,
    missRate: 0.345,
    falsePositiveRate: 0.172,
    controlCallRate: 0.04,
    handJitter: 0.25,
    vertexSpacing: 0.02,
    acceptDice: 0.62,
    perceptionNoise: 0.05,
    positionBias: 0,
    fatigue: 0,
    speed: 1,
  },
  {
    name: "MD 2",
    seed: 12,
    bias: -0.402,
    jitter: 1.38,
    missRate: 0.46,
    falsePositiveRate: 0.115,
    controlCallRate: 0.03,
    handJitter: 0.3,
    vertexSpacing: 0.025,
    acceptDice: 0.6,
    perceptionNoise: 0.06,
    positionBias: 0,
    fatigue: 0,
    speed: 1.2,
  },
  {
    name: "MD 3",
    seed: 13,
    bias: 0.115,
    jitter: 1.035,
    missRate: 0.287,
    falsePositiveRate: 0.23,
    controlCallRate: 0.05,
    handJitter: 0.2,
    vertexSpacing: 0.015,
    acceptDice: 0.65,
    perceptionNoise: 0.04,
    positionBias: 0,
    fatigue: 0,
    speed: 0.85,
  },
  {
    name: "MD 4",
    seed: 14,
    bias: 0.69,
    jitter: 1.265,
    missRate: 0.23,
    falsePositiveRate: 0.287,
    controlCallRate: 0.06,
    handJitter: 0.3,
    vertexSpacing: 0.02,
    acceptDice: 0.58,
    perceptionNoise: 0.06,
    positionBias: 0,
    fatigue: 0,
    speed: 1.1,
  },
  {
    name: "MD 5",
    seed: 15,
    bias: -0.172,
    jitter: 1.495,
    missRate: 0.402,
    falsePositiveRate: 0.172,
    controlCallRate: 0.03,
    handJitter: 0.25,
    vertexSpacing: 0.02,
    acceptDice: 0.63,
    perceptionNoise: 0.05,
    positionBias: 0,
    fatigue: 0,
    speed: 0.9,
  },
];

/**
 * Scales every reader's perception errors: 1 = the calibrated panel, 0.5 = half the errors
 * (more expert readers), 2 = twice the errors. Voting and speed habits are kept.
 */
export function scaleReaderErrors(panel: readonly ReaderProfile[], factor: number): ReaderProfile[] {
  if (!(factor >= 0)) throw new Error(`reader error factor must be ≥ 0, got ${factor}`);
  return panel.map((r) => ({
    ...r,
    bias: r.bias * factor,
    jitter: r.jitter * factor,
    missRate: Math.min(0.95, r.missRate * factor),
    falsePositiveRate: r.falsePositiveRate * factor,
    controlCallRate: Math.min(0.9, r.controlCallRate * factor),
  }));
}

/** Turns on the optional voting habits for every reader. */
export function withVotingHabits(
  panel: readonly ReaderProfile[],
  o: { positionBias?: number; fatigue?: number },
): ReaderProfile[] {
  return panel.map((r) => ({ ...r, positionBias: o.positionBias ?? r.positionBias, fatigue: o.fatigue ?? r.fatigue }));
}
