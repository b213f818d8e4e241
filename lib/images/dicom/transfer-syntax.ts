import { AppError } from "../../errors/app-error";

export const IMPLICIT_VR_LE = "1.2.840.10008.1.2";
export const EXPLICIT_VR_LE = "1.2.840.10008.1.2.1";
export const DEFLATED_EXPLICIT_VR_LE = "1.2.840.10008.1.2.1.99";
export const RLE_LOSSLESS = "1.2.840.10008.1.2.5";

/** How the pixel data of a syntax is decoded; "native" is uncompressed. */
export type PixelCodec = "native" | "rle" | "jpeg" | "jpeg-lossless" | "jpeg-ls" | "jpeg2000" | "htj2k";

export interface TransferSyntax {
  uid: string;
  name: string;
  implicitVr: boolean;
  encapsulated: boolean;
  codec: PixelCodec;
  /** The syntax allows irreversible compression: a decoded copy must say LossyImageCompression 01. */
  lossy: boolean;
  /** The data set after the file meta group is raw-deflated (PS3.5 A.5). */
  deflated: boolean;
}

type Row = [uid: string, name: string, codec: PixelCodec, lossy?: boolean];

// Every syntax Tandem decodes, one row each; all but the first two are explicit VR little endian.
const rows: Row[] = [
  [IMPLICIT_VR_LE, "Implicit VR Little Endian", "native"],
  [EXPLICIT_VR_LE, "Explicit VR Little Endian", "native"],
  [DEFLATED_EXPLICIT_VR_LE, "Deflated Explicit VR Little Endian", "native"],
  [RLE_LOSSLESS, "RLE Lossless", "rle"],
  ["1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", "jpeg", true],
  ["1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)", "jpeg", true],
  ["1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)", "jpeg-lossless"],
  ["1.2.840.10008.1.2.4.70", "JPEG Lossless, First-Order Prediction (Process 14 SV1)", "jpeg-lossless"],
  ["1.2.840.10008.1.2.4.80", "JPEG-LS Lossless", "jpeg-ls"],
  ["1.2.840.10008.1.2.4.81", "JPEG-LS Near-Lossless", "jpeg-ls", true],
  ["1.2.840.10008.1.2.4.90", "JPEG 2000 Lossless Only", "jpeg2000"],
  ["1.2.840.10008.1.2.4.91", "JPEG 2000", "jpeg2000", true],
  ["1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Lossless Only", "htj2k"],
  ["1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options Lossless Only", "htj2k"],
  ["1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000", "htj2k", true],
];

const supported: Record<string, TransferSyntax> = Object.fromEntries(
  rows.map(([uid, name, codec, lossy]) => [
    uid,
    {
      uid,
      name,
      implicitVr: uid === IMPLICIT_VR_LE,
      encapsulated: codec !== "native",
      codec,
      lossy: lossy ?? false,
      deflated: uid === DEFLATED_EXPLICIT_VR_LE,
    },
  ]),
);

// Names for the refusal message; anything not listed is reported by UID alone.
const knownUnsupported: Record<string, string> = {
  "1.2.840.10008.1.2.2": "Explicit VR Big Endian (retired)",
  "1.2.840.10008.1.2.4.92": "JPEG 2000 Part 2 Multi-component Lossless Only",
  "1.2.840.10008.1.2.4.93": "JPEG 2000 Part 2 Multi-component",
  "1.2.840.10008.1.2.4.100": "MPEG2 Main Profile / Main Level",
  "1.2.840.10008.1.2.4.102": "MPEG-4 AVC/H.264 High Profile",
  "1.2.840.10008.1.2.4.107": "HEVC/H.265 Main Profile",
  "1.2.840.10008.1.2.4.110": "JPEG XL Lossless",
  "1.2.840.10008.1.2.4.112": "JPEG XL",
};

export function supportedSyntaxNames(): string {
  return Object.values(supported)
    .map((s) => s.name)
    .join(", ");
}

/** The transfer syntax if Tandem can decode it; UNSUPPORTED naming the syntax otherwise. */
export function requireSupportedSyntax(uid: string): TransferSyntax {
  const syntax = supported[uid];
  if (syntax) return syntax;
  const name = knownUnsupported[uid];
  const label = name ? `${name} (${uid})` : `"${uid.slice(0, 64)}"`;
  throw new AppError(
    "UNSUPPORTED",
    `DICOM transfer syntax ${label} is not supported; supported: ${supportedSyntaxNames()}`,
    { transferSyntaxUid: uid.slice(0, 64) },
  );
}
