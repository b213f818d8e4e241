import sharp from "sharp";
import { pilResizeBilinear } from "./pil-resize";

/** An 8-bit grayscale PNG (colour type 0, or 4 with alpha), read from IHDR: Tandem's working PNGs are. */
function isGray8Png(png: Buffer): boolean {
  return png.length > 26 && png.readUInt32BE(12) === 0x49484452 && png[24] === 8 && (png[25] === 0 || png[25] === 4);
}

/** Decodes a stored 8-bit working PNG and resizes it the way the trainer does. */
export async function networkInput(png: Buffer, size: number) {
  // The gray channel of an 8-bit grayscale PNG is taken as is: the same bytes as sharp's grayscale
  // conversion (needed for colour input), which costs about as much again as the decode itself.
  const image = isGray8Png(png) ? sharp(png).extractChannel(0) : sharp(png).grayscale();
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  const gray =
    info.channels === 1
      ? new Uint8Array(data.buffer, data.byteOffset, data.length)
      : new Uint8Array(data.filter((_, i) => i % info.channels === 0));
  return {
    pixels: pilResizeBilinear(gray, info.width, info.height, size, size),
    width: info.width,
    height: info.height,
    gray,
  };
}
