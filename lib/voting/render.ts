import { deflateSync } from "node:zlib";
import { PNG_SIGNATURE, pngChunk } from "../masks/png-chunks";

/**
 * A candidate as served to a voter: a 1-bit grayscale PNG whose IDAT holds stored (level 0)
 * deflate blocks, so its byte size depends only on the image's width and height — never on
 * the mask's shape, and so never on who drew it. Only IHDR, IDAT and IEND.
 */
export function fixedSizeMaskPng(mask: ArrayLike<number>, width: number, height: number): Buffer {
  const stride = Math.ceil(width / 8) + 1;
  const raw = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    for (let x = 0; x < width; x++) if (mask[y * width + x]) raw[row + 1 + (x >> 3)] |= 0x80 >> (x & 7);
  }
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr.set([1, 0, 0, 0, 0], 8);
  const idat = deflateSync(raw, { level: 0 });
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", idat),
    pngChunk("IEND", new Uint8Array(0)),
  ]);
}
