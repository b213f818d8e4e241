import type { DeidOptions } from "./dicom/deid-options";
import type { ModalityPolicy } from "./dicom/modality-policy";
export type ImageFormat = "PNG" | "JPEG" | "DICOM";

/** Every flag decodeImage can put on an image; the lead decides what each one blocks. */
export const imageFlags = [
  "burned-in-annotation",
  "recognizable-visual-features",
  "over-exposed",
  "under-exposed",
  "low-contrast",
  "multi-frame",
  "extension-mismatch",
  "modality-not-accepted",
] as const;
export type ImageFlag = (typeof imageFlags)[number];

export interface DecodeOptions {
  /** Only used to flag an extension that disagrees with the content; never used to pick the decoder. */
  fileName?: string;
  /** Cap on width × height, checked from the header before any decoding. Default 50 M. */
  maxPixels?: number;
  /** Cap on the input size in bytes. Default 200 MiB. */
  maxBytes?: number;
  /** Secret for the patient pseudonym and the UID remapping (HMAC-SHA256). */
  pseudonymKey: string;
  /** PS3.15 Table E.1-1 options for DICOM; default: none (Basic Profile only). */
  deidOptions?: DeidOptions;
  /** Accepted DICOM modalities; default: no check. */
  modalityPolicy?: ModalityPolicy;
  /** Wall-clock cap for each sharp pipeline. Default 60 s. */
  timeoutSeconds?: number;
}

/** Non-PHI facts about a DICOM source; UIDs here are already remapped. */
export interface DicomSummary {
  patientPseudonym?: string;
  modality?: string;
  viewPosition?: string;
  bodyPartExamined?: string;
  photometricInterpretation: string;
  transferSyntaxUid: string;
  sopClassUid?: string;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  sopInstanceUid?: string;
  numberOfFrames: number;
  bitsAllocated: number;
  bitsStored: number;
  signed: boolean;
  /** How the stored values were mapped to 8 bits. */
  windowing: "voi-window" | "min-max" | "direct";
}

export interface DecodedImage {
  format: ImageFormat;
  width: number;
  height: number;
  /** Bits per sample of the source (PNG bit depth, JPEG precision, DICOM Bits Stored). */
  bitDepth: number;
  /** Row-major 8-bit grayscale, width × height. */
  pixels8: Uint8Array;
  /**
   * 8-bit grayscale PNG of pixels8 (IHDR, IDAT, IEND only): encoded by encodeWorkingPng, or an
   * 8-bit gray upload's own image data when it is exactly its pixels (reusable-png.ts).
   */
  workingPng: Buffer;
  thumbnail: Buffer;
  thumbnailType: "image/jpeg";
  /** Re-encoded PNG/JPEG (no metadata) or de-identified DICOM: what storage keeps as "original". */
  originalBytes: Buffer;
  originalExt: "png" | "jpg" | "dcm";
  /** SHA-256 (hex) of the input bytes as uploaded. */
  sha256: string;
  /** SHA-256 (hex) of pixels8. */
  pixelSha256: string;
  /** 64-bit dHash as 16 hex characters; compare with hammingDistance. */
  phash: string;
  flags: ImageFlag[];
  /** Sentences for the import report about a file that was imported all the same. */
  warnings?: string[];
  dicom?: DicomSummary;
}
