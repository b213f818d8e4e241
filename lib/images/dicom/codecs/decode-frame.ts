import { AppError } from "../../../errors/app-error";
import { bytesPerFrame, type ImageGeometry } from "../image-geometry";
import { decodeRleFrame } from "../rle-lossless";
import type { TransferSyntax } from "../transfer-syntax";
import { readCodestreamHeader, type CodestreamHeader } from "./codestream-header";
import { wasmDecoder, type WasmCodec } from "./wasm-codecs";

const bad = (syntax: TransferSyntax, why: string) =>
  new AppError("BAD_REQUEST", `Invalid ${syntax.name} pixel data: ${why}`);

/**
 * The frame header must describe exactly the image the DICOM attributes declare (which the
 * pixel cap has already bounded), so a codestream cannot make the decoder allocate more.
 */
function checkHeader(syntax: TransferSyntax, h: CodestreamHeader, g: ImageGeometry): void {
  if (h.width !== g.columns || h.height !== g.rows) {
    throw bad(
      syntax,
      `the codestream declares ${h.width}×${h.height} pixels but Columns×Rows is ${g.columns}×${g.rows}`,
    );
  }
  if (h.components !== g.samplesPerPixel) {
    throw bad(syntax, `the codestream has ${h.components} components but SamplesPerPixel is ${g.samplesPerPixel}`);
  }
  if (h.precision > g.bitsAllocated) {
    throw bad(syntax, `the codestream holds ${h.precision}-bit samples but BitsAllocated is ${g.bitsAllocated}`);
  }
  if (syntax.codec === "jpeg" && h.lossless) throw bad(syntax, "the frame uses the lossless JPEG process");
  if (syntax.codec === "jpeg-lossless" && !h.lossless)
    throw bad(syntax, "the frame does not use the lossless JPEG process");
  if (syntax.codec === "jpeg" && h.precision > 8) {
    // libjpeg-turbo's WASM build is 8-bit only and no maintained 12-bit DCT decoder is packaged for npm.
    throw new AppError("UNSUPPORTED", `${syntax.name} with ${h.precision}-bit samples is not supported (8-bit only)`);
  }
}

function decodeWasm(syntax: TransferSyntax, Decoder: new () => WasmFrameDecoder, frame: Buffer): Uint8Array {
  const decoder = new Decoder();
  try {
    decoder.getEncodedBuffer(frame.length).set(frame);
    try {
      decoder.decode();
    } catch {
      // Emscripten throws a bare pointer to the C++ exception; it says no more than this.
      throw bad(syntax, "the codec could not decode the frame");
    }
    // Copy out of WASM memory before the decoder is freed.
    return decoder.getDecodedBuffer().slice();
  } finally {
    decoder.delete();
  }
}

async function decodeJpegLossless(syntax: TransferSyntax, frame: Buffer, g: ImageGeometry): Promise<Uint8Array> {
  const { Decoder } = await import("jpeg-lossless-decoder-js");
  const copy = frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.length) as ArrayBuffer;
  let out: Uint8Array | Uint16Array;
  try {
    out = new Decoder().decode(copy, 0, frame.length, g.bitsAllocated / 8);
  } catch (e) {
    throw bad(syntax, (e instanceof Error ? e.message : String(e)).slice(0, 120));
  }
  // Samples come out in host byte order, which is little-endian on every platform Node runs Tandem on.
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** 8-bit codestream samples stored with BitsAllocated 16: widened to native 16-bit little-endian. */
function widen(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) out[2 * i] = bytes[i];
  return out;
}

/**
 * One encapsulated frame → native little-endian, sample-interleaved bytes of exactly
 * Rows × Columns × SamplesPerPixel × BitsAllocated/8, or an AppError saying why not.
 */
export async function decodeEncapsulatedFrame(
  syntax: TransferSyntax,
  frame: Buffer,
  g: ImageGeometry,
): Promise<Buffer> {
  if (syntax.codec === "rle") return decodeRleFrame(frame, g);
  if (syntax.codec === "native") throw new Error("native pixel data is not encapsulated");
  const header = readCodestreamHeader(syntax.codec, frame);
  checkHeader(syntax, header, g);
  let decoded =
    syntax.codec === "jpeg-lossless"
      ? await decodeJpegLossless(syntax, frame, g)
      : decodeWasm(syntax, await wasmDecoder(syntax.codec as WasmCodec), frame);
  const expected = bytesPerFrame(g);
  if (g.bitsAllocated === 16 && header.precision <= 8 && decoded.length * 2 === expected) decoded = widen(decoded);
  if (decoded.length !== expected) {
    throw bad(
      syntax,
      `decoded to ${decoded.length} bytes but Rows×Columns×SamplesPerPixel×(BitsAllocated/8) = ` +
        `${g.rows}×${g.columns}×${g.samplesPerPixel}×${g.bitsAllocated / 8} = ${expected} bytes`,
    );
  }
  return Buffer.from(decoded.buffer, decoded.byteOffset, decoded.byteLength);
}
