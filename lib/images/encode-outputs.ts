import sharp from "sharp";
import { stripPngAncillaryChunks } from "./canonical-png";

export const THUMBNAIL_LONGEST_SIDE = 256;
export const THUMBNAIL_QUALITY = 80;

function rawGray(pixels8: Uint8Array, width: number, height: number, timeoutSeconds: number) {
  return sharp(pixels8, { raw: { width, height, channels: 1 }, limitInputPixels: false }).timeout({
    seconds: timeoutSeconds,
  });
}

/**
 * The one encoding every encoded working image gets, whatever its source, so two encoded
 * sources with equal pixels give byte-identical files: 8-bit gray, fixed zlib settings, no
 * ancillary chunks. An 8-bit gray PNG upload whose image data is exactly its pixels skips it and
 * keeps its own image data (reusable-png.ts); equal pixels are recognised by the pixel hash.
 */
export async function encodeWorkingPng(
  pixels8: Uint8Array,
  width: number,
  height: number,
  timeoutSeconds: number,
): Promise<Buffer> {
  const png = await rawGray(pixels8, width, height, timeoutSeconds)
    .toColourspace("b-w")
    .png({ compressionLevel: 6, adaptiveFiltering: false, palette: false, progressive: false })
    .toBuffer();
  return stripPngAncillaryChunks(png);
}

/**
 * JPEG rather than PNG: thumbnails are shown by the hundred in grids, and a 256-px grayscale
 * JPEG at q80 is several times smaller than the PNG while looking the same at that size.
 */
export async function encodeThumbnail(
  pixels8: Uint8Array,
  width: number,
  height: number,
  timeoutSeconds: number,
): Promise<Buffer> {
  return rawGray(pixels8, width, height, timeoutSeconds)
    .resize({
      width: THUMBNAIL_LONGEST_SIDE,
      height: THUMBNAIL_LONGEST_SIDE,
      fit: "inside",
      withoutEnlargement: true,
      kernel: "lanczos3",
    })
    .toColourspace("b-w")
    .jpeg({ quality: THUMBNAIL_QUALITY, mozjpeg: false, progressive: false })
    .toBuffer();
}
