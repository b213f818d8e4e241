import { AppError } from "../errors/app-error";

// Masks are row-major arrays where any non-zero value is foreground.
export type MaskLike = ArrayLike<number>;

export interface ConfusionCounts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export interface BoundingBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

function sameLength(a: MaskLike, b: MaskLike): void {
  if (a.length !== b.length)
    throw new AppError("BAD_REQUEST", `masks differ in size: ${a.length} vs ${b.length} pixels`);
}

export function maskArea(mask: MaskLike): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) n++;
  return n;
}

/** Pixel-level confusion of a prediction against the ground truth (foreground = positive). */
export function confusionCounts(pred: MaskLike, truth: MaskLike): ConfusionCounts {
  sameLength(pred, truth);
  let tp = 0,
    fp = 0,
    fn = 0;
  for (let i = 0; i < pred.length; i++) {
    if (pred[i]) {
      if (truth[i]) tp++;
      else fp++;
    } else if (truth[i]) fn++;
  }
  return { tp, fp, fn, tn: pred.length - tp - fp - fn };
}

/** 2|A∩B| / (|A|+|B|); two empty masks agree perfectly, so 1. */
export function dice(a: MaskLike, b: MaskLike): number {
  const { tp, fp, fn } = confusionCounts(a, b);
  const denom = 2 * tp + fp + fn;
  return denom === 0 ? 1 : (2 * tp) / denom;
}

/** |A∩B| / |A∪B|; two empty masks give 1. */
export function iou(a: MaskLike, b: MaskLike): number {
  const { tp, fp, fn } = confusionCounts(a, b);
  const union = tp + fp + fn;
  return union === 0 ? 1 : tp / union;
}

/** Tightest box around the foreground, or null when the mask is empty. */
export function boundingBox(mask: MaskLike, width: number, height: number): BoundingBox | null {
  if (mask.length !== width * height)
    throw new AppError("BAD_REQUEST", `mask has ${mask.length} pixels, expected ${width}×${height}`);
  let xMin = width,
    xMax = -1,
    yMin = height,
    yMax = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (!mask[row + x]) continue;
      if (x < xMin) xMin = x;
      if (x > xMax) xMax = x;
      if (y < yMin) yMin = y;
      yMax = y;
    }
  }
  if (xMax < 0) return null;
  return { x: xMin, y: yMin, width: xMax - xMin + 1, height: yMax - yMin + 1 };
}
