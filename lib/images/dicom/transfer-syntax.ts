import { AppError } from "../../errors/app-error";

export const IMPLICIT_VR_LE = "1.2.840.10008.1.2";
export const EXPLICIT_VR_LE = "1.2.840.10008.1.2.1";
export const RLE_LOSSLESS = "1.2.840.10008.1.2.5";

export interface TransferSyntax {
  uid: string;
  name: string;
  implicitVr: boolean;
  encapsulated: boolean;
}

const supported: Record<string, TransferSyntax> = {
  [IMPLICIT_VR_LE]: { uid: IMPLICIT_VR_LE, name: "Implicit VR Little Endian", implicitVr: true, encapsulated: false },
  [EXPLICIT_VR_LE]: { uid: EXPLICIT_VR_LE, name: "Explicit VR Little Endian", implicitVr: false, encapsulated: false },
  [RLE_LOSSLESS]: { uid: RLE_LOSSLESS, name: "RLE Lossless", implicitVr: false, encapsulated: true },
};

// Names for the refusal message; anything not listed is reported by UID alone.
const knownUnsupported: Record<string, string> = {
  "1.2.840.10008.1.2.1.99": "Deflated Explicit VR Little Endian",
  "1.2.840.10008.1.2.2": "Explicit VR Big Endian (retired)",
  "1.2.840.10008.1.2.4.50": "JPEG Baseline (Process 1)",
  "1.2.840.10008.1.2.4.51": "JPEG Extended (Process 2 & 4)",
  "1.2.840.10008.1.2.4.57": "JPEG Lossless, Non-Hierarchical (Process 14)",
  "1.2.840.10008.1.2.4.70": "JPEG Lossless, First-Order Prediction (Process 14 SV1)",
  "1.2.840.10008.1.2.4.80": "JPEG-LS Lossless",
  "1.2.840.10008.1.2.4.81": "JPEG-LS Near-Lossless",
  "1.2.840.10008.1.2.4.90": "JPEG 2000 Lossless Only",
  "1.2.840.10008.1.2.4.91": "JPEG 2000",
  "1.2.840.10008.1.2.4.92": "JPEG 2000 Part 2 Multi-component Lossless Only",
  "1.2.840.10008.1.2.4.93": "JPEG 2000 Part 2 Multi-component",
  "1.2.840.10008.1.2.4.201": "High-Throughput JPEG 2000 Lossless Only",
  "1.2.840.10008.1.2.4.202": "High-Throughput JPEG 2000 with RPCL Options Lossless Only",
  "1.2.840.10008.1.2.4.203": "High-Throughput JPEG 2000",
  "1.2.840.10008.1.2.4.100": "MPEG2 Main Profile / Main Level",
  "1.2.840.10008.1.2.4.102": "MPEG-4 AVC/H.264 High Profile",
  "1.2.840.10008.1.2.4.107": "HEVC/H.265 Main Profile",
  "1.2.840.10008.1.2.4.110": "JPEG XL Lossless",
  "1.2.840.10008.1.2.4.112": "JPEG XL",
};

export function supportedSyntaxNames(): string {
  return Object.values(supported).map((s) => s.name).join(", ");
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
