import { describe, expect, it } from "vitest";
import { isAppError } from "@/lib/errors/app-error";
import { decodeImage } from "@/lib/images/decode-image";
import type { DicomDataset } from "@/lib/images/dicom/dcmjs";
import { parseDicomDataset } from "@/lib/images/dicom/parse-dicom";
import { decodeRleFrame } from "@/lib/images/dicom/rle-lossless";
import { scanDicomStructure } from "@/lib/images/dicom/scan-structure";
import {
  buildDicom,
  encodeRleFrame,
  EXPLICIT,
  IMPLICIT,
  imageModule,
  nativePixels,
  RLE,
  SC_CLASS,
  type ImageSpec,
} from "./helpers/dicom-builder";

const KEY = "unit-test-pseudonym-key-0123456789";
const decode = (bytes: Buffer) => decodeImage(bytes, { pseudonymKey: KEY });

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (e) {
    if (isAppError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error("expected a rejection");
}

function file(spec: ImageSpec, samples: number[], extra: DicomDataset = {}, ts = EXPLICIT): Buffer {
  const bits = spec.bitsAllocated ?? 16;
  return buildDicom(
    { ...imageModule(spec), ...extra },
    { transferSyntaxUid: ts, pixelData: nativePixels(samples, bits) },
  );
}

const ramp = (n: number, max: number) => Array.from({ length: n }, (_, i) => Math.round((i * max) / (n - 1)));

describe("DICOM pixel rendering", () => {
  it("stretches min–max when there is no VOI window", async () => {
    const r = await decode(file({ rows: 4, columns: 4, bitsAllocated: 16, bitsStored: 12 }, ramp(16, 4095)));
    expect(r.pixels8[0]).toBe(0);
    expect(r.pixels8[15]).toBe(255);
    expect(r.bitDepth).toBe(12);
    expect(r.dicom?.windowing).toBe("min-max");
  });

  it("inverts MONOCHROME1 so that low stored values are white", async () => {
    const samples = ramp(16, 4095);
    const mono2 = await decode(file({ rows: 4, columns: 4, bitsStored: 12 }, samples));
    const mono1 = await decode(file({ rows: 4, columns: 4, bitsStored: 12, photometric: "MONOCHROME1" }, samples));
    expect(mono1.pixels8[0]).toBe(255);
    expect(Array.from(mono1.pixels8)).toEqual(Array.from(mono2.pixels8, (v) => 255 - v));
    expect(mono1.dicom?.photometricInterpretation).toBe("MONOCHROME1");
  });

  it("applies signed values and rescale slope/intercept before the VOI window", async () => {
    // Stored −1000…+1000, slope 2, intercept −24 → modality −2024…1976 HU; window 0 ± 500.
    const stored = [-1000, -250, -13, -12, 0, 12, 250, 1000];
    const r = await decode(
      file({ rows: 1, columns: 8, bitsStored: 16, signed: true }, stored, {
        "00281052": { vr: "DS", Value: ["-24"] },
        "00281053": { vr: "DS", Value: ["2"] },
        "00281050": { vr: "DS", Value: ["0", "40"] },
        "00281051": { vr: "DS", Value: ["1000", "400"] },
      }),
    );
    expect(r.dicom?.signed).toBe(true);
    expect(r.dicom?.windowing).toBe("voi-window");
    expect(r.pixels8[0]).toBe(0); // −2024 HU, below the window
    expect(r.pixels8[7]).toBe(255); // 1976 HU, above it
    expect(r.pixels8[1]).toBe(0); // −524 HU, just below −500
    expect(Math.abs(r.pixels8[5] - 128)).toBeLessThanOrEqual(1); // 2×12−24 = 0 HU: the window centre
    expect(r.pixels8[6]).toBeGreaterThan(240); // 476 HU: inside, near the top
    expect(r.pixels8[6]).toBeLessThan(255);
    expect(r.pixels8[3]).toBeLessThan(r.pixels8[4]); // −48 < −24 < 0 HU
    expect(r.pixels8[4]).toBeLessThan(r.pixels8[5]);
  });

  it("ignores bits above High Bit (e.g. overlay bits in the pixel word)", async () => {
    const clean = ramp(16, 4095);
    const dirty = clean.map((v) => v | 0xf000);
    const a = await decode(file({ rows: 4, columns: 4, bitsStored: 12 }, clean));
    const b = await decode(file({ rows: 4, columns: 4, bitsStored: 12 }, dirty));
    expect(Array.from(b.pixels8)).toEqual(Array.from(a.pixels8));
  });

  it("converts RGB to grayscale", async () => {
    const rgb = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255];
    const r = await decode(file({ rows: 2, columns: 2, bitsAllocated: 8, photometric: "RGB" }, rgb));
    expect(Array.from(r.pixels8)).toEqual([76, 150, 29, 255]);
  });

  it("reads Implicit VR Little Endian and stores Explicit VR Little Endian", async () => {
    const bytes = file(
      { rows: 4, columns: 4, bitsStored: 12 },
      ramp(16, 4095),
      { "00100010": { vr: "PN", Value: [{ Alphabetic: "PHI^Implicit" }] } },
      IMPLICIT,
    );
    const r = await decode(bytes);
    expect(r.dicom?.transferSyntaxUid).toBe(IMPLICIT);
    expect(scanDicomStructure(r.originalBytes).syntax.uid).toBe(EXPLICIT);
    expect(r.originalBytes.includes("PHI^Implicit")).toBe(false);
    expect(r.pixels8[15]).toBe(255);
  });

  it("renders the first frame of a multi-frame image and flags it", async () => {
    const frame1 = ramp(16, 255);
    const frame2 = frame1.map((v) => 255 - v);
    const r = await decode(file({ rows: 4, columns: 4, bitsAllocated: 8, frames: 2 }, [...frame1, ...frame2]));
    expect(r.flags).toContain("multi-frame");
    expect(r.dicom?.numberOfFrames).toBe(2);
    expect(r.warnings).toEqual([
      "Multi-frame DICOM: only the first of 2 frames was imported as the image (the stored original keeps every frame)",
    ]);
    expect(r.pixels8[0]).toBe(0);
  });
});

describe("RLE Lossless", () => {
  const g16 = { rows: 16, columns: 16, bitsAllocated: 16 as const, bitsStored: 16, signed: false };
  const samples16 = Array.from({ length: 256 }, (_, i) => (i < 100 ? 1000 : (i * 2654435761) % 65536));

  it("decodes 16-bit grayscale to the same pixels as the native encoding", async () => {
    const native = nativePixels(samples16, 16);
    const rle = buildDicom(imageModule(g16), { transferSyntaxUid: RLE, pixelData: [encodeRleFrame(native, 1, 16)] });
    const [fromRle, fromNative] = await Promise.all([decode(rle), decode(file(g16, samples16))]);
    expect(fromRle.dicom?.transferSyntaxUid).toBe(RLE);
    expect(Buffer.from(fromRle.pixels8).equals(Buffer.from(fromNative.pixels8))).toBe(true);
  });

  it("decodes 8-bit RGB (three segments)", () => {
    const rgb = Buffer.from(Array.from({ length: 8 * 8 * 3 }, (_, i) => (i % 3 === 0 ? 200 : i % 7)));
    const decoded = decodeRleFrame(encodeRleFrame(rgb, 3, 8), {
      rows: 8,
      columns: 8,
      samplesPerPixel: 3,
      bitsAllocated: 8,
    });
    expect(decoded.equals(rgb)).toBe(true);
  });

  it("stores RLE as RLE, one fragment per frame, and the stored file decodes again", async () => {
    const native = nativePixels(samples16, 16);
    const r = await decode(
      buildDicom(imageModule(g16), { transferSyntaxUid: RLE, pixelData: [encodeRleFrame(native, 1, 16)] }),
    );
    const scan = scanDicomStructure(r.originalBytes);
    expect(scan.syntax.uid).toBe(RLE);
    expect(scan.pixelData?.encapsulated && scan.pixelData.fragments.length).toBe(1);
    const again = await decode(r.originalBytes);
    expect(Buffer.from(again.pixels8).equals(Buffer.from(r.pixels8))).toBe(true);
  });

  it("rejects a frame whose segments decode short, or whose header lies", () => {
    const g = { rows: 4, columns: 4, samplesPerPixel: 1, bitsAllocated: 8 };
    const good = encodeRleFrame(Buffer.alloc(16, 7), 1, 8);
    const wrongCount = Buffer.from(good);
    wrongCount.writeUInt32LE(3, 0);
    expect(() => decodeRleFrame(wrongCount, g)).toThrow(/segments/);
    expect(() => decodeRleFrame(good, { ...g, rows: 8 })).toThrow(/ends after/);
    expect(() => decodeRleFrame(good.subarray(0, 20), g)).toThrow(/header/);
  });
});

describe("DICOM validation", () => {
  it("rejects pixel data whose length does not match the image attributes", async () => {
    const bytes = buildDicom(imageModule({ rows: 4, columns: 4, bitsAllocated: 16 }), { pixelData: Buffer.alloc(12) });
    const e = await rejection(decode(bytes));
    expect(e.code).toBe("BAD_REQUEST");
    expect(e.message).toMatch(/length 12 bytes does not match .*= 32 bytes/);
  });

  it("refuses transfer syntaxes it cannot decode, naming them", async () => {
    for (const [uid, name] of [
      ["1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2 Multi-component"],
      ["1.2.840.10008.1.2.4.110", "JPEG XL Lossless"],
      ["1.2.840.10008.1.2.4.100", "MPEG2 Main Profile / Main Level"],
    ]) {
      const bytes = buildDicom(imageModule({ rows: 4, columns: 4, bitsAllocated: 8 }), {
        transferSyntaxUid: uid,
        pixelData: [Buffer.alloc(16)],
      });
      const err = await rejection(decode(bytes));
      expect(err.code).toBe("UNSUPPORTED");
      expect(err.message).toContain(`${name} (${uid})`);
      expect(err.message).toContain("JPEG 2000 Lossless Only"); // listed among the supported ones
    }
  });

  it("refuses photometric interpretations and bit depths it cannot render", async () => {
    const palette = buildDicom(
      { ...imageModule({ rows: 2, columns: 2, bitsAllocated: 8 }), "00280004": { vr: "CS", Value: ["PALETTE COLOR"] } },
      { pixelData: Buffer.alloc(4) },
    );
    expect(await rejection(decode(palette))).toMatchObject({
      code: "UNSUPPORTED",
      message: expect.stringContaining("PALETTE COLOR"),
    });
    const deep = buildDicom(
      { ...imageModule({ rows: 2, columns: 2 }), "00280100": { vr: "US", Value: [32] } },
      { pixelData: Buffer.alloc(16) },
    );
    expect(await rejection(decode(deep))).toMatchObject({
      code: "UNSUPPORTED",
      message: expect.stringContaining("BitsAllocated 32"),
    });
  });

  it("flags burned-in annotation and secondary captures", async () => {
    const pixels = nativePixels(ramp(16, 255), 8);
    const burned = buildDicom(
      { ...imageModule({ rows: 4, columns: 4, bitsAllocated: 8 }), "00280301": { vr: "CS", Value: ["YES"] } },
      { pixelData: pixels },
    );
    const sc = buildDicom(imageModule({ rows: 4, columns: 4, bitsAllocated: 8 }), {
      pixelData: pixels,
      sopClassUid: SC_CLASS,
    });
    const plain = buildDicom(imageModule({ rows: 4, columns: 4, bitsAllocated: 8 }), { pixelData: pixels });
    expect((await decode(burned)).flags).toContain("burned-in-annotation");
    expect((await decode(sc)).flags).toContain("burned-in-annotation");
    expect((await decode(plain)).flags).not.toContain("burned-in-annotation");
    // The flag is a hint for the lead; the attribute itself is kept in the stored file.
    expect(parseDicomDataset((await decode(burned)).originalBytes)["00280301"].Value).toEqual(["YES"]);
  });
});
