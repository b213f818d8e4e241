import { crc32 } from "node:zlib";
import { AppError } from "../errors/app-error";

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  hasColour: boolean;
  hasAlpha: boolean;
}

const allowedDepths: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16], // grayscale
  2: [8, 16], // RGB
  3: [1, 2, 4, 8], // palette
  4: [8, 16], // grayscale + alpha
  6: [8, 16], // RGBA
};

const bad = (why: string) => new AppError("BAD_REQUEST", `Corrupt PNG: ${why}`);

/** Reads IHDR without inflating anything, so the pixel budget can be checked first. */
export function readPngHeader(bytes: Buffer): PngHeader {
  if (bytes.length < 8 + 8 + 13 + 4) throw bad("file ends before the IHDR chunk");
  const length = bytes.readUInt32BE(8);
  const type = bytes.toString("latin1", 12, 16);
  if (type !== "IHDR" || length !== 13) throw bad("the first chunk is not a 13-byte IHDR");
  const storedCrc = bytes.readUInt32BE(29);
  if (crc32(bytes.subarray(12, 29)) !== storedCrc) throw bad("IHDR checksum mismatch");
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  const bitDepth = bytes[24];
  const colorType = bytes[25];
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) {
    throw bad(`invalid dimensions ${width}×${height}`);
  }
  if (!allowedDepths[colorType]?.includes(bitDepth))
    throw bad(`invalid colour type ${colorType} / bit depth ${bitDepth}`);
  if (bytes[26] !== 0 || bytes[27] !== 0 || bytes[28] > 1) throw bad("unknown compression, filter or interlace method");
  return {
    width,
    height,
    bitDepth,
    colorType,
    hasColour: colorType === 2 || colorType === 3 || colorType === 6,
    hasAlpha: colorType === 4 || colorType === 6,
  };
}
