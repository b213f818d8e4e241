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

/**
 * Reader of modality values (stored value → mask → sign → Rescale Slope/Intercept) for one
 * grayscale frame. Values are recomputed per pass instead of held in a float array, which for
 * a 50-megapixel image would cost 400 MB.
 */
function modalityReader(frame: Buffer, g: ImageGeometry, voi: VoiParameters): (i: number) => number {
  const shift = g.highBit + 1 - g.bitsStored;
  const mask = 2 ** g.bitsStored - 1;
  const signBit = 2 ** (g.bitsStored - 1);
  const { rescaleSlope: slope, rescaleIntercept: intercept } = voi;
  const wide = g.bitsAllocated === 16;
  return (i) => {
    const raw = wide ? frame[2 * i] | (frame[2 * i + 1] << 8) : frame[i];
    let v = (raw >>> shift) & mask;
    if (g.signed && v >= signBit) v -= 2 * signBit;
    return v * slope + intercept;
  };
}

/** VOI LUT functions of PS3.3 C.11.2.1.2, onto 0..255. */
function windowFunction(center: number, width: number, fn: VoiParameters["voiFunction"]): (x: number) => number {
  if (fn === "SIGMOID") return (x) => 255 / (1 + Math.exp((-4 * (x - center)) / width));
  if (fn === "LINEAR_EXACT") {
    return (x) => (x <= center - width / 2 ? 0 : x > center + width / 2 ? 255 : ((x - center) / width + 0.5) * 255);
  }
  if (width <= 1) return (x) => (x <= center - 0.5 ? 0 : 255);
  const lo = center - 0.5 - (width - 1) / 2;
  const hi = center - 0.5 + (width - 1) / 2;
  return (x) => (x <= lo ? 0 : x > hi ? 255 : ((x - (center - 0.5)) / (width - 1) + 0.5) * 255);
}

function minMaxFunction(read: (i: number) => number, n: number): (x: number) => number {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = read(i);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const span = max - min;
  return span > 0 ? (x) => ((x - min) * 255) / span : () => 0;
}

function toBytes(n: number, read: (i: number) => number, map: (x: number) => number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const y = map(read(i));
    out[i] = y <= 0 ? 0 : y >= 255 ? 255 : Math.round(y);
  }
  return out;
}

function lumaReader(frame: Buffer, g: ImageGeometry): (p: number) => number {
  const n = g.rows * g.columns;
  const wide = g.bitsAllocated === 16;
  const sample = (index: number) => (wide ? frame[2 * index] | (frame[2 * index + 1] << 8) : frame[index]);
  const planar = g.planarConfiguration === 1;
  return (p) =>
    planar
      ? 0.299 * sample(p) + 0.587 * sample(n + p) + 0.114 * sample(2 * n + p)
      : 0.299 * sample(3 * p) + 0.587 * sample(3 * p + 1) + 0.114 * sample(3 * p + 2);
}

/**
 * One frame → 8-bit grayscale for display: modality rescale, then the first VOI window when
 * the file has a usable one, else min–max of the frame; MONOCHROME1 is inverted last so that
 * bone is white whatever the source convention.
 */
export function renderFrame(frame: Buffer, g: ImageGeometry, voi: VoiParameters): Rendered {
  const n = g.rows * g.columns;
  if (g.samplesPerPixel === 3) {
    const luma = lumaReader(frame, g);
    if (g.bitsAllocated === 8) return { pixels8: toBytes(n, luma, (x) => x), windowing: "direct" };
    return { pixels8: toBytes(n, luma, minMaxFunction(luma, n)), windowing: "min-max" };
  }
  const read = modalityReader(frame, g, voi);
  const { windowCenter: c, windowWidth: w } = voi;
  const windowed = c !== undefined && w !== undefined && w > 0;
  const pixels8 = toBytes(n, read, windowed ? windowFunction(c, w, voi.voiFunction) : minMaxFunction(read, n));
  if (g.photometricInterpretation === "MONOCHROME1") {
    for (let i = 0; i < n; i++) pixels8[i] = 255 - pixels8[i];
  }
  return { pixels8, windowing: windowed ? "voi-window" : "min-max" };
}
