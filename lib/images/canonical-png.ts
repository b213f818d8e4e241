import { AppError } from "../errors/app-error";

const kept = new Set(["IHDR", "PLTE", "IDAT", "IEND"]);

/** Drops every ancillary chunk (text, time, pHYs, gamma, ICC, EXIF…) so equal pixels give equal bytes. */
export function stripPngAncillaryChunks(png: Buffer): Buffer {
  const parts: Buffer[] = [png.subarray(0, 8)];
  let pos = 8;
  while (pos + 12 <= png.length) {
    const length = png.readUInt32BE(pos);
    const end = pos + 12 + length;
    if (end > png.length) break;
    const type = png.toString("latin1", pos + 4, pos + 8);
    if (kept.has(type)) parts.push(png.subarray(pos, end));
    pos = end;
    if (type === "IEND") return Buffer.concat(parts);
  }
  throw new AppError("INTERNAL", "Encoder produced a malformed PNG");
}
