import { AppError } from "../../errors/app-error";
import { bytesPerFrame, type ImageGeometry } from "./image-geometry";
import type { DicomScan } from "./scan-structure";

export type PixelFrames =
  | { encapsulated: false; value: Buffer; firstFrame: Buffer }
  | { encapsulated: true; frames: Buffer[] };

const bad = (why: string) => new AppError("BAD_REQUEST", `Invalid DICOM pixel data: ${why}`);

/**
 * Native pixel data must hold exactly Rows × Columns × SamplesPerPixel × BitsAllocated/8 ×
 * NumberOfFrames bytes (plus one pad byte when that is odd); encapsulated data must map onto
 * NumberOfFrames frames.
 */
export function extractPixelFrames(buf: Buffer, scan: DicomScan, g: ImageGeometry): PixelFrames {
  const pixelData = scan.pixelData;
  if (!pixelData) throw bad("the file has no PixelData element (7FE0,0010)");
  const frameBytes = bytesPerFrame(g);
  if (!pixelData.encapsulated) {
    const expected = frameBytes * g.numberOfFrames;
    // Trailing padding after the expected bytes (less than one frame) is tolerated and trimmed.
    const actual =
      pixelData.value.length > expected && pixelData.value.length < expected + frameBytes
        ? expected
        : pixelData.value.length;
    if (actual !== expected) {
      throw bad(
        `length ${actual} bytes does not match Rows×Columns×SamplesPerPixel×(BitsAllocated/8)×NumberOfFrames = ` +
          `${g.rows}×${g.columns}×${g.samplesPerPixel}×${g.bitsAllocated / 8}×${g.numberOfFrames} = ${expected} bytes`,
      );
    }
    const value = buf.subarray(pixelData.value.offset, pixelData.value.offset + actual);
    return { encapsulated: false, value, firstFrame: value.subarray(0, frameBytes) };
  }
  const fragments = pixelData.fragments.map((f) => buf.subarray(f.offset, f.offset + f.length));
  if (fragments.length === 0) throw bad("encapsulated pixel data has no fragments");
  if (fragments.length === g.numberOfFrames) return { encapsulated: true, frames: fragments };
  if (g.numberOfFrames === 1) return { encapsulated: true, frames: [Buffer.concat(fragments)] };
  throw bad(`${fragments.length} fragments cannot be mapped onto ${g.numberOfFrames} frames`);
}
