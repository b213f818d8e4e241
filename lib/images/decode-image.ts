import { createHash } from "node:crypto";
import { AppError } from "../errors/app-error";
import { decodeDicom } from "./dicom/decode-dicom";
import { decodeRaster } from "./decode-raster";
import { encodeThumbnail, encodeWorkingPng } from "./encode-outputs";
import { exposureFlags } from "./exposure";
import { resolveLimits } from "./limits";
import { perceptualHash } from "./perceptual-hash";
import { extensionMismatch, sniffFormat } from "./sniff-format";
import type { DecodedImage, DecodeOptions, DicomSummary, ImageFlag } from "./types";

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

/**
 * Turns one uploaded file into everything ingest stores: a de-identified or re-encoded
 * original, the canonical 8-bit working PNG, a thumbnail, hashes and quality flags. Pure: no
 * database, no storage. Every refusal is an AppError (BAD_REQUEST, TOO_LARGE or UNSUPPORTED)
 * whose message says what is wrong with the file, and none of them decodes pixels first.
 */
export async function decodeImage(bytes: Buffer, opts: DecodeOptions): Promise<DecodedImage> {
  const limits = resolveLimits(opts);
  if (bytes.length > limits.maxBytes) {
    throw new AppError("TOO_LARGE", `File is ${bytes.length} bytes; the limit is ${limits.maxBytes} bytes`);
  }
  const format = sniffFormat(bytes);
  const flags: ImageFlag[] = [];
  let decoded: { width: number; height: number; bitDepth: number; pixels8: Uint8Array; original: Buffer | null };
  let originalExt: DecodedImage["originalExt"];
  let dicom: DicomSummary | undefined;
  const warnings: string[] = [];
  if (format === "DICOM") {
    const d = await decodeDicom(
      bytes,
      limits.maxPixels,
      opts.pseudonymKey,
      { deid: opts.deidOptions, modalities: opts.modalityPolicy },
      limits.maxBytes,
    );
    decoded = d;
    originalExt = "dcm";
    dicom = d.summary;
    flags.push(...d.flags);
    warnings.push(...d.warnings);
  } else {
    const r = await decodeRaster(bytes, format, limits);
    decoded = r;
    originalExt = r.originalExt;
  }
  const { width, height, pixels8 } = decoded;
  flags.push(...exposureFlags(pixels8));
  if (extensionMismatch(opts.fileName, format)) flags.push("extension-mismatch");

  const [workingPng, thumbnail] = await Promise.all([
    encodeWorkingPng(pixels8, width, height, limits.timeoutSeconds),
    encodeThumbnail(pixels8, width, height, limits.timeoutSeconds),
  ]);
  return {
    format,
    width,
    height,
    bitDepth: decoded.bitDepth,
    pixels8,
    workingPng,
    thumbnail,
    thumbnailType: "image/jpeg",
    originalBytes: decoded.original ?? workingPng,
    originalExt,
    sha256: sha256(bytes),
    pixelSha256: sha256(pixels8),
    phash: perceptualHash(pixels8, width, height),
    flags,
    ...(warnings.length ? { warnings } : {}),
    ...(dicom ? { dicom } : {}),
  };
}
