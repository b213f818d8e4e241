import { resizeBilinear } from "../masks/resize";
import { blurField } from "../simulate/field-ops";
import { dice } from "../masks/measures";

// Style-blind rendering (PROTOCOL.md, "Blind by content"): every candidate, hand-drawn or
// predicted, passes the same boundary normalisation before it is shown, so brush strokes and
// polygon vertices do not tell the human mask from the machine ones. All sizes are fixed
// relative to the image, so the result does not depend on the image's resolution.

/** The long side of the working grid the boundary is resampled on (tuned with `npm run bench style`: grid 64, blur 1 gave the lowest AUC with the least change to the masks). */
export const STYLE_GRID = 64;
/** Smoothing radius on that grid (three box passes ≈ a gaussian). */
export const STYLE_BLUR = 1;
/** Components and holes smaller than this fraction of the image are removed. */
export const STYLE_MIN_PART = 0.002;

/**
 * Resamples the mask to a fixed-scale grid (area average), smooths it with a fixed kernel,
 * re-thresholds it at the original resolution, and removes specks and holes below a fixed
 * size. Returns the normalised mask and its Dice with the original.
 */
export function normaliseMaskStyle(
  mask: Uint8Array,
  width: number,
  height: number,
  o: { grid: number; blur: number; minPart: number } = { grid: STYLE_GRID, blur: STYLE_BLUR, minPart: STYLE_MIN_PART },
): { mask: Uint8Array; dice: number } {
  const scale = o.grid / Math.max(width, height);
  const gw = Math.max(1, Math.round(width * scale)),
    gh = Math.max(1, Math.round(height * scale));
  const grid = areaAverage(mask, width, height, gw, gh);
  const smooth = blurField(grid, gw, gh, o.blur, 3);
  const up = resizeBilinear(smooth, gw, gh, width, height);
  const out = new Uint8Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = up[i] >= 0.5 ? 1 : 0;
  const minPart = Math.max(1, Math.round(o.minPart * width * height));
  removeSmallParts(out, width, height, 1, minPart);
  removeSmallParts(out, width, height, 0, minPart);
  return { mask: out, dice: dice(mask, out) };
}

function areaAverage(mask: Uint8Array, w: number, h: number, gw: number, gh: number): Float32Array {
  if (gw >= w && gh >= h) return resizeBilinear(mask, w, h, gw, gh);
  const sum = new Float32Array(gw * gh),
    n = new Float32Array(gw * gh);
  for (let y = 0; y < h; y++) {
    const gy = Math.min(gh - 1, Math.floor((y * gh) / h));
    for (let x = 0; x < w; x++) {
      const g = gy * gw + Math.min(gw - 1, Math.floor((x * gw) / w));
      sum[g] += mask[y * w + x];
      n[g]++;
    }
  }
  for (let i = 0; i < sum.length; i++) sum[i] = n[i] ? sum[i] / n[i] : 0;
  return sum;
}

/**
 * Flips 4-connected components of `value` smaller than `minSize` pixels. For the background
 * (value 0) only holes are filled: components touching the border are kept.
 */
function removeSmallParts(m: Uint8Array, w: number, h: number, value: 0 | 1, minSize: number) {
  const seen = new Uint8Array(m.length);
  const stack = new Int32Array(m.length);
  const members: number[] = [];
  for (let start = 0; start < m.length; start++) {
    if (seen[start] || m[start] !== value) continue;
    let top = 0,
      border = false;
    members.length = 0;
    stack[top++] = start;
    seen[start] = 1;
    while (top) {
      const p = stack[--top];
      members.push(p);
      const x = p % w,
        y = (p - x) / w;
      if (x === 0 || y === 0 || x === w - 1 || y === h - 1) border = true;
      if (x > 0 && !seen[p - 1] && m[p - 1] === value) {
        seen[p - 1] = 1;
        stack[top++] = p - 1;
      }
      if (x < w - 1 && !seen[p + 1] && m[p + 1] === value) {
        seen[p + 1] = 1;
        stack[top++] = p + 1;
      }
      if (y > 0 && !seen[p - w] && m[p - w] === value) {
        seen[p - w] = 1;
        stack[top++] = p - w;
      }
      if (y < h - 1 && !seen[p + w] && m[p + w] === value) {
        seen[p + w] = 1;
        stack[top++] = p + w;
      }
    }
    if (members.length < minSize && !(value === 0 && border)) for (const p of members) m[p] = 1 - value;
  }
}
