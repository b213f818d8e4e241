import { AppError } from "../errors/app-error";
import type { ImageFormat } from "./types";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const DICOM_PREFIX_OFFSET = 128;

function startsWith(bytes: Buffer, magic: ArrayLike<number>, at = 0): boolean {
  if (bytes.length < at + magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[at + i] !== magic[i]) return false;
  return true;
}

const ascii = (s: string) => Buffer.from(s, "latin1");

const isPng = (b: Buffer) => startsWith(b, PNG_SIGNATURE);
const isJpeg = (b: Buffer) => startsWith(b, [0xff, 0xd8, 0xff]);
const isDicom = (b: Buffer) => startsWith(b, ascii("DICM"), DICOM_PREFIX_OFFSET);

// Signatures of things people upload by mistake, so the rejection can say what the file is.
const knownOthers: Array<[string, (b: Buffer) => boolean]> = [
  ["a PDF document", (b) => startsWith(b, ascii("%PDF-"))],
  ["a GIF image", (b) => startsWith(b, ascii("GIF8"))],
  ["a TIFF image", (b) => startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a])],
  ["a BMP image", (b) => startsWith(b, ascii("BM"))],
  ["a WebP image", (b) => startsWith(b, ascii("RIFF")) && startsWith(b, ascii("WEBP"), 8)],
  [
    "a JPEG 2000 image",
    (b) => startsWith(b, [0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20]) || startsWith(b, [0xff, 0x4f, 0xff, 0x51]),
  ],
  ["a ZIP archive", (b) => startsWith(b, ascii("PK\x03\x04"))],
  ["a gzip archive", (b) => startsWith(b, [0x1f, 0x8b])],
  ["an HTML, XML or SVG document", looksLikeMarkup],
  // A bare DICOM data set (no preamble, no "DICM") starts with a group 0002 or 0008 tag.
  [
    "a DICOM data set without the 128-byte preamble and DICM prefix",
    (b) => startsWith(b, [0x02, 0x00]) || startsWith(b, [0x08, 0x00]),
  ],
];

function looksLikeMarkup(b: Buffer): boolean {
  let i = startsWith(b, [0xef, 0xbb, 0xbf]) ? 3 : 0;
  while (i < b.length && i < 1024 && (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0a || b[i] === 0x0d)) i++;
  return b[i] === 0x3c; // '<'
}

/** Decides the decoder from magic bytes only; the file name is never consulted. */
export function sniffFormat(bytes: Buffer): ImageFormat {
  if (bytes.length === 0) throw new AppError("BAD_REQUEST", "Empty file (0 bytes)");
  const dicom = isDicom(bytes);
  if (dicom && (isPng(bytes) || isJpeg(bytes))) {
    // A preamble that is also a valid PNG/JPEG would be read differently by different tools.
    throw new AppError(
      "BAD_REQUEST",
      "Ambiguous file: a DICOM file whose preamble carries a PNG/JPEG signature (polyglot) is refused",
    );
  }
  if (dicom) return "DICOM";
  if (isPng(bytes)) return "PNG";
  if (isJpeg(bytes)) return "JPEG";
  const other = knownOthers.find(([, test]) => test(bytes));
  const what = other ? `the content is ${other[0]}` : "unrecognised content";
  throw new AppError("UNSUPPORTED", `Not a supported image: ${what} (expected PNG, JPEG or DICOM)`);
}

const extensionFormats: Record<string, ImageFormat> = {
  png: "PNG",
  jpg: "JPEG",
  jpeg: "JPEG",
  jpe: "JPEG",
  jfif: "JPEG",
  dcm: "DICOM",
  dicom: "DICOM",
  dic: "DICOM",
};

/** True when the name has an image extension that names another format than the content. */
export function extensionMismatch(fileName: string | undefined, format: ImageFormat): boolean {
  const match = /\.([A-Za-z0-9]{1,8})$/.exec(fileName ?? "");
  if (!match) return false;
  const claimed = extensionFormats[match[1].toLowerCase()];
  return claimed !== undefined && claimed !== format;
}
