import { AppError } from "../errors/app-error";
import { parseDicomDataset } from "../images/dicom/parse-dicom";
import { stringValue, numberValue, tags } from "../images/dicom/dataset-values";
import type { DicomDataset, DicomElement } from "../images/dicom/dcmjs";
import { EXPLICIT_VR_LE } from "../images/dicom/transfer-syntax";
import { writeDicomFile } from "../images/dicom/write-dicom";
import { derivedUid } from "./dicom-uid";
import { foldLabel, foldNumber } from "../ml/fold";

export const SEGMENTATION_STORAGE = "1.2.840.10008.5.1.4.1.1.66.4";
export const SEGMENT_LABEL = "COVID-19 infection";

export interface SegSource {
  /** The stored, already de-identified Part 10 file the image was imported from. */
  dicom: Buffer;
  /** Row-major 0/1, the accepted mask at the image's native size. */
  mask: Uint8Array;
  width: number;
  height: number;
  maskSha256: string;
  winner: "MANUAL" | "MACHINE" | "REDRAW" | "EMPTY";
  /** The network whose candidate won, for a MACHINE mask. */
  model: SegModel | null;
}

export interface SegModel {
  arch: string;
  encoder: string;
  fold: number | null;
  weightsSha256: string | null;
}

const el = (vr: string, ...values: unknown[]): DicomElement => ({ vr, Value: values });
const code = (value: string, scheme: string, meaning: string): DicomDataset => ({
  "00080100": el("SH", value),
  "00080102": el("SH", scheme),
  "00080104": el("LO", meaning),
});

/** DICOM 1-bit packing: pixel i is bit (i mod 8) of byte i/8, least significant first; even length. */
export function packBits(mask: Uint8Array): Buffer {
  const bytes = Math.ceil(mask.length / 8);
  const out = Buffer.alloc(bytes + (bytes % 2));
  for (let i = 0; i < mask.length; i++) if (mask[i]) out[i >> 3] |= 1 << (i & 7);
  return out;
}

export function unpackBits(bits: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels);
  for (let i = 0; i < pixels; i++) out[i] = (bits[i >> 3] >> (i & 7)) & 1;
  return out;
}

// Patient and study attributes carried over from the source: they were cleaned on import.
const carried = [
  "00100010", // Patient's Name (emptied by de-identification)
  "00100020", // Patient ID (the pseudonym)
  "00100030",
  "00100040",
  "00080020",
  "00080030",
  "00080050",
  "00080090",
  "00200010",
  "00200020", // Patient Orientation (General Image, Type 2C): copied, or empty below
  "00120062",
  "00120063",
  "00120064",
];
const emptyType2: Record<string, string> = {
  "00100010": "PN",
  "00100020": "LO",
  "00100030": "DA",
  "00100040": "CS",
  "00080020": "DA",
  "00080030": "TM",
  "00080050": "SH",
  "00080090": "PN",
  "00200010": "SH",
  "00200020": "CS",
};

const lo = (text: string) => text.slice(0, 64);

/**
 * Segment Algorithm Type and Name, true to where the accepted mask came from: drawn by an MD
 * (Stage-I manual or redraw), a network's candidate chosen by MDs (with the network's identity),
 * or the empty mask that a control's label implies (made by rule, drawn by no one).
 */
export function segmentAlgorithm(s: Pick<SegSource, "winner" | "model">): DicomDataset {
  switch (s.winner) {
    case "MANUAL":
    case "REDRAW":
      return { "00620008": el("CS", "MANUAL") };
    case "EMPTY":
      return {
        "00620006": el("ST", "Empty: no infection, by the image's CONTROL label"),
        "00620008": el("CS", "AUTOMATIC"),
        "00620009": el("LO", "Tandem label-derived empty mask"),
      };
    case "MACHINE": {
      const m = s.model;
      const name = m ? `${m.arch}/${m.encoder}` : "unknown network";
      const fold = m?.fold ?? null;
      const weights = m?.weightsSha256 ?? null;
      return {
        "00620007": el("SQ", {
          "0066002F": el("SQ", code("123110", "DCM", "Artificial Intelligence")),
          "00660031": el("LO", weights ?? "weights not recorded"),
          "00660032": el(
            "LT",
            `arch=${m?.arch ?? "unknown"}; encoder=${m?.encoder ?? "unknown"}; fold=${foldNumber(fold) ?? "none"}; weights_sha256=${weights ?? "unknown"}`,
          ),
          "00660036": el("LO", lo(name)),
        }),
        "00620008": el("CS", "AUTOMATIC"),
        "00620009": el(
          "LO",
          lo(`${name}${fold === null ? "" : ` ${foldLabel(fold)}`}${weights ? ` sha256:${weights.slice(0, 12)}` : ""}`),
        ),
      };
    }
  }
}

/**
 * A DICOM Segmentation (BINARY, one frame, one segment) over the de-identified source image,
 * so a PACS viewer shows the accepted mask on the image. UIDs are derived from the source's
 * (already remapped) UIDs and the mask's hash; dates stay the de-identified placeholders.
 */
export function buildDicomSeg(s: SegSource): Buffer {
  const src = parseDicomDataset(s.dicom);
  const rows = numberValue(src, tags.Rows);
  const columns = numberValue(src, tags.Columns);
  if (rows !== s.height || columns !== s.width) {
    throw new AppError("CONFLICT", `the source DICOM is ${columns}×${rows}, the mask ${s.width}×${s.height}`);
  }
  const sourceClass = stringValue(src, tags.SOPClassUID);
  const sourceInstance = stringValue(src, tags.SOPInstanceUID);
  const study = stringValue(src, tags.StudyInstanceUID);
  const series = stringValue(src, tags.SeriesInstanceUID);
  if (!sourceClass || !sourceInstance || !study || !series)
    throw new AppError("CONFLICT", "the source DICOM lacks its UIDs");
  const frameOfReference = stringValue(src, "00200052");

  const sopInstance = derivedUid("seg-instance", sourceInstance, s.maskSha256);
  const segSeries = derivedUid("seg-series", series);
  const dimensionOrganization = derivedUid("seg-dimensions", sourceInstance);
  const sourceRef: DicomDataset = { "00081150": el("UI", sourceClass), "00081155": el("UI", sourceInstance) };

  const ds: DicomDataset = {};
  for (const t of carried) {
    if (src[t]) ds[t] = src[t];
    else if (emptyType2[t]) ds[t] = { vr: emptyType2[t], Value: [] };
  }
  Object.assign(ds, {
    "00080008": el("CS", "DERIVED", "PRIMARY"),
    "00080016": el("UI", SEGMENTATION_STORAGE),
    "00080018": el("UI", sopInstance),
    "00080023": el("DA", "19000101"),
    "00080033": el("TM", "000000"),
    "00080060": el("CS", "SEG"),
    "00080070": el("LO", "Tandem"),
    "0008103E": el("LO", "COVID-19 infection (accepted)"),
    "00081090": el("LO", "Tandem"),
    "00081115": el("SQ", { "0020000E": el("UI", series), "0008114A": el("SQ", sourceRef) }),
    "00181000": el("LO", "0"),
    "00181020": el("LO", "tandem-export-1"),
    "0020000D": el("UI", study),
    "0020000E": el("UI", segSeries),
    "00200011": el("IS", 9001),
    "00200013": el("IS", 1),
    "00280002": el("US", 1),
    "00280004": el("CS", "MONOCHROME2"),
    "00280008": el("IS", 1),
    "00280010": el("US", s.height),
    "00280011": el("US", s.width),
    "00280100": el("US", 1),
    "00280101": el("US", 1),
    "00280102": el("US", 0),
    "00280103": el("US", 0),
    "00282110": el("CS", "00"),
    "00620001": el("CS", "BINARY"),
    "00620002": el("SQ", {
      "00620004": el("US", 1),
      "00620005": el("LO", SEGMENT_LABEL),
      ...segmentAlgorithm(s),
      "00620003": el("SQ", code("49755003", "SCT", "Morphologically Altered Structure")),
      "0062000F": el("SQ", code("52988006", "SCT", "Lesion")),
    }),
    "00700080": el("CS", "INFECTION"),
    "00700081": el("LO", "Accepted COVID-19 infection mask"),
    // Person Name in the current form (family^given); a single component is the retired form.
    "00700084": el("PN", { Alphabetic: "Tandem^" }),
    "00209221": el("SQ", { "00209164": el("UI", dimensionOrganization) }),
    "00209222": el("SQ", {
      "00209164": el("UI", dimensionOrganization),
      "00209165": el("AT", 0x0062000b),
      "00209167": el("AT", 0x0062000a),
      "00209421": el("LO", "Segment"),
    }),
    "52009229": el("SQ", {}),
    "52009230": el("SQ", {
      "00209111": el("SQ", { "00209157": el("UL", 1) }),
      "0062000A": el("SQ", { "0062000B": el("US", 1) }),
      "00089124": el("SQ", {
        "00082112": el("SQ", {
          ...sourceRef,
          "0040A170": el("SQ", code("121322", "DCM", "Source image for image processing operation")),
        }),
        "00089215": el("SQ", code("113076", "DCM", "Segmentation")),
      }),
    }),
  });
  if (frameOfReference) {
    ds["00200052"] = el("UI", frameOfReference);
    ds["00201040"] = { vr: "LO", Value: [] };
  }
  return writeDicomFile(ds, SEGMENTATION_STORAGE, sopInstance, {
    transferSyntaxUid: EXPLICIT_VR_LE,
    values: [packBits(s.mask)],
    vr: "OB",
  });
}
