import sharp, { type Sharp } from "sharp";
import { AppError, isAppError } from "../errors/app-error";
import { stripPngAncillaryChunks } from "./canonical-png";
import { minMaxTo8 } from "./intensity";
import { readJpegHeader } from "./jpeg-header";
import { assertPixelBudget, type Limits } from "./limits";
import { readPngHeader } from "./png-header";
import { reusableGrayPng } from "./reusable-png";

export interface RasterDecoded {
  width: number;
  height: number;
  bitDepth: number;
  pixels8: Uint8Array;
  /**
   * Re-encoded from decoded pixels: no EXIF, text chunks, ICC or trailing bytes survive. Null
   * for an 8-bit grayscale PNG without alpha: its working PNG is its original (the caller
   * encodes one, or takes `asWorkingPng`).
   */
  original: Buffer | null;
  /**
   * An 8-bit grayscale PNG whose own image data is a valid working PNG (reusable-png.ts): the
   * upload with its ancillary chunks dropped, stored as working image and original both, so
   * nothing is encoded. Its pixels are exactly `pixels8`.
   */
  asWorkingPng?: Buffer;
  originalExt: "png" | "jpg";
}

interface HeaderFacts {
  width: number;
  height: number;
  bitDepth: number;
  hasColour: boolean;
  /** An 8-bit grayscale PNG without alpha: decoded pixels are the working image as they are. */
  plainGray8: boolean;
}

/** A tRNS chunk before the image data gives a grayscale PNG an alpha channel (one transparent gray level). */
function hasTransparencyChunk(png: Buffer): boolean {
  for (let pos = 8; pos + 8 <= png.length; ) {
    const type = png.toString("latin1", pos + 4, pos + 8);
    if (type === "tRNS") return true;
    if (type === "IDAT" || type === "IEND") return false;
    pos += 12 + png.readUInt32BE(pos);
  }
  return false;
}

function headerFacts(bytes: Buffer, format: "PNG" | "JPEG"): HeaderFacts {
  if (format === "PNG") {
    const h = readPngHeader(bytes);
    return {
      width: h.width,
      height: h.height,
      bitDepth: h.bitDepth,
      hasColour: h.hasColour,
      plainGray8: h.colorType === 0 && h.bitDepth === 8 && !hasTransparencyChunk(bytes),
    };
  }
  const h = readJpegHeader(bytes);
  if (h.lossless || h.precision !== 8) {
    throw new AppError(
      "UNSUPPORTED",
      `JPEG with ${h.lossless ? "lossless coding" : `${h.precision}-bit samples`} is not supported (8-bit baseline or progressive only)`,
    );
  }
  return { width: h.width, height: h.height, bitDepth: h.precision, hasColour: h.components !== 1, plainGray8: false };
}

export async function decodeRaster(bytes: Buffer, format: "PNG" | "JPEG", limits: Limits): Promise<RasterDecoded> {
  const header = headerFacts(bytes, format);
  assertPixelBudget(`${format} header`, header.width, header.height, limits.maxPixels);
  const open = () =>
    sharp(bytes, {
      limitInputPixels: limits.maxPixels,
      failOn: "warning",
      autoOrient: true,
      sequentialRead: true,
    }).timeout({ seconds: limits.timeoutSeconds });
  try {
    // The check reads the chunks and inflates the image data on the thread pool while sharp decodes.
    const reusable = header.plainGray8 ? reusableGrayPng(bytes) : null;
    const gray = await decodeGray(open(), header.bitDepth > 8);
    const asWorkingPng = (await reusable) ?? undefined;
    if (asWorkingPng) return { ...gray, bitDepth: 8, original: null, asWorkingPng, originalExt: "png" };
    // Decoded once: an 8-bit grayscale PNG's re-encoded original is its working PNG.
    const original = header.plainGray8
      ? null
      : format === "PNG"
        ? await reencodePng(open(), header)
        : await reencodeJpeg(open(), header);
    return { ...gray, bitDepth: header.bitDepth, original, originalExt: format === "PNG" ? "png" : "jpg" };
  } catch (e) {
    throw toAppError(e, format, limits);
  }
}

async function decodeGray(
  img: Sharp,
  highDepth: boolean,
): Promise<{ width: number; height: number; pixels8: Uint8Array }> {
  const flat = img.flatten({ background: "#000000" });
  if (!highDepth) {
    const { data, info } = await flat.toColourspace("b-w").raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 1) throw new AppError("INTERNAL", `Expected 1 channel, got ${info.channels}`);
    return {
      width: info.width,
      height: info.height,
      pixels8: new Uint8Array(data.buffer, data.byteOffset, data.length),
    };
  }
  const { data, info } = await flat
    .toColourspace("grey16")
    .raw({ depth: "ushort" })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) throw new AppError("INTERNAL", `Expected 1 channel, got ${info.channels}`);
  const aligned = data.byteOffset % 2 === 0 ? data : Buffer.from(data);
  const samples = new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.length / 2);
  // 16-bit sources rarely use the full range (12-bit detectors), so stretch like DICOM without a window.
  return { width: info.width, height: info.height, pixels8: minMaxTo8(samples) };
}

async function reencodePng(img: Sharp, h: HeaderFacts): Promise<Buffer> {
  const deep = h.bitDepth === 16;
  const space = h.hasColour ? (deep ? "rgb16" : "srgb") : deep ? "grey16" : "b-w";
  const png = await img
    .toColourspace(space)
    .png({ compressionLevel: 6, adaptiveFiltering: false, palette: false })
    .toBuffer();
  return stripPngAncillaryChunks(png);
}

async function reencodeJpeg(img: Sharp, h: HeaderFacts): Promise<Buffer> {
  return img
    .toColourspace(h.hasColour ? "srgb" : "b-w")
    .jpeg({ quality: 95, chromaSubsampling: "4:4:4", mozjpeg: false, progressive: false })
    .toBuffer();
}

function toAppError(e: unknown, format: string, limits: Limits): AppError {
  if (isAppError(e)) return e;
  const message = (e instanceof Error ? e.message : String(e)).split("\n")[0].slice(0, 200);
  if (/pixel limit/i.test(message)) {
    return new AppError("TOO_LARGE", `${format} exceeds the limit of ${limits.maxPixels} pixels`);
  }
  if (/timeout/i.test(message)) {
    return new AppError("TOO_LARGE", `${format} decoding took longer than ${limits.timeoutSeconds} s`);
  }
  return new AppError("BAD_REQUEST", `Corrupt or truncated ${format}: ${message}`);
}
