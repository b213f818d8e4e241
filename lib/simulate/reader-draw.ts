// How a simulated MD draws: outlines their own latent reading with their hand (polygon tool,
// wobble), or starts from a candidate mask and fixes only what disagrees with their reading.
// Works from the reading only; the truth is refused at run time.
import { connectedComponents, dice, FG, isEmptyMask, maskArea, open } from "./mask-ops";
import { onEdge } from "../masks/edge";
import { hashSeed } from "./prng";
import type { ReaderProfile } from "./reader-profile";
import type { Reading } from "./reading";
import { simulateDrawing } from "./simulated-md";
import { assertNotTruth } from "./truth-guard";

/** What a mask (or a change to one) asks of the hand. */
export interface MaskWork {
  /** Separate regions. */
  regions: number;
  /** Area over image area, 0–1. */
  areaFraction: number;
  /** Boundary length in units of the image size (√(width·height)). */
  boundary: number;
}

export function maskWork(mask: Uint8Array, width: number, height: number): MaskWork {
  if (mask.length !== width * height) throw new Error(`mask length ${mask.length} does not match ${width}x${height}`);
  let edge = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x] && onEdge(mask, width, height, x, y)) edge++;
    }
  }
  return {
    regions: connectedComponents(mask, width, height).count,
    areaFraction: maskArea(mask) / (width * height),
    boundary: edge / Math.sqrt(width * height),
  };
}

/** The mask the reader draws from scratch; `attempt` separates a first drawing from later redraws. */
export function drawFromReading(reading: Reading, reader: ReaderProfile, attempt = "MANUAL"): Uint8Array {
  assertNotTruth(reading.mask, "drawFromReading");
  if (!reading.positive) return new Uint8Array(reading.width * reading.height);
  return simulateDrawing(
    reading.mask,
    reading.width,
    reading.height,
    {
      seed: hashSeed("hand", reader.seed, attempt),
      bias: 0,
      jitter: reader.handJitter,
      missRate: 0,
      vertexSpacing: reader.vertexSpacing,
    },
    { imageKey: `hand:${reading.imageKey}` },
  );
}

/** Index of the candidate closest to the reader's reading (ties: the first), with its Dice. */
export function closestCandidate(reading: Reading, candidates: readonly Uint8Array[]): { index: number; dice: number } {
  assertNotTruth(reading.mask, "closestCandidate");
  let best = { index: -1, dice: -1 };
  candidates.forEach((c, i) => {
    assertNotTruth(c, "closestCandidate");
    const d = dice(reading.mask, c);
    if (d > best.dice) best = { index: i, dice: d };
  });
  return best;
}

/**
 * The reader starts from `candidate` and changes only regions where it disagrees with what they
 * would draw by more than a sliver (about 1% of the image size wide); `work` is the changed part.
 */
export function editFromCandidate(
  reading: Reading,
  candidate: Uint8Array,
  reader: ReaderProfile,
  attempt = "EDIT",
): { mask: Uint8Array; work: MaskWork } {
  assertNotTruth(candidate, "editFromCandidate");
  const { width, height } = reading;
  if (candidate.length !== width * height)
    throw new Error(`candidate length ${candidate.length} does not match ${width}x${height}`);
  const target = drawFromReading(reading, reader, attempt);
  const diff = new Uint8Array(target.length);
  for (let p = 0; p < diff.length; p++) diff[p] = (target[p] !== 0) !== (candidate[p] !== 0) ? FG : 0;
  const changes = open(diff, width, height, Math.max(1, Math.round(0.01 * Math.sqrt(width * height))));
  const mask = new Uint8Array(target.length);
  for (let p = 0; p < mask.length; p++) mask[p] = (candidate[p] !== 0) !== (changes[p] !== 0) ? FG : 0;
  return {
    mask,
    work: isEmptyMask(changes) ? { regions: 0, areaFraction: 0, boundary: 0 } : maskWork(changes, width, height),
  };
}
