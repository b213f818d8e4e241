import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import sharp from "sharp";
import { unzlibSync, zlibSync } from "fflate";
import { canonicalizeMaskPng, decodeMaskPng, encodeMaskPng } from "../../../lib/masks/png-codec";
import { readPngChunks, readPngHeader } from "../../../lib/masks/png-chunks";
import { crc32 } from "../../../lib/masks/crc32";
import { AppError } from "../../../lib/errors/app-error";

function chunkTypes(png: Uint8Array): string[] {
  // Independent of readPngChunks: walk length/type pairs directly.
  const types: string[] = [];
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  for (let pos = 8; pos < png.length; ) {
    const len = view.getUint32(pos);
    types.push(Buffer.from(png.subarray(pos + 4, pos + 8)).toString("latin1"));
    pos += 12 + len;
  }
  return types;
}

/** A PNG assembled from arbitrary chunks (with correct CRCs). */
function pngFrom(chunks: [string, Uint8Array][]): Buffer {
  const parts: Buffer[] = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])];
  for (const [type, data] of chunks) {
    const c = Buffer.alloc(12 + data.length);
    c.writeUInt32BE(data.length, 0);
    c.write(type, 4, "latin1");
    Buffer.from(data).copy(c, 8);
    c.writeUInt32BE(crc32(c, 4, 8 + data.length), 8 + data.length);
    parts.push(c);
  }
  return Buffer.concat(parts);
}

function ihdr(width: number, height: number, bitDepth = 8, colorType = 0): Uint8Array {
  const b = Buffer.alloc(13);
  b.writeUInt32BE(width, 0);
  b.writeUInt32BE(height, 4);
  b[8] = bitDepth;
  b[9] = colorType;
  return b;
}

async function rejects(p: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  expect((err as AppError).message).toMatch(pattern);
}

const REFERENCE_SHA256 = "e433401ab8bd288326c7cd4d7d79ef41f13e4a1c95505197f6018453d690d6ed";

function randomMask(w: number, h: number, seed: number): Uint8Array {
  let s = seed;
  const m = new Uint8Array(w * h);
  for (let i = 0; i < m.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    m[i] = s >>> 31;
  }
  return m;
}

describe("encodeMaskPng", () => {
  it("writes 8-bit grayscale with only IHDR, IDAT, IEND", () => {
    const png = encodeMaskPng(Uint8Array.of(1, 0, 1, 1), 2, 2);
    expect(chunkTypes(png)).toEqual(["IHDR", "IDAT", "IEND"]);
    for (const t of ["tEXt", "zTXt", "iTXt", "eXIf", "tIME", "pHYs", "iCCP", "gAMA", "sRGB"])
      expect(chunkTypes(png)).not.toContain(t);
    const header = readPngHeader(png, readPngChunks(png));
    expect(header).toEqual({ width: 2, height: 2, bitDepth: 8, colorType: 0, interlace: 0 });
  });

  it("stores the rows with filter Up, 0/255 samples", () => {
    // mask rows [1,0] and [1,1]; Up filter: row0 = [255,0] − 0, row1 = [255,255] − [255,0] = [0,255]
    const png = encodeMaskPng(Uint8Array.of(1, 0, 1, 1), 2, 2);
    const idat = readPngChunks(png).find((c) => c.type === "IDAT")!;
    const raw = unzlibSync(png.subarray(idat.offset, idat.offset + idat.length));
    expect(Array.from(raw)).toEqual([2, 255, 0, 2, 0, 255]);
  });

  it("is deterministic: identical pixels give identical bytes whatever the input form", () => {
    const m01 = randomMask(37, 23, 7);
    const m255 = m01.map((v) => v * 255);
    const mOther = Array.from(m01, (v) => v * 3); // any non-zero is foreground
    const a = encodeMaskPng(m01, 37, 23);
    expect(encodeMaskPng(m01, 37, 23).equals(a)).toBe(true);
    expect(encodeMaskPng(m255, 37, 23).equals(a)).toBe(true);
    expect(encodeMaskPng(Buffer.from(m255), 37, 23).equals(a)).toBe(true);
    expect(encodeMaskPng(mOther, 37, 23).equals(a)).toBe(true);
    expect(encodeMaskPng(randomMask(37, 23, 8), 37, 23).equals(a)).toBe(false);
  });

  it("pins the canonical bytes of a reference mask (a zlib that deflates differently fails here)", () => {
    // Two overlapping ellipses on 300×200: lung-like regions with ragged-free edges.
    const w = 300,
      h = 200;
    const m = new Uint8Array(w * h);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        if (
          (x - 90) ** 2 / 50 ** 2 + (y - 100) ** 2 / 70 ** 2 < 1 ||
          (x - 200) ** 2 / 40 ** 2 + (y - 90) ** 2 / 60 ** 2 < 1
        )
          m[y * w + x] = 1;
    const png = encodeMaskPng(m, w, h);
    expect(createHash("sha256").update(png).digest("hex")).toBe(REFERENCE_SHA256);
  });

  it("gives the same bytes for a mask that arrived through another encoder", async () => {
    const w = 40,
      h = 30;
    const m = randomMask(w, h, 3);
    const canonical = encodeMaskPng(m, w, h);
    const gray = Buffer.from(m.map((v) => v * 255));
    const foreign = [
      await sharp(gray, { raw: { width: w, height: h, channels: 1 } })
        .png({ compressionLevel: 9 })
        .withMetadata({ exif: { IFD0: { Copyright: "site A" } } })
        .toBuffer(),
      await sharp(gray, { raw: { width: w, height: h, channels: 1 } })
        .png({ palette: true })
        .toBuffer(),
      await sharp(gray, { raw: { width: w, height: h, channels: 1 } })
        .toColourspace("srgb")
        .ensureAlpha()
        .png()
        .toBuffer(),
      await sharp(gray, { raw: { width: w, height: h, channels: 1 } })
        .toColourspace("grey16")
        .png()
        .toBuffer(),
    ];
    expect(chunkTypes(foreign[0])).toContain("eXIf");
    for (const png of foreign) {
      expect(png.equals(canonical)).toBe(false);
      expect((await canonicalizeMaskPng(png)).equals(canonical)).toBe(true);
    }
  });

  it("rejects a pixel count that does not match the size", () => {
    expect(() => encodeMaskPng(new Uint8Array(5), 2, 2)).toThrow(/expected 2×2/);
    expect(() => encodeMaskPng(new Uint8Array(0), 0, 0)).toThrow(AppError);
  });
});

describe("decodeMaskPng", () => {
  it("round-trips to a 0/1 mask", async () => {
    const m = randomMask(17, 9, 11);
    const out = await decodeMaskPng(encodeMaskPng(m, 17, 9));
    expect(out.width).toBe(17);
    expect(out.height).toBe(9);
    expect(Array.from(out.mask)).toEqual(Array.from(m));
  });

  it("thresholds at 128 and tolerates a few anti-aliased pixels", async () => {
    const px = new Uint8Array(100).fill(0);
    px.fill(255, 50);
    px[10] = 127; // below the threshold → 0
    px[60] = 128; // at the threshold → 1 (and only 2% ambiguous)
    px[61] = 3;
    const png = await sharp(Buffer.from(px), { raw: { width: 10, height: 10, channels: 1 } })
      .png()
      .toBuffer();
    const { mask } = await decodeMaskPng(png);
    expect(mask[10]).toBe(0);
    expect(mask[60]).toBe(1);
    expect(mask[61]).toBe(0);
    expect(mask.reduce((a, b) => a + b, 0)).toBe(49);
  });

  it("reads 0/1-valued PNGs, colour masks and transparent backgrounds", async () => {
    const zeroOne = await sharp(Buffer.from([0, 1, 1, 0]), { raw: { width: 2, height: 2, channels: 1 } })
      .png()
      .toBuffer();
    expect(Array.from((await decodeMaskPng(zeroOne)).mask)).toEqual([0, 1, 1, 0]);
    // red ink on black; white ink made transparent
    const rgba = Buffer.from([255, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0, 0]);
    const png = await sharp(rgba, { raw: { width: 2, height: 2, channels: 4 } })
      .png()
      .toBuffer();
    expect(Array.from((await decodeMaskPng(png)).mask)).toEqual([1, 0, 0, 0]);
  });

  it("rejects images that are not binary", async () => {
    const gradient = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const png = await sharp(gradient, { raw: { width: 16, height: 16, channels: 1 } })
      .png()
      .toBuffer();
    await rejects(
      decodeMaskPng(png),
      "BAD_REQUEST",
      /mask is not binary: 87\.5% of pixels have values between 16 and 239/,
    );
  });

  it("rejects data that is not a PNG", async () => {
    const jpeg = await sharp({ create: { width: 4, height: 4, channels: 3, background: "#fff" } })
      .jpeg()
      .toBuffer();
    await rejects(decodeMaskPng(jpeg), "BAD_REQUEST", /missing PNG signature/);
    await rejects(decodeMaskPng(Buffer.alloc(0)), "BAD_REQUEST", /missing PNG signature/);
  });

  it("rejects corrupt PNGs", async () => {
    const png = encodeMaskPng(randomMask(20, 20, 5), 20, 20);
    await rejects(decodeMaskPng(png.subarray(0, png.length - 20)), "BAD_REQUEST", /truncated/);
    const flipped = Buffer.from(png);
    flipped[50] ^= 0xff;
    await rejects(decodeMaskPng(flipped), "BAD_REQUEST", /CRC mismatch in IDAT/);
    await rejects(decodeMaskPng(Buffer.concat([png, Buffer.from([0])])), "BAD_REQUEST", /trailing bytes/);
    // well-formed chunks whose image data is not a valid zlib stream
    const garbage = pngFrom([
      ["IHDR", ihdr(4, 4)],
      ["IDAT", Uint8Array.of(1, 2, 3, 4, 5, 6)],
      ["IEND", new Uint8Array(0)],
    ]);
    await rejects(decodeMaskPng(garbage), "BAD_REQUEST", /could not be decoded/);
    // too little image data for the declared size
    const short = pngFrom([
      ["IHDR", ihdr(4, 4)],
      ["IDAT", zlibSync(Uint8Array.of(0, 0, 0, 0, 0))],
      ["IEND", new Uint8Array(0)],
    ]);
    await rejects(decodeMaskPng(short), "BAD_REQUEST", /could not be decoded/);
    const noIhdr = pngFrom([
      ["IDAT", zlibSync(new Uint8Array(20))],
      ["IEND", new Uint8Array(0)],
    ]);
    await rejects(decodeMaskPng(noIhdr), "BAD_REQUEST", /first chunk is not IHDR/);
  });

  it("caps decoded pixels with TOO_LARGE before inflating", async () => {
    const png = encodeMaskPng(new Uint8Array(11 * 10), 11, 10);
    await rejects(decodeMaskPng(png, { maxPixels: 100 }), "TOO_LARGE", /11×10 = 110 pixels, above the limit of 100/);
    await expect(decodeMaskPng(png, { maxPixels: 110 })).resolves.toMatchObject({ width: 11, height: 10 });
    // a header claiming 100000×100000 over a few bytes of data (decompression bomb shape)
    const bomb = pngFrom([
      ["IHDR", ihdr(100_000, 100_000)],
      ["IDAT", zlibSync(new Uint8Array(10))],
      ["IEND", new Uint8Array(0)],
    ]);
    await rejects(decodeMaskPng(bomb), "TOO_LARGE", /above the limit of 40000000/);
  });
});
