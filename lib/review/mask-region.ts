import sharp from "sharp";
import { AppError } from "../errors/app-error";
import { derivedUid } from "../exports/dicom-uid";
import { stringValue, tags } from "../images/dicom/dataset-values";
import { bytesPerFrame, readGeometry, type ImageGeometry } from "../images/dicom/image-geometry";
import { parseDicomDataset } from "../images/dicom/parse-dicom";
import { extractPixelFrames } from "../images/dicom/pixel-data";
import { decodeRleFrame } from "../images/dicom/rle-lossless";
import { scanDicomStructure } from "../images/dicom/scan-structure";
import { EXPLICIT_VR_LE, RLE_LOSSLESS } from "../images/dicom/transfer-syntax";
import { writeDicomFile } from "../images/dicom/write-dicom";
import { encodeThumbnail, encodeWorkingPng } from "../images/encode-outputs";
import type { Region } from "./types";

// Masking paints a rectangle of every stored copy of an image with one constant (black), so
// burned-in text there is gone from the working PNG, its thumbnail and the stored original.

const TIMEOUT_S = 60;

/** The rectangle must lie inside the image and cover at least one pixel. */
export function assertRegionInside(r: Region, width: number, height: number): void {
  if (r.width < 1 || r.height < 1 || r.x < 0 || r.y < 0 || r.x + r.width > width || r.y + r.height > height) {
    throw new AppError(
      "BAD_REQUEST",
      `the rectangle x=${r.x} y=${r.y} ${r.width}×${r.height} is not inside the ${width}×${height} image`,
    );
  }
}

/** Working PNG (8-bit gray) with the rectangle set to 0, and the thumbnail made again from it. */
export async function maskWorkingImage(
  png: Buffer,
  r: Region,
): Promise<{ workingPng: Buffer; thumbnail: Buffer; pixels8: Uint8Array }> {
  const { data, info } = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  const px = new Uint8Array(data.buffer, data.byteOffset, info.width * info.height);
  assertRegionInside(r, info.width, info.height);
  for (let y = r.y; y < r.y + r.height; y++) px.fill(0, y * info.width + r.x, y * info.width + r.x + r.width);
  return {
    workingPng: await encodeWorkingPng(px, info.width, info.height, TIMEOUT_S),
    thumbnail: await encodeThumbnail(px, info.width, info.height, TIMEOUT_S),
    pixels8: px,
  };
}

/** A PNG or JPEG original, same format, with the rectangle black in every channel. */
export async function maskRasterOriginal(bytes: Buffer, format: "PNG" | "JPEG", r: Region): Promise<Buffer> {
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  assertRegionInside(r, info.width, info.height);
  const c = info.channels;
  for (let y = r.y; y < r.y + r.height; y++) {
    for (let x = r.x; x < r.x + r.width; x++) {
      // Colour channels to 0; an alpha channel stays opaque as it was.
      const at = (y * info.width + x) * c;
      for (let k = 0; k < (c === 2 || c === 4 ? c - 1 : c); k++) data[at + k] = 0;
    }
  }
  const img = sharp(data, { raw: { width: info.width, height: info.height, channels: c } });
  return format === "PNG" ? img.png({ compressionLevel: 6 }).toBuffer() : img.jpeg({ quality: 95 }).toBuffer();
}

/** The stored value that displays darkest: the minimum, or the maximum for MONOCHROME1. */
function darkValue(g: ImageGeometry): number {
  const max = g.signed ? 2 ** (g.bitsStored - 1) - 1 : 2 ** g.bitsStored - 1;
  const min = g.signed ? -(2 ** (g.bitsStored - 1)) : 0;
  return g.photometricInterpretation === "MONOCHROME1" ? max : min;
}

function paintFrame(frame: Buffer, g: ImageGeometry, r: Region, value: number): void {
  const bytes = g.bitsAllocated / 8;
  const s = g.samplesPerPixel;
  const write = (at: number) =>
    bytes === 1 ? frame.writeUInt8(value & 0xff, at) : frame.writeUInt16LE(value & 0xffff, at);
  for (let y = r.y; y < r.y + r.height; y++) {
    for (let x = r.x; x < r.x + r.width; x++) {
      const pixel = y * g.columns + x;
      for (let k = 0; k < s; k++) {
        // Planar configuration 1 stores each sample's plane whole, one after another.
        const index = g.planarConfiguration === 1 ? k * g.rows * g.columns + pixel : pixel * s + k;
        write(index * bytes);
      }
    }
  }
}

/**
 * The stored (de-identified) DICOM with the rectangle painted in every frame, written as
 * Explicit VR Little Endian. Changed pixels make a new instance: a new SOP Instance UID derived
 * from the old one and the rectangle, Burned In Annotation NO, and a Derivation Description.
 */
export function maskDicomOriginal(bytes: Buffer, r: Region): Buffer {
  const scan = scanDicomStructure(bytes);
  const ds = parseDicomDataset(bytes);
  const g = readGeometry(ds);
  assertRegionInside(r, g.columns, g.rows);
  const frames = extractPixelFrames(bytes, scan, g);
  const size = bytesPerFrame(g);
  let native: Buffer;
  if (!frames.encapsulated) {
    native = Buffer.from(frames.value.subarray(0, size * g.numberOfFrames));
  } else if (scan.syntax.uid === RLE_LOSSLESS) {
    native = Buffer.concat(frames.frames.map((f) => decodeRleFrame(f, g)));
  } else {
    throw new AppError(
      "UNSUPPORTED",
      `masking is not possible for a stored original in ${scan.syntax.name}; exclude the image instead`,
    );
  }
  const value = darkValue(g);
  for (let f = 0; f < g.numberOfFrames; f++) paintFrame(native.subarray(f * size, (f + 1) * size), g, r, value);
  if (native.length % 2) native = Buffer.concat([native, Buffer.alloc(1)]);

  const sopClass = stringValue(ds, tags.SOPClassUID);
  const oldInstance = stringValue(ds, tags.SOPInstanceUID);
  if (!sopClass || !oldInstance) throw new AppError("CONFLICT", "the stored DICOM lacks its SOP Class or Instance UID");
  const sopInstance = derivedUid("burned-in-masked", oldInstance, `${r.x},${r.y},${r.width},${r.height}`);
  delete ds[tags.PixelData];
  ds[tags.SOPInstanceUID] = { vr: "UI", Value: [sopInstance] };
  ds[tags.BurnedInAnnotation] = { vr: "CS", Value: ["NO"] };
  ds["00082111"] = {
    vr: "ST",
    Value: [
      `Burned-in text masked by a lead: rectangle x=${r.x} y=${r.y} ${r.width}x${r.height} set to the darkest value`,
    ],
  };
  return writeDicomFile(ds, sopClass, sopInstance, {
    transferSyntaxUid: EXPLICIT_VR_LE,
    values: [native],
    vr: g.bitsAllocated > 8 ? "OW" : "OB",
  });
}
