import sharp from "sharp";
import { AppError } from "../errors/app-error";

export type Rgb = [number, number, number];
export type Hsv = [number, number, number];

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/**
 * MATLAB's jet: piecewise linear with knots at 1/8, 3/8, 5/8, 7/8, from dark blue (0,0,0.5)
 * through blue, cyan, yellow, red to dark red (0.5,0,0). Channels in [0, 1]. (matplotlib's
 * "jet" data uses slightly shifted knots, e.g. red starts at 0.35, not 0.375.)
 */
export function jet(p: number, out: Rgb = [0, 0, 0]): Rgb {
  const q = 4 * clamp01(p);
  out[0] = clamp01(1.5 - Math.abs(q - 3));
  out[1] = clamp01(1.5 - Math.abs(q - 2));
  out[2] = clamp01(1.5 - Math.abs(q - 1));
  return out;
}

// The optional `out` arguments let the per-pixel loop below run without allocating.

/** h in [0, 1), s and v in [0, 1]. */
export function rgbToHsv(r: number, g: number, b: number, out: Hsv = [0, 0, 0]): Hsv {
  const max = Math.max(r, g, b);
  const delta = max - Math.min(r, g, b);
  let h = 0;
  if (delta > 0) {
    if (max === r) h = ((g - b) / delta + 6) % 6;
    else if (max === g) h = (b - r) / delta + 2;
    else h = (r - g) / delta + 4;
  }
  out[0] = h / 6;
  out[1] = max > 0 ? delta / max : 0;
  out[2] = max;
  return out;
}

export function hsvToRgb(h: number, s: number, v: number, out: Rgb = [0, 0, 0]): Rgb {
  const h6 = (((h % 1) + 1) % 1) * 6;
  const sector = Math.min(5, Math.floor(h6));
  const f = h6 - sector;
  const p = v * (1 - s);
  const q = v * (1 - s * f);
  const t = v * (1 - s * (1 - f));
  const r = sector === 0 || sector === 5 ? v : sector === 1 ? q : sector === 4 ? t : p;
  const g = sector === 1 || sector === 2 ? v : sector === 0 ? t : sector === 3 ? q : p;
  const b = sector === 3 || sector === 4 ? v : sector === 2 ? t : sector === 5 ? q : p;
  out[0] = r;
  out[1] = g;
  out[2] = b;
  return out;
}

function checkInputs(cxrGray: ArrayLike<number>, prob: ArrayLike<number>, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new AppError("BAD_REQUEST", `invalid infection map size ${width}×${height}`);
  }
  const n = width * height;
  if (cxrGray.length !== n || prob.length !== n) {
    throw new AppError(
      "BAD_REQUEST",
      `infection map needs ${n} CXR pixels and probabilities, got ${cxrGray.length} and ${prob.length}`,
    );
  }
}

/**
 * The paper's infection map: hue and saturation of jet(p), value of the CXR (its grayscale
 * intensity), converted back to RGB. Pixels with p = 0 are transparent (alpha 0, colour left as
 * the CXR gray); all others are opaque. prob must already be at the CXR's resolution.
 */
export function infectionMapRgba(
  cxrGray: ArrayLike<number>,
  prob: ArrayLike<number>,
  width: number,
  height: number,
): Buffer {
  checkInputs(cxrGray, prob, width, height);
  const out = Buffer.alloc(width * height * 4);
  const rgb: Rgb = [0, 0, 0];
  const hsv: Hsv = [0, 0, 0];
  for (let i = 0, o = 0; i < prob.length; i++, o += 4) {
    const gray = cxrGray[i];
    const p = prob[i];
    if (!(p > 0)) {
      out[o] = out[o + 1] = out[o + 2] = gray;
      continue; // alpha stays 0
    }
    jet(p, rgb);
    rgbToHsv(rgb[0], rgb[1], rgb[2], hsv);
    hsvToRgb(hsv[0], hsv[1], gray / 255, rgb);
    out[o] = Math.round(rgb[0] * 255);
    out[o + 1] = Math.round(rgb[1] * 255);
    out[o + 2] = Math.round(rgb[2] * 255);
    out[o + 3] = 255;
  }
  return out;
}

export async function infectionMapPng(
  cxrGray: ArrayLike<number>,
  prob: ArrayLike<number>,
  width: number,
  height: number,
): Promise<Buffer> {
  const rgba = infectionMapRgba(cxrGray, prob, width, height);
  return sharp(rgba, { raw: { width, height, channels: 4 } })
    .png({ compressionLevel: 6 })
    .toBuffer();
}
