import { AppError } from "../../../errors/app-error";
import { readJpegHeader } from "../../jpeg-header";
import type { PixelCodec } from "../transfer-syntax";

/** What a compressed frame says about itself, read from its header without decoding anything. */
export interface CodestreamHeader {
  width: number;
  height: number;
  components: number;
  /** Bits per sample. */
  precision: number;
  /** A JPEG lossless-process frame (SOF3/7/11/15); false for every other codestream. */
  lossless: boolean;
}

const bad = (why: string) => new AppError("BAD_REQUEST", `Invalid compressed DICOM frame: ${why}`);

function jpegFamily(frame: Buffer, jpegLs: boolean): CodestreamHeader {
  if (frame.length < 4 || frame[0] !== 0xff || frame[1] !== 0xd8)
    throw bad(`the ${jpegLs ? "JPEG-LS" : "JPEG"} stream does not start with SOI`);
  const h = readJpegHeader(frame, { jpegLs });
  return {
    width: h.width,
    height: h.height,
    components: h.components,
    precision: h.precision,
    lossless: !jpegLs && h.lossless,
  };
}

/** J2K codestream: SOC (FF4F) then SIZ (FF51), ISO/IEC 15444-1 A.5.1. */
function jpeg2000(frame: Buffer): CodestreamHeader {
  if (frame.length >= 12 && frame.readUInt32BE(4) === 0x6a502020) {
    throw bad("the frame is a JP2 file, not the bare JPEG 2000 codestream DICOM requires (PS3.5 A.4.4)");
  }
  if (frame.length < 42 || frame.readUInt16BE(0) !== 0xff4f || frame.readUInt16BE(2) !== 0xff51) {
    throw bad("the JPEG 2000 codestream does not start with SOC and SIZ markers");
  }
  const xsiz = frame.readUInt32BE(8);
  const ysiz = frame.readUInt32BE(12);
  const xosiz = frame.readUInt32BE(16);
  const yosiz = frame.readUInt32BE(20);
  const components = frame.readUInt16BE(40);
  if (xsiz <= xosiz || ysiz <= yosiz || components < 1) throw bad("the JPEG 2000 SIZ marker declares an empty image");
  if (frame.length < 42 + 3 * components) throw bad("the JPEG 2000 SIZ marker is truncated");
  let precision = 0;
  for (let c = 0; c < components; c++) precision = Math.max(precision, (frame[42 + 3 * c] & 0x7f) + 1);
  return { width: xsiz - xosiz, height: ysiz - yosiz, components, precision, lossless: false };
}

export function readCodestreamHeader(codec: PixelCodec, frame: Buffer): CodestreamHeader {
  // HTJ2K (ISO/IEC 15444-15) keeps the Part 1 main header: SOC, SIZ, then its CAP marker.
  if (codec === "jpeg2000" || codec === "htj2k") return jpeg2000(frame);
  if (codec === "jpeg" || codec === "jpeg-lossless" || codec === "jpeg-ls")
    return jpegFamily(frame, codec === "jpeg-ls");
  throw new Error(`no codestream header for ${codec}`);
}
