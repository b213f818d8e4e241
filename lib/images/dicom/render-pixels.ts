import { minMax, stretchTo8 } from "../intensity";
import type { ImageGeometry } from "./image-geometry";

export interface VoiParameters {
  rescaleSlope: number;
  rescaleIntercept: number;
  windowCenter?: number;
  windowWidth?: number;
  voiFunction: "LINEAR" | "LINEAR_EXACT" | "SIGMOID";
}

export interface Rendered {
  pixels8: Uint8Array;
  windowing: "voi-window" | "min-max" | "direct";
}

/** Stored values → modality values (Rescale Slope/Intercept) for one grayscale frame. */
function modalityValues(frame: Buffer, g: ImageGeometry, voi: VoiParameters): Float64Array {
  const n = g.rows * g.columns;
  const out = new Float64Array(n);
  const shift = g.highBit + 1 - g.bitsStored;
  const mask = g.bitsStored >= 32 ? 0xffffffff : 2 ** g.bitsStored - 1;
  const signBit = 2 ** (g.bitsStored - 1);
  const wide = g.bitsAllocated === 16;
  for (let i = 0; i < n; i++) {
    const raw = wide ? frame[2 * i] | (frame[2 * i + 1] << 8) : frame[i];
    let v = (raw >>> shift) & mask;
    if (g.signed && v >= signBit) v -= 2 * signBit;
    out[i] = v * voi.rescaleSlope + voi.rescaleIntercept;
  }
  return out;
}

/** VOI LUT functions of PS3.3 C.11.2.1.2 mapped onto 0..255. */
function applyWindow(values: Float64Array, center: number, width: number, fn: VoiParameters["voiFunction"]): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    let y: number;
    if (fn === "SIGMOID") {
      y = 255 / (1 + Math.exp((-4 * (x - center)) / width));
    } else if (fn === "LINEAR_EXACT") {
      y = x <= center - width / 2 ? 0 : x > center + width / 2 ? 255 : ((x - center) / width + 0.5) * 255;
    } else if (width <= 1) {
      y = x <= center - 0.5 ? 0 : 255;
    } else {
      const lo = center - 0.5 - (width - 1) / 2;
      const hi = center - 0.5 + (width - 1) / 2;
      y = x <= lo ? 0 : x > hi ? 255 : ((x - (center - 0.5)) / (width - 1) + 0.5) * 255;
    }
    out[i] = y <= 0 ? 0 : y >= 255 ? 255 : Math.round(y);
  }
  return out;
}

function rgbToGray(frame: Buffer, g: ImageGeometry): Uint8Array {
  const n = g.rows * g.columns;
  const luma = new Float64Array(n);
  const wide = g.bitsAllocated === 16;
  const sample = (index: number) => (wide ? frame[2 * index] | (frame[2 * index + 1] << 8) : frame[index]);
  for (let p = 0; p < n; p++) {
    const [r, gr, b] = g.planarConfiguration === 1 ? [p, n + p, 2 * n + p] : [3 * p, 3 * p + 1, 3 * p + 2];
    luma[p] = 0.299 * sample(r) + 0.587 * sample(gr) + 0.114 * sample(b);
  }
  if (!wide) return Uint8Array.from(luma, (v) => Math.round(v));
  const { min, max } = minMax(luma);
  return stretchTo8(luma, min, max);
}

/**
 * One frame → 8-bit grayscale for display: modality rescale, then the first VOI window when
 * the file has a usable one, else min–max of the frame; MONOCHROME1 is inverted last so that
 * bone is white whatever the source convention.
 */
export function renderFrame(frame: Buffer, g: ImageGeometry, voi: VoiParameters): Rendered {
  if (g.samplesPerPixel === 3) return { pixels8: rgbToGray(frame, g), windowing: g.bitsAllocated === 8 ? "direct" : "min-max" };
  const values = modalityValues(frame, g, voi);
  let pixels8: Uint8Array;
  let windowing: Rendered["windowing"];
  const { windowCenter: c, windowWidth: w } = voi;
  if (c !== undefined && w !== undefined && w > 0) {
    pixels8 = applyWindow(values, c, w, voi.voiFunction);
    windowing = "voi-window";
  } else {
    const { min, max } = minMax(values);
    pixels8 = stretchTo8(values, min, max);
    windowing = "min-max";
  }
  if (g.photometricInterpretation === "MONOCHROME1") {
    for (let i = 0; i < pixels8.length; i++) pixels8[i] = 255 - pixels8[i];
  }
  return { pixels8, windowing };
}
