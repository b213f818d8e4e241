import { promisify } from "node:util";
import { crc32, inflate, type ZlibOptions } from "node:zlib";

const inflateInfo = promisify(inflate) as unknown as (
  b: Buffer,
  o: ZlibOptions & { info: true },
) => Promise<{ buffer: Buffer; engine: { bytesWritten: number } }>;

/**
 * Ancillary chunks that never change the pixels a decoder produces (text, time, physical
 * size). They are dropped; any other ancillary chunk (gamma, colour profile, significant bits,
 * EXIF orientation, transparency, private chunks) sends the file down the re-encoding path.
 */
const DROPPABLE = new Set(["tEXt", "zTXt", "iTXt", "tIME", "pHYs"]);

/**
 * An 8-bit grayscale PNG whose image data, kept as it is, is already a valid working image:
 * the upload with only its IHDR, IDAT and IEND chunks, or null when it must be re-encoded.
 *
 * Kept only when nothing but the pixels can ride along: non-interlaced 8-bit gray without
 * transparency, every kept chunk's CRC right, and the IDAT stream inflating to exactly
 * height × (width + 1) bytes and ending exactly where the IDAT data ends. libpng stops reading
 * once it has every row, so without these checks bytes hidden after the zlib stream, or extra
 * "rows" compressed into it, would reach storage unseen. The inflate costs a few milliseconds;
 * the deflate it replaces costs tens.
 */
export async function reusableGrayPng(png: Buffer): Promise<Buffer | null> {
  if (png.length < 33 || png.toString("latin1", 12, 16) !== "IHDR" || png.readUInt32BE(8) !== 13) return null;
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  // bit depth 8, colour type 0 (gray), compression 0, filter 0, interlace 0
  if (png[24] !== 8 || png[25] !== 0 || png[26] !== 0 || png[27] !== 0 || png[28] !== 0) return null;
  const kept: Buffer[] = [png.subarray(0, 8)];
  const idat: Buffer[] = [];
  let afterIdat = false;
  for (let pos = 8; pos + 12 <= png.length; ) {
    const length = png.readUInt32BE(pos);
    const end = pos + 12 + length;
    if (end > png.length) return null;
    const type = png.toString("latin1", pos + 4, pos + 8);
    if (type === "IHDR" || type === "IDAT" || type === "IEND") {
      if (crc32(png.subarray(pos + 4, end - 4)) !== png.readUInt32BE(end - 4)) return null;
      if (type === "IDAT") {
        if (afterIdat) return null; // IDAT chunks must be consecutive
        idat.push(png.subarray(pos + 8, end - 4));
      } else if (idat.length) afterIdat = true;
      kept.push(png.subarray(pos, end));
      if (type === "IEND") return (await imageDataIsExact(idat, width, height)) ? Buffer.concat(kept) : null;
    } else if (DROPPABLE.has(type)) {
      if (idat.length) afterIdat = true;
    } else return null;
    pos = end;
  }
  return null;
}

async function imageDataIsExact(idat: Buffer[], width: number, height: number): Promise<boolean> {
  if (!idat.length) return false;
  const stream = idat.length === 1 ? idat[0] : Buffer.concat(idat);
  try {
    const rows = height * (width + 1);
    // One byte over is enough to know it is too much: extra data never inflates in full.
    const { buffer, engine } = await inflateInfo(stream, {
      info: true,
      maxOutputLength: rows + 1,
      // One output chunk: the default 16 KiB chunks cost a callback and a copy each (~60 for 1024²).
      chunkSize: Math.max(64, rows + 1),
    });
    return buffer.length === rows && engine.bytesWritten === stream.length;
  } catch {
    return false;
  }
}
