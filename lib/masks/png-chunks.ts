import { AppError } from "../errors/app-error";
import { crc32 } from "./crc32";

export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** One PNG chunk: length, type, data and CRC. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

export interface PngChunk {
  type: string;
  /** Offset of the chunk data within the file. */
  offset: number;
  length: number;
}

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlace: number;
}

function bad(msg: string): AppError {
  return new AppError("BAD_REQUEST", `mask is not a valid PNG: ${msg}`);
}

export function isPng(buf: Uint8Array): boolean {
  if (buf.length < PNG_SIGNATURE.length) return false;
  return PNG_SIGNATURE.every((b, i) => buf[i] === b);
}

/** Walks every chunk, checking lengths and CRCs; IHDR must come first and IEND last. */
export function readPngChunks(buf: Uint8Array): PngChunk[] {
  if (!isPng(buf)) throw bad("missing PNG signature");
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const chunks: PngChunk[] = [];
  let pos = PNG_SIGNATURE.length;
  while (pos < buf.length) {
    if (pos + 12 > buf.length) throw bad("truncated chunk header");
    const length = view.getUint32(pos);
    const end = pos + 8 + length;
    if (length > 0x7fffffff || end + 4 > buf.length) throw bad("truncated chunk");
    const type = String.fromCharCode(buf[pos + 4], buf[pos + 5], buf[pos + 6], buf[pos + 7]);
    if (!/^[A-Za-z]{4}$/.test(type)) throw bad("invalid chunk type");
    if (crc32(buf, pos + 4, end) !== view.getUint32(end)) throw bad(`CRC mismatch in ${type} chunk`);
    chunks.push({ type, offset: pos + 8, length });
    pos = end + 4;
    if (type === "IEND") break;
  }
  if (chunks[0]?.type !== "IHDR") throw bad("first chunk is not IHDR");
  if (chunks[chunks.length - 1].type !== "IEND") throw bad("missing IEND chunk");
  if (pos !== buf.length) throw bad("trailing bytes after IEND");
  if (!chunks.some((c) => c.type === "IDAT")) throw bad("no image data");
  return chunks;
}

export function readPngHeader(buf: Uint8Array, chunks: PngChunk[]): PngHeader {
  const ihdr = chunks[0];
  if (ihdr.length !== 13) throw bad("IHDR has the wrong length");
  const view = new DataView(buf.buffer, buf.byteOffset + ihdr.offset, 13);
  const header = {
    width: view.getUint32(0),
    height: view.getUint32(4),
    bitDepth: view.getUint8(8),
    colorType: view.getUint8(9),
    interlace: view.getUint8(12),
  };
  if (header.width === 0 || header.height === 0) throw bad("zero width or height");
  return header;
}
