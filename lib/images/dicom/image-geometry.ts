import { AppError } from "../../errors/app-error";
import type { DicomDataset } from "./dcmjs";
import { numberValue, stringValue, tags } from "./dataset-values";

export interface ImageGeometry {
  rows: number;
  columns: number;
  samplesPerPixel: 1 | 3;
  photometricInterpretation: "MONOCHROME1" | "MONOCHROME2" | "RGB";
  planarConfiguration: 0 | 1;
  bitsAllocated: 8 | 16;
  bitsStored: number;
  highBit: number;
  signed: boolean;
  numberOfFrames: number;
}

const bad = (why: string) => new AppError("BAD_REQUEST", `Invalid DICOM image attributes: ${why}`);
const unsupported = (why: string) => new AppError("UNSUPPORTED", `Unsupported DICOM image: ${why}`);

function requiredInt(ds: DicomDataset, tag: string, name: string, min: number, max: number): number {
  const v = numberValue(ds, tag);
  if (v === undefined) throw bad(`${name} is missing`);
  if (!Number.isInteger(v) || v < min || v > max) throw bad(`${name} = ${v} is outside ${min}..${max}`);
  return v;
}

/** Image Pixel module attributes, checked for consistency; anything Tandem cannot render is UNSUPPORTED. */
export function readGeometry(ds: DicomDataset): ImageGeometry {
  const rows = requiredInt(ds, tags.Rows, "Rows", 1, 65535);
  const columns = requiredInt(ds, tags.Columns, "Columns", 1, 65535);
  const samples = requiredInt(ds, tags.SamplesPerPixel, "SamplesPerPixel", 1, 4);
  const bitsAllocated = requiredInt(ds, tags.BitsAllocated, "BitsAllocated", 1, 64);
  const bitsStored = numberValue(ds, tags.BitsStored) ?? bitsAllocated;
  const highBit = numberValue(ds, tags.HighBit) ?? bitsStored - 1;
  const pixelRepresentation = numberValue(ds, tags.PixelRepresentation) ?? 0;
  const photometric = (
    stringValue(ds, tags.PhotometricInterpretation) ?? (samples === 1 ? "MONOCHROME2" : "")
  ).toUpperCase();
  const frames = numberValue(ds, tags.NumberOfFrames) ?? 1;

  if (bitsAllocated !== 8 && bitsAllocated !== 16)
    throw unsupported(`BitsAllocated ${bitsAllocated} (8 or 16 supported)`);
  if (!Number.isInteger(bitsStored) || bitsStored < 1 || bitsStored > bitsAllocated) {
    throw bad(`BitsStored ${bitsStored} with BitsAllocated ${bitsAllocated}`);
  }
  if (!Number.isInteger(highBit) || highBit < bitsStored - 1 || highBit >= bitsAllocated) {
    throw bad(`HighBit ${highBit} with BitsStored ${bitsStored}`);
  }
  if (pixelRepresentation !== 0 && pixelRepresentation !== 1) throw bad(`PixelRepresentation ${pixelRepresentation}`);
  if (!Number.isInteger(frames) || frames < 1) throw bad(`NumberOfFrames ${frames}`);

  let photometricInterpretation: ImageGeometry["photometricInterpretation"];
  if (samples === 1 && (photometric === "MONOCHROME1" || photometric === "MONOCHROME2")) {
    photometricInterpretation = photometric;
  } else if (samples === 3 && photometric === "RGB") {
    photometricInterpretation = "RGB";
  } else {
    throw unsupported(`PhotometricInterpretation "${photometric.slice(0, 16)}" with ${samples} samples per pixel`);
  }
  const planar = numberValue(ds, tags.PlanarConfiguration) ?? 0;
  return {
    rows,
    columns,
    samplesPerPixel: samples as 1 | 3,
    photometricInterpretation,
    planarConfiguration: samples === 3 && planar === 1 ? 1 : 0,
    bitsAllocated,
    bitsStored,
    highBit,
    signed: pixelRepresentation === 1,
    numberOfFrames: frames,
  };
}

export function bytesPerFrame(g: ImageGeometry): number {
  return g.rows * g.columns * g.samplesPerPixel * (g.bitsAllocated / 8);
}
