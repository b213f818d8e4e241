// Generic operations on binary masks stored row-major as Uint8Array, 0 = background, non-zero = foreground
// (written as 1, the one mask representation of lib/masks). Pixels outside the image never count as
// foreground or background. Area, Dice, IoU and the bounding box are lib/masks/measures.ts's.

import { squaredDistanceToForeground } from "../masks/distance";
import { boundingBox, type BoundingBox, confusionCounts, dice, iou, maskArea } from "../masks/measures";

export { boundingBox, dice, iou, maskArea, squaredDistanceToForeground };
export const FG = 1;

/** Inclusive corners, for cropping and pasting; cornersOf converts a measured bounding box. */
export interface BBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface Component {
  label: number;
  area: number;
  bbox: BBox;
  cx: number;
  cy: number;
}

export interface Components {
  labels: Int32Array;
  count: number;
  components: Component[];
}

function checkSize(mask: Uint8Array, width: number, height: number) {
  if (mask.length !== width * height) {
    throw new Error(`mask length ${mask.length} does not match ${width}x${height}`);
  }
}

function checkSame(a: Uint8Array, b: Uint8Array) {
  if (a.length !== b.length) throw new Error(`mask lengths differ: ${a.length} vs ${b.length}`);
}

export function cornersOf(box: BoundingBox): BBox {
  return { x0: box.x, y0: box.y, x1: box.x + box.width - 1, y1: box.y + box.height - 1 };
}

export function emptyMask(width: number, height: number): Uint8Array {
  return new Uint8Array(width * height);
}

export function isEmptyMask(mask: Uint8Array): boolean {
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) return false;
  return true;
}

export function intersectionArea(a: Uint8Array, b: Uint8Array): number {
  checkSame(a, b);
  return confusionCounts(a, b).tp;
}

export function union(a: Uint8Array, b: Uint8Array): Uint8Array {
  checkSame(a, b);
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] !== 0 || b[i] !== 0 ? FG : 0;
  return out;
}

export function intersect(a: Uint8Array, b: Uint8Array): Uint8Array {
  checkSame(a, b);
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] !== 0 && b[i] !== 0 ? FG : 0;
  return out;
}

export function subtract(a: Uint8Array, b: Uint8Array): Uint8Array {
  checkSame(a, b);
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] !== 0 && b[i] === 0 ? FG : 0;
  return out;
}

export function invert(mask: Uint8Array): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) out[i] = mask[i] !== 0 ? 0 : FG;
  return out;
}

/** Fraction of `inner`'s foreground that lies inside `outer` (1 when `inner` is empty). */
export function fractionInside(inner: Uint8Array, outer: Uint8Array): number {
  checkSame(inner, outer);
  let n = 0;
  let inside = 0;
  for (let i = 0; i < inner.length; i++) {
    if (inner[i] === 0) continue;
    n++;
    if (outer[i] !== 0) inside++;
  }
  return n === 0 ? 1 : inside / n;
}

/** Labels foreground components (8-connected by default); labels start at 1, background is 0. */
export function connectedComponents(
  mask: Uint8Array,
  width: number,
  height: number,
  connectivity: 4 | 8 = 8,
): Components {
  checkSize(mask, width, height);
  const labels = new Int32Array(mask.length);
  const stack = new Int32Array(mask.length);
  const components: Component[] = [];
  let next = 0;
  for (let start = 0; start < mask.length; start++) {
    if (mask[start] === 0 || labels[start] !== 0) continue;
    const label = ++next;
    let top = 0;
    stack[top++] = start;
    labels[start] = label;
    let area = 0;
    let sx = 0;
    let sy = 0;
    const bbox: BBox = { x0: width, y0: height, x1: -1, y1: -1 };
    while (top > 0) {
      const p = stack[--top];
      const x = p % width;
      const y = (p - x) / width;
      area++;
      sx += x;
      sy += y;
      if (x < bbox.x0) bbox.x0 = x;
      if (x > bbox.x1) bbox.x1 = x;
      if (y < bbox.y0) bbox.y0 = y;
      if (y > bbox.y1) bbox.y1 = y;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          if (dx === 0 && dy === 0) continue;
          if (connectivity === 4 && dx !== 0 && dy !== 0) continue;
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const q = ny * width + nx;
          if (mask[q] !== 0 && labels[q] === 0) {
            labels[q] = label;
            stack[top++] = q;
          }
        }
      }
    }
    components.push({ label, area, bbox, cx: sx / area, cy: sy / area });
  }
  return { labels, count: next, components };
}

/** Mask of the components whose label is in `keep`. */
export function selectComponents(labels: Int32Array, keep: Iterable<number>): Uint8Array {
  const wanted = new Set(keep);
  const out = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) if (labels[i] !== 0 && wanted.has(labels[i])) out[i] = FG;
  return out;
}

export function removeSmallComponents(mask: Uint8Array, width: number, height: number, minArea: number): Uint8Array {
  const cc = connectedComponents(mask, width, height);
  return selectComponents(
    cc.labels,
    cc.components.filter((c) => c.area >= minArea).map((c) => c.label),
  );
}

/** Signed Euclidean distance to the mask boundary: negative inside, positive outside. */
export function signedDistance(mask: Uint8Array, width: number, height: number): Float32Array {
  const outside = squaredDistanceToForeground(mask, width, height);
  const inside = squaredDistanceToForeground(invert(mask), width, height);
  const out = new Float32Array(mask.length);
  for (let i = 0; i < mask.length; i++) {
    out[i] = mask[i] !== 0 ? -Math.sqrt(inside[i]) : Math.sqrt(outside[i]);
  }
  return out;
}

/** Dilation by a disk of the given radius (pixels). */
export function dilate(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  if (radius <= 0) return Uint8Array.from(mask, (v) => (v !== 0 ? FG : 0));
  const d = squaredDistanceToForeground(mask, width, height);
  const r2 = radius * radius;
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) out[i] = d[i] <= r2 ? FG : 0;
  return out;
}

/** Erosion by a disk of the given radius (pixels). */
export function erode(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  if (radius <= 0) return Uint8Array.from(mask, (v) => (v !== 0 ? FG : 0));
  return invert(dilate(invert(mask), width, height, radius));
}

export function open(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  return dilate(erode(mask, width, height, radius), width, height, radius);
}

export function close(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  return erode(dilate(mask, width, height, radius), width, height, radius);
}

/** Fills background regions that do not touch the image border (4-connected background). */
export function fillHoles(mask: Uint8Array, width: number, height: number): Uint8Array {
  checkSize(mask, width, height);
  const reached = new Uint8Array(mask.length);
  const stack = new Int32Array(mask.length);
  let top = 0;
  const seed = (p: number) => {
    if (mask[p] === 0 && reached[p] === 0) {
      reached[p] = 1;
      stack[top++] = p;
    }
  };
  for (let x = 0; x < width; x++) {
    seed(x);
    seed((height - 1) * width + x);
  }
  for (let y = 0; y < height; y++) {
    seed(y * width);
    seed(y * width + width - 1);
  }
  while (top > 0) {
    const p = stack[--top];
    const x = p % width;
    if (x > 0) seed(p - 1);
    if (x < width - 1) seed(p + 1);
    if (p >= width) seed(p - width);
    if (p < mask.length - width) seed(p + width);
  }
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) out[i] = reached[i] === 0 ? FG : 0;
  return out;
}

const DX = [1, 1, 0, -1, -1, -1, 0, 1];
const DY = [0, 1, 1, 1, 0, -1, -1, -1];

/**
 * Outer boundary of one labelled component as pixel coordinates, clockwise from its top-left pixel
 * (Moore-neighbour tracing, 8-connected). `start` may give that top-left pixel's index to skip the scan.
 */
export function traceContour(
  labels: Int32Array,
  width: number,
  height: number,
  label: number,
  start?: number,
): { x: number[]; y: number[] } {
  let s = start ?? -1;
  if (s < 0) for (let p = 0; p < labels.length && s < 0; p++) if (labels[p] === label) s = p;
  if (s < 0) return { x: [], y: [] };
  const sx = s % width;
  const sy = (s - sx) / width;
  const xs = [sx];
  const ys = [sy];
  const inside = (x: number, y: number) =>
    x >= 0 && y >= 0 && x < width && y < height && labels[y * width + x] === label;
  let cx = sx;
  let cy = sy;
  let back = 4;
  const limit = 4 * labels.length + 8;
  for (let step = 0; step < limit; step++) {
    let found = -1;
    for (let k = 1; k <= 8; k++) {
      const d = (back + k) & 7;
      if (inside(cx + DX[d], cy + DY[d])) {
        found = d;
        break;
      }
    }
    if (found < 0) break;
    const prev = (found + 7) & 7;
    const bx = cx + DX[prev];
    const by = cy + DY[prev];
    cx += DX[found];
    cy += DY[found];
    back = direction(bx - cx, by - cy);
    if (cx === sx && cy === sy && bx === sx - 1 && by === sy) break;
    xs.push(cx);
    ys.push(cy);
  }
  return { x: xs, y: ys };
}

function direction(dx: number, dy: number): number {
  for (let d = 0; d < 8; d++) if (DX[d] === dx && DY[d] === dy) return d;
  throw new Error(`not a neighbour offset: ${dx},${dy}`);
}

/** Copies the pixels inside `box` (inclusive) of a row-major image into a new buffer. */
export function cropMask(
  mask: Uint8Array,
  width: number,
  box: BBox,
): { mask: Uint8Array; width: number; height: number } {
  const w = box.x1 - box.x0 + 1;
  const h = box.y1 - box.y0 + 1;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const src = (box.y0 + y) * width + box.x0;
    out.set(mask.subarray(src, src + w), y * w);
  }
  return { mask: out, width: w, height: h };
}

/** Writes a cropped buffer back into a full-size image at `box`. */
export function pasteMask(target: Uint8Array, width: number, crop: Uint8Array, box: BBox): void {
  const w = box.x1 - box.x0 + 1;
  const h = box.y1 - box.y0 + 1;
  if (crop.length !== w * h) throw new Error(`crop length ${crop.length} does not match box ${w}x${h}`);
  for (let y = 0; y < h; y++) target.set(crop.subarray(y * w, (y + 1) * w), (box.y0 + y) * width + box.x0);
}

/** `box` grown by `margin` pixels on every side, clipped to the image. */
export function expandBox(box: BBox, margin: number, width: number, height: number): BBox {
  const m = Math.ceil(margin);
  return {
    x0: Math.max(0, box.x0 - m),
    y0: Math.max(0, box.y0 - m),
    x1: Math.min(width - 1, box.x1 + m),
    y1: Math.min(height - 1, box.y1 + m),
  };
}
