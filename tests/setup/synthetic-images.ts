import { createHash } from "node:crypto";
import sharp from "sharp";
import { storeImage, type ImageMeta } from "../../lib/images/mutations";
import type { DecodedImage } from "../../lib/images/types";

/** A plain gradient-and-blob grayscale test image (no PHI, no real patient). */
export function testPixels(width: number, height: number, seed: number): Uint8Array {
  const px = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const blob = Math.hypot(x - width * (0.3 + (0.4 * ((seed * 7) % 10)) / 10), y - height / 2) < width / 6 ? 60 : 0;
      px[y * width + x] = Math.min(
        255,
        Math.round((x / width) * 120 + (y / height) * 40 + blob + ((seed * 31 + x * 7 + y * 13) % 17)),
      );
    }
  }
  // The seed's bytes in the first pixels: every seed gives distinct bytes (no accidental dedupe).
  for (let i = 0; i < 4; i++) px[i] = (seed >>> (8 * i)) & 255;
  return px;
}

/** Builds what decodeImage returns for a raw 8-bit image, without going through a file. */
export async function decodedFromPixels(pixels: Uint8Array, width: number, height: number): Promise<DecodedImage> {
  const raw = { raw: { width, height, channels: 1 as const } };
  const workingPng = await sharp(Buffer.from(pixels), raw).png().toBuffer();
  return {
    format: "PNG",
    width,
    height,
    bitDepth: 8,
    pixels8: pixels,
    workingPng,
    thumbnail: await sharp(Buffer.from(pixels), raw).resize(64).jpeg().toBuffer(),
    thumbnailType: "image/jpeg",
    originalBytes: workingPng,
    originalExt: "png",
    sha256: createHash("sha256").update(workingPng).digest("hex"),
    pixelSha256: createHash("sha256").update(pixels).digest("hex"),
    phash: "0000000000000000",
    flags: [],
  };
}

export async function addTestImages(
  projectId: string,
  n: number,
  meta: (i: number) => Partial<ImageMeta> = () => ({}),
  size = 64,
) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const d = await decodedFromPixels(testPixels(size, size, i + Math.floor(Math.random() * 1e6)), size, size);
    const r = await storeImage(projectId, d, { originalName: `img-${i}.png`, label: "COVID", ...meta(i) });
    ids.push(r.id);
  }
  return ids;
}
