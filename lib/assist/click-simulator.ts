import { distanceInside } from "../masks/distance";
import type { Click } from "./types";

// The simulated annotator of the interactive-segmentation literature (RITM / Xu et al.), the same
// rule as workers/trainer/tandem_trainer/interactive/clicks.py: click the error pixel farthest
// from any correct pixel (Euclidean distance transform of the error mask, image border counted as
// outside); a false negative gives a positive click, a false positive a negative one.

/** Euclidean distance of each region pixel to the nearest pixel outside it (border = outside). */
export const distanceTransform = distanceInside;

function deepest(region: Uint8Array, width: number, height: number): { depth: number; index: number } {
  let any = false;
  for (let i = 0; i < region.length; i++)
    if (region[i]) {
      any = true;
      break;
    }
  if (!any) return { depth: 0, index: -1 };
  const dt = distanceTransform(region, width, height);
  let index = 0;
  for (let i = 1; i < dt.length; i++) if (dt[i] > dt[index]) index = i;
  return { depth: dt[index], index };
}

/** The next simulated click given the truth and the current mask (both 0/1); null when they agree. */
export function nextClick(truth: Uint8Array, current: Uint8Array, width: number, height: number): Click | null {
  const fn = new Uint8Array(truth.length);
  const fp = new Uint8Array(truth.length);
  for (let i = 0; i < truth.length; i++) {
    fn[i] = truth[i] && !current[i] ? 1 : 0;
    fp[i] = current[i] && !truth[i] ? 1 : 0;
  }
  const a = deepest(fn, width, height);
  const b = deepest(fp, width, height);
  if (a.index < 0 && b.index < 0) return null;
  const positive = a.depth >= b.depth;
  const index = positive ? a.index : b.index;
  return { x: index % width, y: Math.floor(index / width), positive };
}

export function dice(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let total = 0;
  for (let i = 0; i < a.length; i++) {
    const p = a[i] ? 1 : 0;
    const q = b[i] ? 1 : 0;
    inter += p & q;
    total += p + q;
  }
  return total === 0 ? 1 : (2 * inter) / total;
}
