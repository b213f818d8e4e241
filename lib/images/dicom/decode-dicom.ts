import { createHash } from "node:crypto";
import { AppError, isAppError } from "../../errors/app-error";
import { assertPixelBudget } from "../limits";
import type { DicomSummary, ImageFlag } from "../types";
import { annotationFlags } from "./annotation-flags";
import { numberValue, stringValue, tags } from "./dataset-values";
import type { DicomDataset } from "./dcmjs";
import type { DeidOptions } from "./deid-options";
import { deidentifyDataset } from "./deidentify";
import { checkModality, type ModalityPolicy } from "./modality-policy";
import { readGeometry, type ImageGeometry } from "./image-geometry";
import { parseDicomDataset } from "./parse-dicom";
import { extractPixelFrames, type PixelFrames } from "./pixel-data";
import { renderFrame, type VoiParameters } from "./render-pixels";
import { decodeRleFrame } from "./rle-lossless";
import { scanDicomStructure } from "./scan-structure";
import { EXPLICIT_VR_LE, RLE_LOSSLESS } from "./transfer-syntax";
import { remapUid } from "./uid-remap";
import { writeDicomFile, type PixelPayload } from "./write-dicom";

export interface DicomDecoded {
  width: number;
  height: number;
  bitDepth: number;
  pixels8: Uint8Array;
  /** The de-identified Part 10 file. */
  original: Buffer;
  flags: ImageFlag[];
  summary: DicomSummary;
}

function voiParameters(ds: DicomDataset): VoiParameters {
  const fn = stringValue(ds, tags.VOILUTFunction)?.toUpperCase();
  return {
    rescaleSlope: numberValue(ds, tags.RescaleSlope) ?? 1,
    rescaleIntercept: numberValue(ds, tags.RescaleIntercept) ?? 0,
    windowCenter: numberValue(ds, tags.WindowCenter),
    windowWidth: numberValue(ds, tags.WindowWidth),
    voiFunction: fn === "SIGMOID" || fn === "LINEAR_EXACT" ? fn : "LINEAR",
  };
}

function firstFrame(frames: PixelFrames, g: ImageGeometry): Buffer {
  if (!frames.encapsulated) return frames.firstFrame;
  return decodeRleFrame(frames.frames[0], g);
}

function pixelPayload(frames: PixelFrames, g: ImageGeometry): PixelPayload {
  if (frames.encapsulated) return { transferSyntaxUid: RLE_LOSSLESS, values: frames.frames, vr: "OB" };
  return { transferSyntaxUid: EXPLICIT_VR_LE, values: [frames.value], vr: g.bitsAllocated > 8 ? "OW" : "OB" };
}

/**
 * Structure scan → dcmjs parse → pixel checks and rendering → de-identification → a fresh
 * Part 10 file. Native input is written back as Explicit VR Little Endian; RLE stays RLE.
 */
/** Project choices that shape ingest: the Table E.1-1 options and the accepted modalities. */
export interface DicomPolicy {
  deid?: DeidOptions;
  modalities?: ModalityPolicy;
}

export function decodeDicom(bytes: Buffer, maxPixels: number, key: string, policy: DicomPolicy = {}): DicomDecoded {
  try {
    return decodeChecked(bytes, maxPixels, key, policy);
  } catch (e) {
    if (isAppError(e)) throw e;
    // Anything dcmjs throws on input the structure scan let through is still the file's fault.
    const why = (e instanceof Error ? e.message : String(e)).split("\n")[0].slice(0, 200);
    throw new AppError("BAD_REQUEST", `Could not process the DICOM file: ${why}`);
  }
}

function decodeChecked(bytes: Buffer, maxPixels: number, key: string, policy: DicomPolicy): DicomDecoded {
  const scan = scanDicomStructure(bytes);
  const ds = parseDicomDataset(bytes);
  const modalityFlag = checkModality(ds, policy.modalities);
  const g = readGeometry(ds);
  assertPixelBudget("DICOM Rows × Columns", g.columns, g.rows, maxPixels);
  const frames = extractPixelFrames(bytes, scan, g);
  const rendered = renderFrame(firstFrame(frames, g), g, voiParameters(ds));

  const flags = annotationFlags(ds);
  if (g.numberOfFrames > 1) flags.push("multi-frame");
  if (modalityFlag) flags.push(modalityFlag);

  const { dataset, patientPseudonym } = deidentifyDataset(ds, key, policy.deid);
  const sopClassUid = stringValue(ds, tags.SOPClassUID);
  if (!sopClassUid) throw new AppError("BAD_REQUEST", "Invalid DICOM: SOP Class UID (0008,0016) is missing");
  // Every instance needs a SOP Instance UID; one derived from the content keeps re-imports stable.
  const sopInstanceUid =
    stringValue(dataset, tags.SOPInstanceUID) ?? remapUid(key, createHash("sha256").update(bytes).digest("hex"));
  dataset[tags.SOPInstanceUID] = { vr: "UI", Value: [sopInstanceUid] };
  const original = writeDicomFile(dataset, sopClassUid, sopInstanceUid, pixelPayload(frames, g));

  return {
    width: g.columns,
    height: g.rows,
    bitDepth: g.bitsStored,
    pixels8: rendered.pixels8,
    original,
    flags,
    summary: {
      patientPseudonym,
      modality: stringValue(ds, tags.Modality),
      viewPosition: stringValue(ds, tags.ViewPosition),
      bodyPartExamined: stringValue(ds, tags.BodyPartExamined),
      photometricInterpretation: g.photometricInterpretation,
      transferSyntaxUid: scan.syntax.uid,
      sopClassUid,
      studyInstanceUid: stringValue(dataset, tags.StudyInstanceUID),
      seriesInstanceUid: stringValue(dataset, tags.SeriesInstanceUID),
      sopInstanceUid,
      numberOfFrames: g.numberOfFrames,
      bitsAllocated: g.bitsAllocated,
      bitsStored: g.bitsStored,
      signed: g.signed,
      windowing: rendered.windowing,
    },
  };
}
