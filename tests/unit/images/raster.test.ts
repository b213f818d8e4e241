import { createHash } from "node:crypto";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeImage } from "@/lib/images/decode-image";
import { THUMBNAIL_LONGEST_SIDE } from "@/lib/images/encode-outputs";
import { stripPngAncillaryChunks } from "@/lib/images/canonical-png";
import { buildDicom, imageModule } from "./helpers/dicom-builder";
import { chunk, grayPng, textChunk } from "./helpers/png-bytes";
import { containsAscii, phantom, to8 } from "./helpers/synthetic";

const KEY = "unit-test-pseudonym-key-0123456789";
const W = 96;
const H = 64;
const decode = (bytes: Buffer, fileName?: string) => decodeImage(bytes, { pseudonymKey: KEY, fileName });

function pngChunkTypes(png: Buffer): string[] {
  const types: string[] = [];
  for (let pos = 8; pos + 8 <= png.length; ) {
    const length = png.readUInt32BE(pos);
    types.push(png.toString("latin1", pos + 4, pos + 8));
    pos += 12 + length;
  }
  return types;
}

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("PNG and JPEG ingest", () => {
  const pixels = to8(phantom(W, H));
  let png8: Buffer;

  beforeAll(async () => {
    png8 = grayPng(W, H, pixels);
  });

  it("decodes 8-bit grayscale PNG exactly and records the hashes", async () => {
    const r = await decode(png8, "scan.png");
    expect(r).toMatchObject({
      format: "PNG",
      width: W,
      height: H,
      bitDepth: 8,
      originalExt: "png",
      thumbnailType: "image/jpeg",
    });
    expect(Buffer.from(r.pixels8).equals(Buffer.from(pixels))).toBe(true);
    expect(r.sha256).toBe(sha(png8));
    expect(r.pixelSha256).toBe(sha(pixels));
    expect(r.phash).toMatch(/^[0-9a-f]{16}$/);
    expect(r.flags).toEqual([]);
    expect(r.dicom).toBeUndefined();
  });

  it("hashes a DICOM upload as received (its hash runs while it is de-identified) and its working pixels", async () => {
    const full = to8(phantom(W, H));
    const upload = buildDicom(imageModule({ rows: H, columns: W, bitsAllocated: 8 }), { pixelData: Buffer.from(full) });
    const received = Buffer.from(upload);
    const r = await decode(upload);
    expect(r.sha256).toBe(sha(received));
    expect(r.pixelSha256).toBe(sha(r.pixels8));
    expect(r.originalBytes.equals(received)).toBe(false); // de-identified: the hash is the upload's, not the stored copy's
  });

  it("writes a canonical working PNG: 8-bit gray, IHDR/IDAT/IEND only, same pixels", async () => {
    const r = await decode(png8);
    expect(pngChunkTypes(r.workingPng).filter((t) => t !== "IDAT")).toEqual(["IHDR", "IEND"]);
    expect(r.workingPng[24]).toBe(8); // bit depth
    expect(r.workingPng[25]).toBe(0); // colour type: grayscale
    const { data, info } = await sharp(r.workingPng).toColourspace("b-w").raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(1);
    expect(data.equals(Buffer.from(pixels))).toBe(true);
  });

  it("encodes equal pixels to byte-identical working PNGs whatever the source format", async () => {
    const full = to8(phantom(W, H)).map((v, i) => (i === 0 ? 0 : i === 1 ? 255 : v)); // full range: min–max is identity
    const fromPng = await decode(grayPng(W, H, full));
    const fromDicom = await decode(
      buildDicom(imageModule({ rows: H, columns: W, bitsAllocated: 8 }), { pixelData: Buffer.from(full) }),
    );
    expect(fromDicom.pixelSha256).toBe(fromPng.pixelSha256);
    expect(fromDicom.workingPng.equals(fromPng.workingPng)).toBe(true);
    expect(fromDicom.phash).toBe(fromPng.phash);
  });

  it("makes a JPEG thumbnail whose longest side is 256 and never enlarges", async () => {
    const big = await decode(grayPng(600, 400, new Uint8Array(600 * 400).fill(120)));
    const meta = await sharp(big.thumbnail).metadata();
    expect(meta.format).toBe("jpeg");
    expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBe(THUMBNAIL_LONGEST_SIDE);
    expect(meta.height).toBe(171);
    expect(meta.exif).toBeUndefined();
    const small = await sharp((await decode(png8)).thumbnail).metadata();
    expect([small.width, small.height]).toEqual([W, H]);
  });

  it("keeps 16-bit PNG depth in the original and stretches it for the working image", async () => {
    const samples = Uint16Array.from({ length: W * H }, (_, i) => Math.round((pixels[i] / 255) * 4095));
    const png16 = await sharp(samples, { raw: { width: W, height: H, channels: 1 } })
      .toColourspace("grey16")
      .png()
      .toBuffer();
    const r = await decode(png16);
    expect(r.bitDepth).toBe(16);
    expect(Math.min(...r.pixels8)).toBe(0);
    expect(Math.max(...r.pixels8)).toBe(255);
    expect(r.originalBytes[24]).toBe(16);
    expect(r.originalBytes[25]).toBe(0);
  });

  it("converts RGB to grayscale and keeps the colour original", async () => {
    const rgb = await sharp({ create: { width: 20, height: 10, channels: 3, background: { r: 200, g: 30, b: 30 } } })
      .png()
      .toBuffer();
    const r = await decode(rgb);
    expect(r.pixels8.length).toBe(200);
    expect(new Set(r.pixels8).size).toBe(1);
    expect(r.originalBytes[25]).toBe(2);
  });

  it("decodes an 8-bit grayscale PNG once: its original is the working PNG, the bytes a separate re-encoding gives", async () => {
    const withText = grayPng(W, H, pixels, [textChunk("Comment", "PHI-png-comment")]);
    const r = await decode(withText);
    expect(r.originalBytes.equals(r.workingPng)).toBe(true);
    // What re-encoding the upload on its own (the path every other format takes) writes.
    const separate = await sharp(withText)
      .toColourspace("b-w")
      .png({ compressionLevel: 6, adaptiveFiltering: false, palette: false })
      .toBuffer();
    expect(stripPngAncillaryChunks(separate).equals(r.originalBytes)).toBe(true);
    expect(pngChunkTypes(r.originalBytes).filter((t) => t !== "IDAT")).toEqual(["IHDR", "IEND"]);
    // A tRNS chunk gives the gray image an alpha channel: that original is re-encoded on its own, alpha kept.
    const trns = Buffer.alloc(2);
    trns.writeUInt16BE(pixels[0]);
    const transparent = await decode(grayPng(W, H, pixels, [chunk("tRNS", trns)]));
    expect(transparent.originalBytes.equals(transparent.workingPng)).toBe(false);
    expect((await sharp(transparent.originalBytes).metadata()).hasAlpha).toBe(true);
  });

  it("drops PNG text chunks and bytes after IEND", async () => {
    const withText = Buffer.concat([
      grayPng(W, H, pixels, [textChunk("Author", "PHI-png-text-Jane-Doe"), textChunk("Comment", "PHI-png-comment")]),
      Buffer.from("PHI-after-IEND <script>alert(1)</script>"),
    ]);
    const r = await decode(withText);
    for (const out of [r.originalBytes, r.workingPng, r.thumbnail]) {
      expect(containsAscii(out, "PHI")).toBe(false);
      expect(containsAscii(out, "<script")).toBe(false);
    }
    expect(pngChunkTypes(r.originalBytes).filter((t) => t !== "IDAT")).toEqual(["IHDR", "IEND"]);
  });

  it("re-encodes JPEG without EXIF and applies the EXIF orientation", async () => {
    const jpeg = await sharp(Buffer.from(to8(phantom(40, 20))), { raw: { width: 40, height: 20, channels: 1 } })
      .jpeg({ quality: 90 })
      .withExif({ IFD0: { Artist: "PHI-exif-artist", ImageDescription: "PHI-exif-description" } })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect(containsAscii(jpeg, "PHI-exif-artist")).toBe(true);
    const r = await decode(jpeg, "photo.jpg");
    expect(r).toMatchObject({ format: "JPEG", originalExt: "jpg", bitDepth: 8, width: 20, height: 40 });
    for (const out of [r.originalBytes, r.workingPng, r.thumbnail]) expect(containsAscii(out, "PHI")).toBe(false);
    expect((await sharp(r.originalBytes).metadata()).exif).toBeUndefined();
  });

  it("never trusts the file name, but flags a misleading extension", async () => {
    const jpeg = await sharp(Buffer.from(pixels), { raw: { width: W, height: H, channels: 1 } })
      .jpeg()
      .toBuffer();
    const r = await decode(jpeg, "scan.png");
    expect(r.format).toBe("JPEG");
    expect(r.flags).toContain("extension-mismatch");
    expect((await decode(jpeg, "scan.jpeg")).flags).not.toContain("extension-mismatch");
    expect((await decode(jpeg, "no-extension")).flags).not.toContain("extension-mismatch");
  });
});
