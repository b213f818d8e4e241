import { deflateRawSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { isAppError } from "@/lib/errors/app-error";
import { decodeImage } from "@/lib/images/decode-image";
import { parseDicomDataset } from "@/lib/images/dicom/parse-dicom";
import { readMeta, scanDicomStructure } from "@/lib/images/dicom/scan-structure";
import type { DecodedImage } from "@/lib/images/types";
import {
  cxrSource,
  encapsulatedDicom,
  encode,
  encoders,
  encodeWith,
  htj2kCodestream,
  htj2kExpand,
  type CxrSource,
} from "../../setup/compressed-dicom";
import { buildDicom, EXPLICIT, imageModule, nativePixels } from "./helpers/dicom-builder";

const KEY = "unit-test-pseudonym-key-0123456789";
const decode = (bytes: Buffer, opts: { maxBytes?: number } = {}) => decodeImage(bytes, { pseudonymKey: KEY, ...opts });
const W = 256;
const H = 240;

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (e) {
    if (isAppError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error("expected a rejection");
}

/** Stored values of the de-identified original Tandem keeps (native or RLE, decoded again by Tandem's reader). */
function storedSamples(r: DecodedImage, bits: number): Uint16Array {
  return nativeSamples(r.originalBytes, bits);
}

function nativeSamples(file: Buffer, bits: number): Uint16Array {
  const scan = scanDicomStructure(file);
  if (!scan.pixelData || scan.pixelData.encapsulated) throw new Error("the pixel data is not native");
  const { offset, length } = scan.pixelData.value;
  const px = file.subarray(offset, offset + length);
  if (bits <= 8) return Uint16Array.from(px);
  const out = new Uint16Array(length / 2);
  for (let i = 0; i < out.length; i++) out[i] = px.readUInt16LE(2 * i);
  return out;
}

function psnr(a: ArrayLike<number>, b: ArrayLike<number>, peak: number): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i] - b[i]) ** 2;
  return se === 0 ? Infinity : 10 * Math.log10((peak * peak) / (se / a.length));
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

// Lower bounds on PSNR (dB) of the stored values for the lossy syntaxes, a few dB under what
// the encoders' settings give on these films (see the report of issue 13 for the measured values).
const LOSSY_PSNR_BOUND: Record<string, number> = {
  "1.2.840.10008.1.2.4.50": 36,
  "1.2.840.10008.1.2.4.51": 36,
  "1.2.840.10008.1.2.4.81": 50,
  "1.2.840.10008.1.2.4.91": 37,
};

const HTJ2K_LOSSY_PSNR_BOUND = 44;

describe("compressed transfer syntaxes decode to the pixels of their uncompressed twin", () => {
  const sources = new Map<number, CxrSource>();
  const twins = new Map<number, DecodedImage>();
  beforeAll(async () => {
    for (const bits of [8, 12, 16] as const) {
      const source = cxrSource(W, H, bits, bits);
      sources.set(bits, source);
      twins.set(bits, await decode(source.dicom));
    }
  });

  for (const e of encoders) {
    it(`${e.name} (${e.uid}), ${e.bits}-bit, ${e.lossless ? "exactly" : "within its PSNR bound"}`, async () => {
      const source = sources.get(e.bits)!;
      const twin = twins.get(e.bits)!;
      const encoded = encode(e, source.dicom);
      expect(readMeta(encoded).transferSyntaxUid).toBe(e.uid);

      const r = await decode(encoded);
      expect(r.dicom?.transferSyntaxUid).toBe(e.uid);
      expect([r.width, r.height]).toEqual([W, H]);
      const rle = e.uid === "1.2.840.10008.1.2.5";
      // Stored as decoded native pixels (RLE stays RLE), and that file decodes to the same image again.
      expect(scanDicomStructure(r.originalBytes).syntax.uid).toBe(rle ? e.uid : EXPLICIT);
      const again = await decode(r.originalBytes);
      expect(Buffer.from(again.pixels8).equals(Buffer.from(r.pixels8))).toBe(true);

      const stored = rle ? storedSamples(twin, e.bits) : storedSamples(r, e.bits);
      if (e.lossless) {
        expect(Buffer.from(r.pixels8).equals(Buffer.from(twin.pixels8))).toBe(true);
        expect(maxAbsDiff(stored, source.samples)).toBe(0);
        expect(stored.length).toBe(source.samples.length);
      } else {
        const peak = 2 ** e.bits - 1;
        const valuesDb = psnr(stored, source.samples, peak);
        const displayDb = psnr(r.pixels8, twin.pixels8, 255);
        // The encoding toolkit's own decoder gives exactly the same values.
        const reference = nativeSamples(encodeWith(e.reference!.tool, e.reference!.args, encoded), e.bits);
        const vsReference = maxAbsDiff(stored, reference);
        console.info(
          `PSNR ${e.name}: stored values ${valuesDb.toFixed(2)} dB, working image ${displayDb.toFixed(2)} dB; max |Tandem − ${e.reference!.tool}| = ${vsReference}`,
        );
        expect(vsReference).toBe(0);
        expect(valuesDb).toBeGreaterThan(LOSSY_PSNR_BOUND[e.uid]);
        expect(displayDb).toBeGreaterThan(LOSSY_PSNR_BOUND[e.uid] - 6);
        // Decompressed lossy data must keep saying so (PS3.3 C.7.6.1.1.5).
        expect(parseDicomDataset(r.originalBytes)["00282110"]?.Value).toEqual(["01"]);
        if (e.uid === "1.2.840.10008.1.2.4.81") expect(maxAbsDiff(stored, source.samples)).toBeLessThanOrEqual(3);
      }
    });
  }

  it("refuses 12-bit JPEG Extended, naming why (no maintained 12-bit WASM decoder)", async () => {
    const encoded = encodeWith("dcmcjpeg", ["--encode-extended"], sources.get(12)!.dicom);
    expect(readMeta(encoded).transferSyntaxUid).toBe("1.2.840.10008.1.2.4.51");
    expect(await rejection(decode(encoded))).toEqual({
      code: "UNSUPPORTED",
      message: "JPEG Extended (Process 2 & 4) with 12-bit samples is not supported (8-bit only)",
    });
  });
});

describe("High-Throughput JPEG 2000 (OpenJPH codestreams)", () => {
  const source = cxrSource(W, H, 12, 21);
  let twin: DecodedImage;
  beforeAll(async () => {
    twin = await decode(source.dicom);
  });

  it.each([
    ["1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Lossless Only"],
    ["1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options Lossless Only"],
  ])("%s (%s), 12-bit, exactly", async (uid) => {
    const r = await decode(
      encapsulatedDicom(source, uid, [htj2kCodestream(source, ["-reversible", "true", "-prog_order", "RPCL"])]),
    );
    expect(r.dicom?.transferSyntaxUid).toBe(uid);
    expect(Buffer.from(r.pixels8).equals(Buffer.from(twin.pixels8))).toBe(true);
    expect(maxAbsDiff(storedSamples(r, 12), source.samples)).toBe(0);
  });

  it("1.2.840.10008.1.2.4.203 (High-Throughput JPEG 2000, lossy), 12-bit, within its PSNR bound and within one of ojph_expand", async () => {
    const codestream = htj2kCodestream(source, ["-qstep", "0.01"]);
    const r = await decode(encapsulatedDicom(source, "1.2.840.10008.1.2.4.203", [codestream]));
    const stored = storedSamples(r, 12);
    const valuesDb = psnr(stored, source.samples, 4095);
    const displayDb = psnr(r.pixels8, twin.pixels8, 255);
    console.info(
      `PSNR HTJ2K (lossy, qstep 0.01): stored values ${valuesDb.toFixed(2)} dB, working image ${displayDb.toFixed(2)} dB`,
    );
    expect(valuesDb).toBeGreaterThan(HTJ2K_LOSSY_PSNR_BOUND);
    // The irreversible 9/7 inverse is floating point: Debian's OpenJPH 0.9 and the WASM build's newer one round apart by one at most.
    const vsReference = maxAbsDiff(stored, htj2kExpand(codestream));
    console.info(`max |Tandem − ojph_expand| = ${vsReference}`);
    expect(vsReference).toBeLessThanOrEqual(1);
    expect(parseDicomDataset(r.originalBytes)["00282110"]?.Value).toEqual(["01"]);
  });
});

describe("multi-frame compressed files", () => {
  const frames = 3;
  const frameSamples = Array.from({ length: frames }, (_, f) => cxrSource(64, 48, 12, 100 + f).samples);
  const native = buildDicom(imageModule({ rows: 48, columns: 64, bitsAllocated: 16, bitsStored: 12, frames }), {
    pixelData: nativePixels(
      frameSamples.flatMap((s) => Array.from(s)),
      16,
    ),
  });

  it.each([
    ["JPEG Lossless SV1", "dcmcjpeg", ["--encode-lossless-sv1"]],
    ["JPEG 2000 Lossless", "gdcmconv", ["--j2k"]],
  ])("%s: the first frame only, with a warning in the report", async (_name, tool, args) => {
    const encoded = encodeWith(tool, args as string[], native);
    const fragments = scanDicomStructure(encoded).pixelData;
    expect(fragments?.encapsulated && fragments.fragments.length).toBe(frames);
    const r = await decode(encoded);
    expect(r.flags).toContain("multi-frame");
    expect(r.warnings).toEqual([
      `Multi-frame DICOM: only the first of ${frames} frames was imported as the image (the stored original keeps that frame only)`,
    ]);
    const first = await decode(
      buildDicom(imageModule({ rows: 48, columns: 64, bitsAllocated: 16, bitsStored: 12 }), {
        pixelData: nativePixels(frameSamples[0], 16),
      }),
    );
    expect(Buffer.from(r.pixels8).equals(Buffer.from(first.pixels8))).toBe(true);
    expect(Array.from(storedSamples(r, 12))).toEqual(Array.from(frameSamples[0]));
    expect(parseDicomDataset(r.originalBytes)["00280008"]?.Value).toEqual([1]);
  });
});

describe("decompression bombs stay refused", () => {
  const j2kLossless = encoders.find((e) => e.uid === "1.2.840.10008.1.2.4.90")!;

  it("refuses a compressed file declaring a huge Rows × Columns before decoding anything", async () => {
    // The fragment is not even a codestream: had anything tried to decode it, the error would say so.
    const huge = buildDicom(imageModule({ rows: 65535, columns: 65535, bitsAllocated: 16 }), {
      transferSyntaxUid: j2kLossless.uid,
      pixelData: [Buffer.from("not a codestream")],
    });
    expect(await rejection(decode(huge))).toEqual({
      code: "TOO_LARGE",
      message: "DICOM Rows × Columns declares 65535×65535 = 4294836225 pixels; the limit is 50000000",
    });
  });

  it("refuses a codestream larger than the Rows × Columns the header declares, before decoding it", async () => {
    const encoded = encode(j2kLossless, cxrSource(128, 96, 16, 5).dicom);
    const fragments = scanDicomStructure(encoded).pixelData!;
    if (!fragments.encapsulated) throw new Error("expected encapsulated pixel data");
    const codestream = encoded.subarray(
      fragments.fragments[0].offset,
      fragments.fragments[0].offset + fragments.fragments[0].length,
    );
    const small = buildDicom(imageModule({ rows: 12, columns: 16, bitsAllocated: 16 }), {
      transferSyntaxUid: j2kLossless.uid,
      pixelData: [codestream],
    });
    expect(await rejection(decode(small))).toEqual({
      code: "BAD_REQUEST",
      message:
        "Invalid JPEG 2000 Lossless Only pixel data: the codestream declares 128×96 pixels but Columns×Rows is 16×12",
    });
  });

  it("refuses a frame the codec cannot decode, and decodes the next file", async () => {
    const jpegLs = encoders.find((e) => e.uid === "1.2.840.10008.1.2.4.80")!;
    const source = cxrSource(64, 48, 16, 9);
    const good = encode(jpegLs, source.dicom);
    const px = scanDicomStructure(good).pixelData!;
    if (!px.encapsulated) throw new Error("expected encapsulated pixel data");
    const codestream = good.subarray(px.fragments[0].offset, px.fragments[0].offset + px.fragments[0].length);
    const cut = encapsulatedDicom(source, jpegLs.uid, [codestream.subarray(0, 64)]);
    expect(await rejection(decode(cut))).toEqual({
      code: "BAD_REQUEST",
      message: "Invalid JPEG-LS Lossless pixel data: the codec could not decode the frame",
    });
    expect(maxAbsDiff(storedSamples(await decode(good), 16), source.samples)).toBe(0);
  });

  it("refuses a deflated data set that inflates past the byte limit", async () => {
    const plain = buildDicom(imageModule({ rows: 1024, columns: 1024, bitsAllocated: 8 }), {
      pixelData: Buffer.alloc(1024 * 1024),
    });
    const deflated = encodeWith("dcmconv", ["+td"], plain);
    expect(deflated.length).toBeLessThan(64 * 1024);
    expect(readMeta(deflated).transferSyntaxUid).toBe("1.2.840.10008.1.2.1.99");
    expect((await decode(deflated)).width).toBe(1024);
    expect(await rejection(decode(deflated, { maxBytes: 512 * 1024 }))).toEqual({
      code: "TOO_LARGE",
      message: "The deflated DICOM data set inflates to more than 524288 bytes",
    });
  });

  it("refuses a deflated data set that is not a deflate stream", async () => {
    const plain = buildDicom(imageModule({ rows: 4, columns: 4, bitsAllocated: 8 }), { pixelData: Buffer.alloc(16) });
    const deflated = encodeWith("dcmconv", ["+td"], plain);
    const { datasetStart } = readMeta(deflated);
    const broken = Buffer.concat([
      deflated.subarray(0, datasetStart),
      Buffer.from([0xff, 0xff, 0xff, 0xff]),
      deflateRawSync(Buffer.alloc(8)),
    ]);
    expect(await rejection(decode(broken))).toEqual({
      code: "BAD_REQUEST",
      message: "Malformed DICOM: the deflated data set is not a valid deflate stream",
    });
  });
});
