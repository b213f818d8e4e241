import { resizeBilinear } from "../masks/resize";
import { infectionMapPng } from "./infection-map";
import { pilResizeBilinear } from "./pil-resize";

export type Raster = { pixels: Uint8Array; width: number; height: number };
export type ProbMap = { prob: ArrayLike<number>; width: number; height: number };

/** The largest size with the same aspect ratio that fits in maxSide × maxSide (never upscaled). */
export function fitSize(width: number, height: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * Rounds to the 8-bit steps the maps are stored in, so a live map and a stored one agree on
 * which pixels are "zero probability" (p < 1/510) and therefore transparent.
 */
function quantize8(prob: Float32Array): Float32Array {
  for (let i = 0; i < prob.length; i++) prob[i] = Math.round(Math.min(1, Math.max(0, prob[i])) * 255) / 255;
  return prob;
}

/** The CXR at display size (8-bit gray) and the probability map resized onto it. */
export function alignToDisplay(cxr: Raster, map: ProbMap, maxSide: number) {
  const size = fitSize(cxr.width, cxr.height, maxSide);
  const gray =
    size.width === cxr.width && size.height === cxr.height
      ? cxr.pixels
      : pilResizeBilinear(cxr.pixels, cxr.width, cxr.height, size.width, size.height);
  const prob = quantize8(resizeBilinear(map.prob, map.width, map.height, size.width, size.height));
  return { ...size, gray, prob };
}

/** The paper's infection map (jet hue/saturation, CXR value, p = 0 transparent) as an RGBA PNG. */
export async function infectionMapView(
  cxr: Raster,
  map: ProbMap,
  maxSide = Infinity,
): Promise<{ png: Buffer; width: number; height: number }> {
  const a = alignToDisplay(cxr, map, maxSide);
  return { png: await infectionMapPng(a.gray, a.prob, a.width, a.height), width: a.width, height: a.height };
}
