import sharp from "sharp";
import { AppError } from "../errors/app-error";
import { probToBytes } from "./to-native-mask";

// Probability maps are stored as 8-bit grayscale PNGs at network resolution (round(p × 255)):
// about 1/4 of float32 before compression, and exact to half a step of 1/255.

export async function encodeProbabilityPng(prob: Float32Array, width: number, height: number): Promise<Buffer> {
  return sharp(Buffer.from(probToBytes(prob)), { raw: { width, height, channels: 1 } })
    .png({ compressionLevel: 6 })
    .toBuffer();
}

export async function decodeProbabilityPng(
  png: Buffer,
): Promise<{ prob: Float32Array; width: number; height: number }> {
  const { data, info } = await sharp(png).toColourspace("b-w").raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) throw new AppError("BAD_REQUEST", "A probability map must be a one-channel PNG");
  const prob = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) prob[i] = data[i] / 255;
  return { prob, width: info.width, height: info.height };
}
