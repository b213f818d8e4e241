import { createHash } from "node:crypto";
import { AppError, isAppError } from "../../errors/app-error";
import { assertPixelBudget, DEFAULT_MAX_BYTES } from "../limits";
import type { DicomSummary, ImageFlag } from "../types";
import { annotationFlags } from "./annotation-flags";
import { numberValue, stringValue, tags } from "./dataset-values";
import type { DicomDataset } from "./dcmjs";
import type { DeidOptions } from "./deid-options";
import { decodeEncapsulatedFrame } from "./codecs/decode-frame";
import { deidentifyDataset } from "./deidentify";
import { checkModality, type ModalityPolicy } from "./modality-policy";
import { readGeometry, type ImageGeometry } from "./image-geometry";
import { inflateDeflatedDicom } from "./inflate-deflated";
import { parseDicomDataset } from "./parse-dicom";
import { extractPixelFrames, type PixelFrames } from "./pixel-data";
import { renderFrame, type VoiParameters } from "./render-pixels";
import { readMeta, scanDicomStructure } from "./scan-structure";
import { EXPLICIT_VR_LE, RLE_LOSSLESS, type TransferSyntax } from "./transfer-syntax";
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
  /** Things the import report should say about a file that was still imported. */
  warnings: string[];
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

function firstFrame(syntax: TransferSyntax, frames: PixelFrames, g: ImageGeometry): Promise<Buffer> {
  if (!frames.encapsulated) return Promise.resolve(frames.firstFrame);
  return decodeEncapsulatedFrame(syntax, frames.frames[0], g);
}

/** Project choices that shape ingest: the Table E.1-1 options and the accepted modalities. */
export interface DicomPolicy {
  deid?: DeidOptions;
  modalities?: ModalityPolicy;
}

/**
 * Native stays native and RLE stays RLE, every frame. Any other compressed input is stored as
 * its decoded first frame, natively: no codestream (whose comment and application segments
 * the de-identification cannot see into) reaches storage, and every reader can open the file.
 */
function pixelPayload(
  syntax: TransferSyntax,
  frames: PixelFrames,
  frame: Buffer,
  g: ImageGeometry,
  dataset: DicomDataset,
): PixelPayload {
  const vr = g.bitsAllocated > 8 ? "OW" : "OB";
  if (!frames.encapsulated) return { transferSyntaxUid: EXPLICIT_VR_LE, values: [frames.value], vr };
  if (syntax.codec === "rle") return { transferSyntaxUid: RLE_LOSSLESS, values: frames.frames, vr: "OB" };
  if (g.numberOfFrames > 1) dataset[tags.NumberOfFrames] = { vr: "IS", Value: [1] };
  // Codecs return colour samples interleaved.
  if (g.samplesPerPixel === 3) dataset[tags.PlanarConfiguration] = { vr: "US", Value: [0] };
  // PS3.3 C.7.6.1.1.5: once lossy-compressed, always declared so, even when stored uncompressed.
  if (syntax.lossy) dataset[LOSSY_IMAGE_COMPRESSION] = { vr: "CS", Value: ["01"] };
  return { transferSyntaxUid: EXPLICIT_VR_LE, values: [frame], vr };
}

const LOSSY_IMAGE_COMPRESSION = "00282110";

function multiFrameWarning(syntax: TransferSyntax, g: ImageGeometry): string[] {
  if (g.numberOfFrames <= 1) return [];
  const stored =
    syntax.encapsulated && syntax.codec !== "rle"
      ? "the stored original keeps that frame only"
      : "the stored original keeps every frame";
  return [`Multi-frame DICOM: only the first of ${g.numberOfFrames} frames was imported as the image (${stored})`];
}

/**
 * (Inflate) → structure scan → dcmjs parse → pixel checks, first-frame decoding and rendering →
 * de-identification → a fresh Part 10 file. Native and deflated input is written back as
 * Explicit VR Little Endian, RLE stays RLE, other compressed input is stored decoded (see
 * pixelPayload).
 */
export async function decodeDicom(
  bytes: Buffer,
  maxPixels: number,
  key: string,
  policy: DicomPolicy = {},
  maxBytes = DEFAULT_MAX_BYTES,
): Promise<DicomDecoded> {
  try {
    return await decodeChecked(bytes, maxPixels, key, policy, maxBytes);
  } catch (e) {
    if (isAppError(e)) throw e;
    // Anything dcmjs throws on input the structure scan let through is still the file's fault.
    const why = (e instanceof Error ? e.message : String(e)).split("\n")[0].slice(0, 200);
    throw new AppError("BAD_REQUEST", `Could not process the DICOM file: ${why}`);
  }
}

async function decodeChecked(
  uploaded: Buffer,
  maxPixels: number,
  key: string,
  policy: DicomPolicy,
  maxBytes: number,
): Promise<DicomDecoded> {
  const sourceSyntaxUid = readMeta(uploaded).transferSyntaxUid;
  const bytes = inflateDeflatedDicom(uploaded, maxBytes);
  const scan = scanDicomStructure(bytes);
  const ds = parseDicomDataset(bytes);
  const modalityFlag = checkModality(ds, policy.modalities);
  const g = readGeometry(ds);
  assertPixelBudget("DICOM Rows × Columns", g.columns, g.rows, maxPixels);
  const frames = extractPixelFrames(bytes, scan, g);
  // The pixel cap above bounds every decoder: codestream headers must match Rows × Columns.
  const frame = await firstFrame(scan.syntax, frames, g);
  const rendered = renderFrame(frame, frames.encapsulated ? { ...g, planarConfiguration: 0 } : g, voiParameters(ds));

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
  const original = writeDicomFile(
    dataset,
    sopClassUid,
    sopInstanceUid,
    pixelPayload(scan.syntax, frames, frame, g, dataset),
  );

  return {
    width: g.columns,
    height: g.rows,
    bitDepth: g.bitsStored,
    pixels8: rendered.pixels8,
    original,
    flags,
    warnings: multiFrameWarning(scan.syntax, g),
    summary: {
      patientPseudonym,
      modality: stringValue(ds, tags.Modality),
      viewPosition: stringValue(ds, tags.ViewPosition),
      bodyPartExamined: stringValue(ds, tags.BodyPartExamined),
      photometricInterpretation: g.photometricInterpretation,
      transferSyntaxUid: sourceSyntaxUid,
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
