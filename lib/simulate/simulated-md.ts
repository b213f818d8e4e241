// How an MD draws an infection mask: misses faint or small regions, shifts the boundary by a bias plus a
// smoothly varying jitter, draws outlines (so holes are filled) with a polygon tool or a smooth freehand pen.
import { blurField, fillPolygon, fractalNoise, smooth } from "./field-ops";
import {
  boundingBox,
  connectedComponents,
  cornersOf,
  cropMask,
  expandBox,
  fillHoles,
  FG,
  pasteMask,
  selectComponents,
  signedDistance,
  squaredDistanceToForeground,
  traceContour,
  type Component,
} from "./mask-ops";
import { createRng, hashSeed, type Rng } from "./prng";

export interface MdProfile {
  seed: number;
  /** Over- (+) or under- (−) segmentation; 1 ≈ a boundary 1.5% of the image size outside the truth. */
  bias: number;
  /** Boundary wobble; 1 ≈ ±2% of the image size, varying smoothly along the boundary. */
  jitter: number;
  /**
   * Chance (0–1) of missing a region that is faint or small; large obvious regions are rarely missed and
   * the largest region is always drawn (the MD knows the image is positive).
   */
  missRate: number;
  /** Vertex spacing of the polygon tool as a share of the image size; 0 draws smooth freehand outlines. */
  vertexSpacing?: number;
  /** Relative drawing/voting speed for the time model (1 = typical). */
  speed?: number;
}

export interface DrawingContext {
  /** The CXR, used to judge how conspicuous each region is. */
  pixels?: Uint8Array;
  /** Distinguishes images so one MD's errors differ between them (defaults to a hash of the mask). */
  imageKey?: string | number;
}

function maskKey(mask: Uint8Array): number {
  let h = 0x9e3779b9;
  for (let p = 0; p < mask.length; p++) if (mask[p] !== 0) h = Math.imul(h ^ p, 0x01000193);
  return h >>> 0;
}

function conspicuity(
  pixels: Uint8Array,
  labels: Int32Array,
  c: Component,
  outside: Float64Array,
  width: number,
  height: number,
  ring: number,
): number {
  const r2 = ring * ring;
  let inSum = 0;
  let inN = 0;
  let outSum = 0;
  let outN = 0;
  const x0 = Math.max(0, c.bbox.x0 - ring);
  const x1 = Math.min(width - 1, c.bbox.x1 + ring);
  const y0 = Math.max(0, c.bbox.y0 - ring);
  const y1 = Math.min(height - 1, c.bbox.y1 + ring);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const p = y * width + x;
      if (labels[p] === c.label) {
        inSum += pixels[p];
        inN++;
      } else if (labels[p] === 0 && outside[p] <= r2) {
        outSum += pixels[p];
        outN++;
      }
    }
  }
  return inN === 0 || outN === 0 ? 0 : inSum / inN - outSum / outN;
}

function keptComponents(
  truth: Uint8Array,
  width: number,
  height: number,
  size: number,
  md: MdProfile,
  ctx: DrawingContext,
  rng: Rng,
): Uint8Array {
  const cc = connectedComponents(truth, width, height);
  if (cc.count === 0) return new Uint8Array(truth.length);
  const imageArea = size * size;
  const ring = Math.max(2, Math.round(size * 0.012));
  const outside = ctx.pixels ? squaredDistanceToForeground(truth, width, height) : null;
  const largest = cc.components.reduce((a, b) => (b.area > a.area ? b : a));
  const keep: number[] = [];
  for (const c of cc.components) {
    const small = 1 - smooth(0.0008, 0.012, c.area / imageArea);
    const faint =
      ctx.pixels && outside
        ? 1 - smooth(3, 16, conspicuity(ctx.pixels, cc.labels, c, outside, width, height, ring))
        : 0.5;
    const pMiss = Math.min(0.97, md.missRate * (0.08 + 0.92 * Math.max(small, faint)));
    if (c === largest || !rng.chance(pMiss)) keep.push(c.label);
  }
  return selectComponents(cc.labels, keep);
}

function shiftBoundary(
  mask: Uint8Array,
  width: number,
  height: number,
  size: number,
  md: MdProfile,
  rng: Rng,
): Uint8Array {
  const sd = signedDistance(mask, width, height);
  const wobble = fractalNoise(rng, width, height, size * 0.06, 2);
  // The small constant offsets the shrinkage from smoothing and polygon chords, so bias 0 keeps the area.
  const bias = (md.bias * 0.015 + 0.003) * size + rng.normal(0, 0.003 * size);
  const amp = md.jitter * 0.02 * size * 1.6;
  const out = new Float32Array(mask.length);
  for (let p = 0; p < mask.length; p++) out[p] = sd[p] < bias + amp * wobble[p] ? 1 : 0;
  const blurred = blurField(out, width, height, Math.max(1, size * 0.006), 2);
  const drawn = new Uint8Array(mask.length);
  for (let p = 0; p < mask.length; p++) drawn[p] = blurred[p] >= 0.5 ? FG : 0;
  return drawn;
}

function polygonize(mask: Uint8Array, width: number, height: number, spacing: number): Uint8Array {
  const cc = connectedComponents(mask, width, height);
  const field = new Float32Array(mask.length);
  for (const c of cc.components) {
    const start = c.bbox.y0 * width + cc.labels.subarray(c.bbox.y0 * width, (c.bbox.y0 + 1) * width).indexOf(c.label);
    const contour = traceContour(cc.labels, width, height, c.label, start);
    const step = Math.max(1, Math.round(spacing));
    const xs: number[] = [];
    const ys: number[] = [];
    for (let k = 0; k < contour.x.length; k += step) {
      xs.push(contour.x[k]);
      ys.push(contour.y[k]);
    }
    if (xs.length >= 3) fillPolygon(field, width, height, xs, ys, 1);
  }
  const out = new Uint8Array(mask.length);
  for (let p = 0; p < mask.length; p++) out[p] = field[p] > 0 ? FG : 0;
  return out;
}

function drawCrop(
  truth: Uint8Array,
  width: number,
  height: number,
  size: number,
  md: MdProfile,
  ctx: DrawingContext,
  rng: Rng,
): Uint8Array {
  const kept = keptComponents(truth, width, height, size, md, ctx, rng.fork("miss"));
  if (kept.every((v) => v === 0)) return kept;
  const shifted = shiftBoundary(kept, width, height, size, md, rng.fork("boundary"));
  const spacing = (md.vertexSpacing ?? 0.02) * size;
  const outlined = spacing >= 2 ? polygonize(shifted, width, height, spacing) : shifted;
  return fillHoles(outlined, width, height);
}

/** The mask an MD with profile `md` would draw for an image whose true infection mask is `truth`. */
export function simulateDrawing(
  truth: Uint8Array,
  width: number,
  height: number,
  md: MdProfile,
  ctx: DrawingContext = {},
): Uint8Array {
  if (truth.length !== width * height) throw new Error(`mask length ${truth.length} does not match ${width}x${height}`);
  if (ctx.pixels && ctx.pixels.length !== truth.length) throw new Error("pixels and mask sizes differ");
  const out = new Uint8Array(truth.length);
  const measured = boundingBox(truth, width, height);
  if (!measured) return out;
  const box = cornersOf(measured);
  const rng = createRng(hashSeed("draw", md.seed, ctx.imageKey ?? maskKey(truth)));
  const size = Math.sqrt(width * height);
  // Wide enough for the largest outward shift plus the ring used to judge conspicuity.
  const margin = size * (0.03 + 0.02 * Math.max(0, md.bias) + 0.035 * Math.max(0, md.jitter)) + 4;
  const crop = expandBox(box, margin, width, height);
  const t = cropMask(truth, width, crop);
  const pixels = ctx.pixels ? cropMask(ctx.pixels, width, crop).mask : undefined;
  const drawn = drawCrop(t.mask, t.width, t.height, size, md, { ...ctx, pixels }, rng);
  pasteMask(out, width, drawn, crop);
  return out;
}
