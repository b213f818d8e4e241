import { unzlibSync } from "fflate";
import { AppError } from "../errors/app-error";
import { readPngChunks, readPngHeader } from "../masks/png-chunks";
import { decodeMaskPng } from "../masks/png-codec";

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Undoes PNG row filters for 8-bit, one-sample rows, writing the samples row-major into `out`. */
function unfilter(raw: Uint8Array, width: number, height: number, out: Uint8Array): void {
  const zeros = new Uint8Array(width);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (width + 1)];
    const line = raw.subarray(y * (width + 1) + 1, (y + 1) * (width + 1));
    const cur = out.subarray(y * width, (y + 1) * width);
    const up = y > 0 ? out.subarray((y - 1) * width, y * width) : zeros;
    switch (f) {
      case 0:
        cur.set(line);
        break;
      case 1:
        for (let x = 0, a = 0; x < width; x++) a = cur[x] = (line[x] + a) & 0xff;
        break;
      case 2:
        for (let x = 0; x < width; x++) cur[x] = (line[x] + up[x]) & 0xff;
        break;
      case 3:
        for (let x = 0; x < width; x++) cur[x] = (line[x] + (((x > 0 ? cur[x - 1] : 0) + up[x]) >> 1)) & 0xff;
        break;
      case 4:
        for (let x = 0; x < width; x++)
          cur[x] = (line[x] + paeth(x > 0 ? cur[x - 1] : 0, up[x], x > 0 ? up[x - 1] : 0)) & 0xff;
        break;
      default:
        throw new AppError("BAD_REQUEST", `mask PNG row ${y} has unknown filter ${f}`);
    }
  }
}

// One inflate buffer for the whole process: decoding below is synchronous, so no two calls
// ever share it, and the export makes no per-mask garbage of this size.
let scratch = new Uint8Array(0);

/**
 * Decodes a mask stored the way Tandem writes them (8-bit grayscale PNG, lib/masks) into
 * `out` as 0/1, synchronously. Same thresholds as decodeMaskPng: ≥ 128 is foreground, or 1
 * when the mask is stored as 0/1. False when the PNG has another layout.
 */
export function decodeMaskInto(png: Uint8Array, width: number, height: number, out: Uint8Array): boolean {
  const chunks = readPngChunks(png);
  const h = readPngHeader(png, chunks);
  if (h.width !== width || h.height !== height)
    throw new AppError("CONFLICT", `mask is ${h.width}×${h.height}, its image ${width}×${height}`);
  if (h.bitDepth !== 8 || h.colorType !== 0 || h.interlace !== 0) return false;
  const idat = chunks.filter((c) => c.type === "IDAT");
  const data =
    idat.length === 1
      ? png.subarray(idat[0].offset, idat[0].offset + idat[0].length)
      : Buffer.concat(idat.map((c) => png.subarray(c.offset, c.offset + c.length)));
  const expected = (width + 1) * height;
  if (scratch.length < expected + 1) scratch = new Uint8Array(expected + 1);
  // One spare byte: fflate truncates to the buffer, so a longer stream shows as a full buffer.
  const raw = unzlibSync(data, { out: scratch.subarray(0, expected + 1) });
  if (raw.length !== expected) throw new AppError("BAD_REQUEST", "mask PNG holds the wrong amount of pixel data");
  unfilter(raw, width, height, out);
  let max = 0;
  for (let i = 0; i < out.length; i++) max |= out[i];
  const cut = max === 1 ? 1 : 128;
  for (let i = 0; i < out.length; i++) out[i] = out[i] >= cut ? 1 : 0;
  return true;
}

/** A stored mask's pixels as a new 0/1 array, whatever its PNG layout. */
export async function maskPixels(png: Buffer, width: number, height: number): Promise<Uint8Array> {
  const out = new Uint8Array(width * height);
  if (decodeMaskInto(png, width, height, out)) return out;
  const d = await decodeMaskPng(png, { maxPixels: width * height });
  if (d.width !== width || d.height !== height)
    throw new AppError("CONFLICT", `mask is ${d.width}×${d.height}, its image ${width}×${height}`);
  return d.mask;
}
