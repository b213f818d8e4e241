import { inflateSync } from "node:zlib";
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

/** Undoes PNG row filters for 8-bit, one-sample rows; returns the row-major samples. */
function unfilter(raw: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
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
        for (let x = 0; x < width; x++) cur[x] = (line[x] + paeth(x > 0 ? cur[x - 1] : 0, up[x], x > 0 ? up[x - 1] : 0)) & 0xff;
        break;
      default:
        throw new AppError("BAD_REQUEST", `mask PNG row ${y} has unknown filter ${f}`);
    }
  }
  return out;
}

/**
 * A stored mask's pixels as 0/1. Tandem writes masks as 8-bit grayscale PNGs (lib/masks), which
 * this reads directly with native inflate; anything else goes through the general decoder.
 * Same thresholds as decodeMaskPng: ≥ 128 is foreground, or 1 when the mask is stored as 0/1.
 */
export async function maskPixels(png: Buffer, width: number, height: number): Promise<Uint8Array> {
  const chunks = readPngChunks(png);
  const h = readPngHeader(png, chunks);
  if (h.width !== width || h.height !== height) throw new AppError("CONFLICT", `mask is ${h.width}×${h.height}, its image ${width}×${height}`);
  if (h.bitDepth !== 8 || h.colorType !== 0 || h.interlace !== 0) return (await decodeMaskPng(png, { maxPixels: width * height })).mask;
  const idat = Buffer.concat(chunks.filter((c) => c.type === "IDAT").map((c) => png.subarray(c.offset, c.offset + c.length)));
  const expected = (width + 1) * height;
  const raw = inflateSync(idat, { maxOutputLength: expected });
  if (raw.length !== expected) throw new AppError("BAD_REQUEST", "mask PNG holds the wrong amount of pixel data");
  const px = unfilter(raw, width, height);
  let max = 0;
  for (let i = 0; i < px.length; i++) max |= px[i];
  const cut = max === 1 ? 1 : 128;
  for (let i = 0; i < px.length; i++) px[i] = px[i] >= cut ? 1 : 0;
  return px;
}
