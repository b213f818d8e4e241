import { AppError } from "../errors/app-error";

// COCO run-length encoding: runs over the mask in column-major (Fortran) order, alternating
// background and foreground, starting with background (so counts[0] may be 0).

/** size is [height, width] as in COCO. */
export interface CocoRle {
  size: [number, number];
  counts: number[];
}

export interface CocoCompressedRle {
  size: [number, number];
  counts: string;
}

/** [x, y, width, height] in pixels, x = column, y = row. */
export type CocoBbox = [number, number, number, number];

/** mask is row-major, non-zero = foreground. */
export function encodeRle(mask: ArrayLike<number>, width: number, height: number): CocoRle {
  if (mask.length !== width * height) {
    throw new AppError("BAD_REQUEST", `mask has ${mask.length} pixels, expected ${width}×${height}`);
  }
  const counts: number[] = [];
  let current = 0;
  let run = 0;
  for (let x = 0; x < width; x++) {
    for (let i = x; i < mask.length; i += width) {
      const v = mask[i] ? 1 : 0;
      if (v !== current) {
        counts.push(run);
        run = 0;
        current = v;
      }
      run++;
    }
  }
  counts.push(run);
  return { size: [height, width], counts };
}

function checkRle(rle: CocoRle): void {
  const [height, width] = rle.size;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 0 || width < 0) {
    throw new AppError("BAD_REQUEST", "RLE size must be [height, width] with non-negative integers");
  }
  let total = 0;
  for (const c of rle.counts) {
    if (!Number.isInteger(c) || c < 0) throw new AppError("BAD_REQUEST", "RLE counts must be non-negative integers");
    total += c;
  }
  if (total !== height * width) {
    throw new AppError("BAD_REQUEST", `RLE counts sum to ${total}, expected ${height}×${width} = ${height * width}`);
  }
}

/** Returns a row-major 0/1 mask. */
export function decodeRle(rle: CocoRle): Uint8Array {
  checkRle(rle);
  const [height, width] = rle.size;
  const mask = new Uint8Array(height * width);
  let k = 0; // position in column-major order
  for (let r = 0; r < rle.counts.length; r++) {
    const n = rle.counts[r];
    if (r % 2 === 1 && n > 0) {
      let row = k % height;
      let col = (k - row) / height;
      for (let j = 0; j < n; j++) {
        mask[row * width + col] = 1;
        if (++row === height) {
          row = 0;
          col++;
        }
      }
    }
    k += n;
  }
  return mask;
}

export function rleArea(rle: CocoRle): number {
  let area = 0;
  for (let r = 1; r < rle.counts.length; r += 2) area += rle.counts[r];
  return area;
}

/** COCO-style [x, y, w, h]; [0, 0, 0, 0] for an empty mask. */
export function rleBbox(rle: CocoRle): CocoBbox {
  const h = rle.size[0];
  let xMin = Infinity,
    xMax = -1,
    yMin = Infinity,
    yMax = -1;
  let k = 0;
  for (let r = 0; r < rle.counts.length; r++) {
    const n = rle.counts[r];
    if (r % 2 === 1 && n > 0) {
      const first = k,
        last = k + n - 1;
      const x0 = Math.floor(first / h),
        x1 = Math.floor(last / h);
      xMin = Math.min(xMin, x0);
      xMax = Math.max(xMax, x1);
      if (x0 === x1) {
        yMin = Math.min(yMin, first % h);
        yMax = Math.max(yMax, last % h);
      } else {
        // The run wraps into a new column, so it touches both the last and the first row.
        yMin = 0;
        yMax = h - 1;
      }
    }
    k += n;
  }
  if (xMax < 0) return [0, 0, 0, 0];
  return [xMin, yMin, xMax - xMin + 1, yMax - yMin + 1];
}

/**
 * pycocotools' compact string form: each count (from the fourth on, as the difference from the
 * count two places earlier) is written as little-endian 5-bit groups, sign-extended from bit 4
 * of the last group, each group plus 48 as one ASCII character with 0x20 meaning "more follow".
 */
export function rleCountsToString(counts: readonly number[]): string {
  const chars: number[] = [];
  for (let i = 0; i < counts.length; i++) {
    let x = i > 2 ? counts[i] - counts[i - 2] : counts[i];
    for (;;) {
      const group = ((x % 32) + 32) % 32;
      x = Math.floor(x / 32);
      const more = group & 0x10 ? x !== -1 : x !== 0;
      chars.push(48 + (more ? group | 0x20 : group));
      if (!more) break;
    }
  }
  let s = "";
  for (let i = 0; i < chars.length; i += 32768) s += String.fromCharCode(...chars.slice(i, i + 32768));
  return s;
}

export function rleCountsFromString(s: string): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let scale = 1;
    let group = 0;
    let more = true;
    while (more) {
      if (p >= s.length) throw new AppError("BAD_REQUEST", "compressed RLE ends in the middle of a count");
      const c = s.charCodeAt(p++) - 48;
      if (c < 0 || c > 63) throw new AppError("BAD_REQUEST", `invalid character in compressed RLE at ${p - 1}`);
      group = c & 0x1f;
      x += group * scale;
      scale *= 32;
      more = (c & 0x20) !== 0;
    }
    if (group & 0x10) x -= scale; // sign-extend
    const i = counts.length;
    counts.push(i > 2 ? x + counts[i - 2] : x);
  }
  return counts;
}

export function compressRle(rle: CocoRle): CocoCompressedRle {
  return { size: [rle.size[0], rle.size[1]], counts: rleCountsToString(rle.counts) };
}

export function decompressRle(rle: CocoCompressedRle): CocoRle {
  const out: CocoRle = { size: [rle.size[0], rle.size[1]], counts: rleCountsFromString(rle.counts) };
  checkRle(out);
  return out;
}

/** What COCO needs of a mask, computed once when the mask is stored: compressed counts, bbox and area. */
export function cocoSummary(
  mask: ArrayLike<number>,
  width: number,
  height: number,
): { rleCounts: string; bbox: CocoBbox; area: number } {
  const rle = encodeRle(mask, width, height);
  return { rleCounts: rleCountsToString(rle.counts), bbox: rleBbox(rle), area: rleArea(rle) };
}
