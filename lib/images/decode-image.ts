import { AppError } from "../errors/app-error";
import { decodeDicom } from "./dicom/decode-dicom";
import { decodeRaster, type RasterDecoded } from "./decode-raster";
import { encodeThumbnail, encodeWorkingPng } from "./encode-outputs";
import { exposureFlags } from "./exposure";
import { resolveLimits } from "./limits";
import { perceptualHash } from "./perceptual-hash";
import { sha256Hex } from "../storage/sha256";
import { extensionMismatch, sniffFormat } from "./sniff-format";
import type { DecodedImage, DecodeOptions, DicomSummary, ImageFlag } from "./types";

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
  // A large file's hash runs on the thread pool while the file decodes, the pixels' hash while
  // the outputs encode (sha256Hex hashes small inputs inline); the perceptual hash and the
  // exposure flags are computed while sharp encodes.
  const fileSha = sha256Hex(bytes);
  fileSha.catch(() => undefined); // awaited below; a refusal meanwhile must not leave it unhandled
  const flags: ImageFlag[] = [];
  let decoded: Omit<RasterDecoded, "originalExt">;
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
  const outputs = Promise.all([
    decoded.asWorkingPng ?? encodeWorkingPng(pixels8, width, height, limits.timeoutSeconds),
    encodeThumbnail(pixels8, width, height, limits.timeoutSeconds),
    sha256Hex(pixels8),
  ]);
  outputs.catch(() => undefined);
  flags.push(...exposureFlags(pixels8));
  if (extensionMismatch(opts.fileName, format)) flags.push("extension-mismatch");
  const phash = perceptualHash(pixels8, width, height);
  const [[workingPng, thumbnail, pixelSha256], sha256] = await Promise.all([outputs, fileSha]);
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
    sha256,
    pixelSha256,
    phash,
    flags,
    ...(warnings.length ? { warnings } : {}),
    ...(dicom ? { dicom } : {}),
  };
}
