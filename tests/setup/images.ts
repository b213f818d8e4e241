import { createHash, randomBytes } from "node:crypto";
import sharp from "sharp";
import { encodeThumbnail, encodeWorkingPng } from "../../lib/images/encode-outputs";
import { perceptualHash } from "../../lib/images/perceptual-hash";
import { storeImage } from "../../lib/images/mutations";
import type { DecodedImage } from "../../lib/images/types";

/** A synthetic grayscale "CXR": a vertical gradient, two darker lung fields and some noise. */
export function syntheticPixels(width: number, height: number, seed = randomBytes(4).readUInt32LE()): Uint8Array {
  const px = new Uint8Array(width * height);
  let s = seed >>> 0 || 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const lung =
        ((x - width * 0.3) / (width * 0.18)) ** 2 + ((y - height * 0.5) / (height * 0.3)) ** 2 < 1 ||
        ((x - width * 0.7) / (width * 0.18)) ** 2 + ((y - height * 0.5) / (height * 0.3)) ** 2 < 1;
      const v = 60 + (120 * y) / height - (lung ? 40 : 0) + (s >>> 28);
      px[y * width + x] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return px;
}

/** Stores a synthetic image through the same path an import takes (without the decoder). */
export async function makeImage(
  projectId: string,
  opts: {
    width?: number;
    height?: number;
    label?: "COVID" | "CONTROL" | "UNKNOWN";
    patient?: string;
    /** The 8-bit pixels (width × height); default a synthetic gradient. */
    pixels?: Uint8Array;
  } = {},
) {
  const width = opts.width ?? 320;
  const height = opts.height ?? 256;
  const pixels8 = opts.pixels ?? syntheticPixels(width, height);
  const originalBytes = await sharp(pixels8, { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();
  const decoded: DecodedImage = {
    format: "PNG",
    width,
    height,
    bitDepth: 8,
    pixels8,
    workingPng: await encodeWorkingPng(pixels8, width, height, 60),
    thumbnail: await encodeThumbnail(pixels8, width, height, 60),
    thumbnailType: "image/jpeg",
    originalBytes,
    originalExt: "png",
    sha256: createHash("sha256").update(originalBytes).digest("hex"),
    pixelSha256: createHash("sha256").update(pixels8).digest("hex"),
    phash: perceptualHash(pixels8, width, height),
    flags: [],
  };
  const stored = await storeImage(projectId, decoded, {
    originalName: `synthetic-${width}x${height}.png`,
    label: opts.label ?? "COVID",
    patientPseudonym: opts.patient ?? `patient-${randomBytes(4).toString("hex")}`,
    sourceDataset: "synthetic",
  });
  return { id: stored.id, width, height };
}
