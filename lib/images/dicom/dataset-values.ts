import type { DicomDataset } from "./dcmjs";

/** First value of an element as dcmjs parsed it, or undefined when absent or empty. */
export function firstValue(ds: DicomDataset, tag: string): unknown {
  const values = ds[tag]?.Value;
  return Array.isArray(values) && values.length > 0 ? values[0] : undefined;
}

export function stringValue(ds: DicomDataset, tag: string): string | undefined {
  const v = firstValue(ds, tag);
  if (v === undefined || v === null) return undefined;
  const s = (
    typeof v === "object" && v !== null && "Alphabetic" in v
      ? String((v as { Alphabetic: unknown }).Alphabetic)
      : String(v)
  )
    .replace(/[\s\u0000]+$/, "")
    .trim();
  return s === "" ? undefined : s;
}

export function numberValue(ds: DicomDataset, tag: string): number | undefined {
  const v = firstValue(ds, tag);
  if (v === undefined || v === null || v === "") return undefined;
  const n = typeof v === "number" ? v : Number(String(v).trim());
  return Number.isFinite(n) ? n : undefined;
}

export const tags = {
  TransferSyntaxUID: "00020010",
  ImageType: "00080008",
  SOPClassUID: "00080016",
  SOPInstanceUID: "00080018",
  Modality: "00080060",
  ConversionType: "00080064",
  PatientID: "00100020",
  BodyPartExamined: "00180015",
  ViewPosition: "00185101",
  StudyInstanceUID: "0020000D",
  SeriesInstanceUID: "0020000E",
  SamplesPerPixel: "00280002",
  PhotometricInterpretation: "00280004",
  PlanarConfiguration: "00280006",
  NumberOfFrames: "00280008",
  Rows: "00280010",
  Columns: "00280011",
  BitsAllocated: "00280100",
  BitsStored: "00280101",
  HighBit: "00280102",
  PixelRepresentation: "00280103",
  BurnedInAnnotation: "00280301",
  RecognizableVisualFeatures: "00280302",
  WindowCenter: "00281050",
  WindowWidth: "00281051",
  RescaleIntercept: "00281052",
  RescaleSlope: "00281053",
  VOILUTFunction: "00281056",
  PixelData: "7FE00010",
} as const;
