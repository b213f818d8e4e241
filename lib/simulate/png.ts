// PNG encoding of raw grey/RGB buffers and a mask-over-image overlay for eyeballing.
import sharp from "sharp";

/** Encodes row-major 8-bit pixels (1 = grey, 3 = RGB, 4 = RGBA channels) as PNG. */
export async function encodePng(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 3 | 4 = 1,
): Promise<Buffer> {
  if (pixels.length !== width * height * channels) {
    throw new Error(`pixel buffer length ${pixels.length} does not match ${width}x${height}x${channels}`);
  }
  return sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), {
    raw: { width, height, channels },
  })
    .png({ compressionLevel: 6 })
    .toBuffer();
}

/** Decodes a PNG to 8-bit single-channel pixels. */
export async function decodePngGrey(png: Buffer): Promise<{ pixels: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  const pixels = new Uint8Array(info.width * info.height);
  for (let p = 0; p < pixels.length; p++) pixels[p] = data[p * info.channels];
  return { pixels, width: info.width, height: info.height };
}

function isEdge(mask: Uint8Array, width: number, height: number, x: number, y: number): boolean {
  const p = y * width + x;
  if (mask[p] === 0) return false;
  return (
    x === 0 ||
    y === 0 ||
    x === width - 1 ||
    y === height - 1 ||
    mask[p - 1] === 0 ||
    mask[p + 1] === 0 ||
    mask[p - width] === 0 ||
    mask[p + width] === 0
  );
}

export interface OverlayLayer {
  mask: Uint8Array;
  color: [number, number, number];
  /** Fill opacity 0–1; the outline is always drawn opaque. */
  fill?: number;
}

/** RGB image: the grey CXR with each mask tinted and outlined in its colour. */
export function overlay(pixels: Uint8Array, width: number, height: number, layers: OverlayLayer[]): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  for (let p = 0; p < pixels.length; p++) {
    out[3 * p] = out[3 * p + 1] = out[3 * p + 2] = pixels[p];
  }
  for (const { mask, color, fill = 0.25 } of layers) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const p = y * width + x;
        if (mask[p] === 0) continue;
        const a = isEdge(mask, width, height, x, y) ? 1 : fill;
        for (let c = 0; c < 3; c++) out[3 * p + c] = Math.round(out[3 * p + c] * (1 - a) + color[c] * a);
      }
    }
  }
  return out;
}
