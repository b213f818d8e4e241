import { constants, deflateSync, type ZlibOptions } from "node:zlib";
import { AppError } from "../errors/app-error";
import { PNG_SIGNATURE, pngChunk, readPngChunks, readPngHeader } from "./png-chunks";

export const DEFAULT_MAX_MASK_PIXELS = 40_000_000;

export interface DecodedMask {
  /** Row-major, 1 = foreground (infection), 0 = background. */
  mask: Uint8Array;
  width: number;
  height: number;
}

export interface DecodeMaskOptions {
  maxPixels?: number;
  /** Largest share of pixels allowed in the ambiguous band (anti-aliased edges). */
  maxAmbiguousFraction?: number;
}

// Pixels in [AMBIGUOUS_LOW, AMBIGUOUS_HIGH] are neither near-black nor near-white.
const AMBIGUOUS_LOW = 16;
const AMBIGUOUS_HIGH = 239;
const THRESHOLD = 128;

function checkDims(width: number, height: number, length: number): void {
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    width < 1 ||
    height < 1 ||
    width > 0x7fffffff ||
    height > 0x7fffffff
  ) {
    throw new AppError("BAD_REQUEST", `invalid mask dimensions ${width}×${height}`);
  }
  if (length !== width * height) {
    throw new AppError("BAD_REQUEST", `mask has ${length} pixels, expected ${width}×${height} = ${width * height}`);
  }
}

/**
 * An 8-bit grayscale PNG (IHDR, one IDAT, IEND; nothing else) around scanlines that already
 * carry their filter byte: `filtered` is height rows of 1 + width bytes.
 */
export function gray8Png(filtered: Uint8Array, width: number, height: number, deflate: ZlibOptions): Buffer {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // colour type: grayscale
  // compression, filter method and interlace stay 0
  const idat = deflateSync(filtered, deflate);
  const parts = [PNG_SIGNATURE, pngChunk("IHDR", ihdr), pngChunk("IDAT", idat), pngChunk("IEND", new Uint8Array(0))];
  return Buffer.concat(parts);
}

/**
 * Canonical PNG of a binary mask (any non-zero value is foreground): 8-bit grayscale 0/255,
 * one IDAT, no ancillary chunks. Written by hand rather than through sharp so that the bytes
 * depend only on the pixels: blinded candidates from any source must be indistinguishable byte
 * for byte. Deflate is node:zlib with the run-length strategy (Z_RLE): the filtered stream is
 * runs of zeros, which Z_RLE codes ~20× faster than a general deflate (fflate level 6 took
 * ~60 ms for a 1024² mask) and smaller. Z_RLE finds matches by comparing each byte with the one
 * before, with no hash chains, so it takes none of the CPU-dependent (SIMD hashing) paths whose
 * output could vary; a test pins the bytes of a reference mask so a zlib that encodes
 * differently fails it rather than silently changing new masks' bytes.
 */
export function encodeMaskPng(mask: ArrayLike<number>, width: number, height: number): Buffer {
  checkDims(width, height, mask.length);
  const stride = width + 1;
  const raw = new Uint8Array(stride * height);
  // Filter "Up" on every row (the row above the first is zeros): a mask row mostly repeats
  // the previous one, so the filtered stream is nearly all zeros and deflates fast and small.
  // With pixels 0 or 255 a filtered byte is (cur - up) & 0xff: 0 (same), 255 (set) or 1 (cleared).
  const bits = mask instanceof Uint8Array ? mask : Uint8Array.from(mask, (v) => (v ? 1 : 0));
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    raw[row] = 2;
    const src = y * width;
    if (y === 0) {
      for (let x = 0; x < width; x++) raw[row + 1 + x] = bits[x] ? 255 : 0;
      continue;
    }
    for (let x = 0; x < width; x++) {
      const cur = bits[src + x] !== 0,
        up = bits[src - width + x] !== 0;
      if (cur !== up) raw[row + 1 + x] = cur ? 255 : 1;
    }
  }
  return gray8Png(raw, width, height, { level: 6, memLevel: 8, strategy: constants.Z_RLE });
}

async function rawPixels(buf: Uint8Array, maxPixels: number) {
  // Loaded on first use: most callers (the export, mask encoding) never decode through sharp.
  const { default: sharp } = await import("sharp");
  try {
    return await sharp(buf, { limitInputPixels: maxPixels, failOn: "error" })
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/pixel limit/i.test(msg)) throw new AppError("TOO_LARGE", `mask exceeds the limit of ${maxPixels} pixels`);
    throw new AppError("BAD_REQUEST", `mask PNG could not be decoded: ${msg}`);
  }
}

/**
 * Decodes any PNG that holds a binary mask. Colour channels are reduced by max ("any ink is
 * foreground"), alpha < 128 counts as background, values ≥ 128 are foreground. A mask stored as
 * 0/1 pixel values (common in datasets) is recognised and kept as is.
 */
export async function decodeMaskPng(buf: Uint8Array, opts: DecodeMaskOptions = {}): Promise<DecodedMask> {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_MASK_PIXELS;
  const maxAmbiguous = opts.maxAmbiguousFraction ?? 0.02;
  const header = readPngHeader(buf, readPngChunks(buf));
  const pixels = header.width * header.height;
  if (pixels > maxPixels) {
    throw new AppError(
      "TOO_LARGE",
      `mask is ${header.width}×${header.height} = ${pixels} pixels, above the limit of ${maxPixels}`,
      {
        width: header.width,
        height: header.height,
        maxPixels,
      },
    );
  }

  const { data, info } = await rawPixels(buf, maxPixels);
  const { width, height, channels } = info;
  const hasAlpha = channels === 2 || channels === 4;
  const colour = hasAlpha ? channels - 1 : channels;

  const values =
    channels === 1 ? new Uint8Array(data.buffer, data.byteOffset, width * height) : new Uint8Array(width * height);
  if (channels > 1) {
    for (let i = 0, p = 0; i < values.length; i++, p += channels) {
      let v = data[p];
      for (let c = 1; c < colour; c++) if (data[p + c] > v) v = data[p + c];
      values[i] = hasAlpha && data[p + colour] < THRESHOLD ? 0 : v;
    }
  }
  let ambiguous = 0;
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if ((v - AMBIGUOUS_LOW) >>> 0 <= AMBIGUOUS_HIGH - AMBIGUOUS_LOW) ambiguous++; // unsigned wrap: one compare for the band
    if (v > max) max = v;
  }
  if (ambiguous > maxAmbiguous * values.length) {
    const pct = ((100 * ambiguous) / values.length).toFixed(1);
    throw new AppError(
      "BAD_REQUEST",
      `mask is not binary: ${pct}% of pixels have values between ${AMBIGUOUS_LOW} and ${AMBIGUOUS_HIGH}; a mask must be black (0) and white (255)`,
      { ambiguousFraction: ambiguous / values.length },
    );
  }
  const cut = max === 1 ? 1 : THRESHOLD;
  for (let i = 0; i < values.length; i++) values[i] = values[i] >= cut ? 1 : 0;
  return { mask: values, width, height };
}

/** Decode then re-encode: the canonical bytes for whatever PNG a mask arrived in. */
export async function canonicalizeMaskPng(buf: Uint8Array, opts: DecodeMaskOptions = {}): Promise<Buffer> {
  const { mask, width, height } = await decodeMaskPng(buf, opts);
  return encodeMaskPng(mask, width, height);
}
