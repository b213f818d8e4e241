import { describe, expect, it } from "vitest";
import sharp from "sharp";
import { DicomMessage } from "@/lib/images/dicom/dcmjs";
import { maskDicomOriginal, maskRasterOriginal, maskWorkingImage } from "@/lib/review/mask-region";
import { buildDicom, encodeRleFrame, imageModule, nativePixels, RLE } from "../images/helpers/dicom-builder";

// Masking paints exactly the rectangle, in every stored encoding the review may meet, with the
// value that displays darkest, and leaves every other sample as it was.

const ROWS = 12;
const COLUMNS = 16;
const R = { x: 3, y: 2, width: 5, height: 4 };
const inside = (i: number, per = 1) => {
  const p = Math.floor(i / per);
  const x = p % COLUMNS;
  const y = Math.floor(p / COLUMNS);
  return x >= R.x && x < R.x + R.width && y >= R.y && y < R.y + R.height;
};

type Ds = Record<string, { Value?: unknown[] }>;
const read = (b: Buffer) => {
  const m = DicomMessage.readFile(new Uint8Array(b).buffer);
  return { meta: m.meta as Ds, ds: m.dict as Ds };
};

describe("maskDicomOriginal", () => {
  it("paints an RLE MONOCHROME1 original with its brightest value (darkest on screen) and writes it uncompressed", () => {
    const samples = Array.from({ length: ROWS * COLUMNS }, (_, i) => 10 + (i % 200));
    const native = nativePixels(samples, 8);
    const bytes = buildDicom(
      {
        ...imageModule({ rows: ROWS, columns: COLUMNS, bitsAllocated: 8, photometric: "MONOCHROME1" }),
        "0020000D": { vr: "UI", Value: ["1.2.3"] },
      },
      { transferSyntaxUid: RLE, pixelData: [encodeRleFrame(native, 1, 8)] },
    );
    const out = read(maskDicomOriginal(bytes, R));
    expect(out.meta["00020010"].Value).toEqual(["1.2.840.10008.1.2.1"]);
    const px = new Uint8Array(out.ds["7FE00010"].Value![0] as ArrayBuffer);
    for (let i = 0; i < ROWS * COLUMNS; i++) expect(px[i], `sample ${i}`).toBe(inside(i) ? 255 : samples[i]);
    expect(out.ds["00280301"].Value).toEqual(["NO"]);
    expect(String(out.ds["00082111"].Value![0])).toMatch(/masked/);
  });

  it("paints every sample of an RGB pixel and the most negative value of a signed one", () => {
    const rgb = Array.from({ length: ROWS * COLUMNS * 3 }, (_, i) => 1 + (i % 250));
    const rgbOut = read(
      maskDicomOriginal(
        buildDicom(imageModule({ rows: ROWS, columns: COLUMNS, bitsAllocated: 8, photometric: "RGB" }), {
          pixelData: nativePixels(rgb, 8),
        }),
        R,
      ),
    );
    const rgbPx = new Uint8Array(rgbOut.ds["7FE00010"].Value![0] as ArrayBuffer);
    for (let i = 0; i < rgb.length; i++) expect(rgbPx[i]).toBe(inside(i, 3) ? 0 : rgb[i]);

    const signed = Array.from({ length: ROWS * COLUMNS }, (_, i) => (i * 7) % 1000);
    const sOut = read(
      maskDicomOriginal(
        buildDicom(imageModule({ rows: ROWS, columns: COLUMNS, bitsAllocated: 16, bitsStored: 12, signed: true }), {
          pixelData: nativePixels(signed, 16),
        }),
        R,
      ),
    );
    const sPx = new Int16Array(sOut.ds["7FE00010"].Value![0] as ArrayBuffer);
    for (let i = 0; i < signed.length; i++) expect(sPx[i]).toBe(inside(i) ? -2048 : signed[i]);
  });

  it("refuses a rectangle outside the image, naming both sizes", () => {
    const bytes = buildDicom(imageModule({ rows: ROWS, columns: COLUMNS, bitsAllocated: 8 }), {
      pixelData: nativePixels(new Array(ROWS * COLUMNS).fill(9), 8),
    });
    expect(() => maskDicomOriginal(bytes, { x: 10, y: 0, width: 7, height: 1 })).toThrow(
      /x=10 y=0 7×1 is not inside the 16×12 image/,
    );
  });
});

describe("raster copies", () => {
  it("paints the working PNG and an RGB PNG original, and remakes the thumbnail", async () => {
    const gray = Buffer.from(Array.from({ length: ROWS * COLUMNS }, (_, i) => 50 + (i % 100)));
    const png = await sharp(gray, { raw: { width: COLUMNS, height: ROWS, channels: 1 } })
      .png()
      .toBuffer();
    const w = await maskWorkingImage(png, R);
    const back = await sharp(w.workingPng).extractChannel(0).raw().toBuffer();
    for (let i = 0; i < gray.length; i++) expect(back[i]).toBe(inside(i) ? 0 : gray[i]);
    expect((await sharp(w.thumbnail).metadata()).format).toBe("jpeg");

    const rgb = Buffer.from(Array.from({ length: ROWS * COLUMNS * 3 }, (_, i) => 20 + (i % 200)));
    const original = await sharp(rgb, { raw: { width: COLUMNS, height: ROWS, channels: 3 } })
      .png()
      .toBuffer();
    const masked = await sharp(await maskRasterOriginal(original, "PNG", R))
      .raw()
      .toBuffer();
    for (let i = 0; i < rgb.length; i++) expect(masked[i]).toBe(inside(i, 3) ? 0 : rgb[i]);
  });
});
