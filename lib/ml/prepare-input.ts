import sharp from "sharp";
import { pilResizeBilinear } from "./pil-resize";

/** Decodes a stored 8-bit working PNG and resizes it the way the trainer does. */
export async function networkInput(png: Buffer, size: number) {
  const { data, info } = await sharp(png).grayscale().raw().toBuffer({ resolveWithObject: true });
  const gray =
    info.channels === 1 ? new Uint8Array(data) : new Uint8Array(data.filter((_, i) => i % info.channels === 0));
  return {
    pixels: pilResizeBilinear(gray, info.width, info.height, size, size),
    width: info.width,
    height: info.height,
    gray,
  };
}
