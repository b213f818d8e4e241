import { createHash } from "node:crypto";
import { deflateSync, inflateSync } from "node:zlib";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeImage } from "@/lib/images/decode-image";
import { encodeThumbnail, THUMBNAIL_LONGEST_SIDE } from "@/lib/images/encode-outputs";
import { buildDicom, imageModule } from "./helpers/dicom-builder";
import { chunk, grayPng, ihdr, PNG_SIGNATURE, textChunk } from "./helpers/png-bytes";
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

  // An 8-bit gray upload is kept as its own working PNG (reusable-png.ts), so equal pixels from
  // two sources no longer give equal working-PNG bytes; what dedupe and the report compare is
  // the pixel hash, and blinding concerns the candidates' masks, which are still re-encoded one way.
  it("gives equal pixels the same pixel hash and perceptual hash whatever the source format", async () => {
    const full = to8(phantom(W, H)).map((v, i) => (i === 0 ? 0 : i === 1 ? 255 : v)); // full range: min–max is identity
    const fromPng = await decode(grayPng(W, H, full));
    const fromDicom = await decode(
      buildDicom(imageModule({ rows: H, columns: W, bitsAllocated: 8 }), { pixelData: Buffer.from(full) }),
    );
    expect(fromDicom.pixelSha256).toBe(fromPng.pixelSha256);
    expect(fromDicom.pixelSha256).toBe(sha(full));
    expect(fromDicom.phash).toBe(fromPng.phash);
    const pixelsOf = async (png: Buffer) => sharp(png).toColourspace("b-w").raw().toBuffer();
    expect((await pixelsOf(fromDicom.workingPng)).equals(await pixelsOf(fromPng.workingPng))).toBe(true);
  });

  it("encodes equal pixels to byte-identical working PNGs whenever it encodes them", async () => {
    const full = to8(phantom(W, H)).map((v, i) => (i === 0 ? 0 : i === 1 ? 255 : v));
    // A gAMA chunk keeps a gray PNG off the reuse path: it is decoded and encoded like a DICOM.
    const gamma = Buffer.alloc(4);
    gamma.writeUInt32BE(45455);
    const fromPng = await decode(grayPng(W, H, full, [chunk("gAMA", gamma)]));
    const fromDicom = await decode(
      buildDicom(imageModule({ rows: H, columns: W, bitsAllocated: 8 }), { pixelData: Buffer.from(full) }),
    );
    expect(fromDicom.workingPng.equals(fromPng.workingPng)).toBe(true);
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

  it("keeps an 8-bit grayscale upload as its working PNG and original: its own chunks, text dropped, nothing encoded", async () => {
    const withText = grayPng(W, H, pixels, [textChunk("Comment", "PHI-png-comment")]);
    const r = await decode(withText);
    expect(r.originalBytes).toBe(r.workingPng);
    expect(r.workingPng.equals(grayPng(W, H, pixels))).toBe(true); // the upload, less its tEXt chunk
    expect(pngChunkTypes(r.originalBytes).filter((t) => t !== "IDAT")).toEqual(["IHDR", "IEND"]);
    expect(containsAscii(r.workingPng, "PHI")).toBe(false);
    // A tRNS chunk gives the gray image an alpha channel: that original is re-encoded on its own, alpha kept.
    const trns = Buffer.alloc(2);
    trns.writeUInt16BE(pixels[0]);
    const transparent = await decode(grayPng(W, H, pixels, [chunk("tRNS", trns)]));
    expect(transparent.originalBytes.equals(transparent.workingPng)).toBe(false);
    expect((await sharp(transparent.originalBytes).metadata()).hasAlpha).toBe(true);
  });

  it("re-encodes an 8-bit grayscale upload whose image data carries more than its pixels", async () => {
    const rows = Buffer.alloc((W + 1) * H);
    for (let y = 0; y < H; y++) rows.set(pixels.subarray(y * W, (y + 1) * W), y * (W + 1) + 1);
    const secret = Buffer.from("PHI-hidden-in-image-data");
    const png = (idat: Buffer[]) =>
      Buffer.concat([PNG_SIGNATURE, ihdr(W, H), ...idat.map((d) => chunk("IDAT", d)), chunk("IEND", Buffer.alloc(0))]);
    const cases = {
      "bytes after the zlib stream": png([Buffer.concat([deflateSync(rows), secret])]),
      "an IDAT after the stream ended": png([deflateSync(rows), secret]),
      "rows beyond the image height": png([deflateSync(Buffer.concat([rows, secret]))]),
    };
    for (const [what, bytes] of Object.entries(cases)) {
      const r = await decode(bytes);
      expect(Buffer.from(r.pixels8).equals(Buffer.from(pixels)), what).toBe(true);
      expect(r.workingPng.includes(secret), what).toBe(false);
      expect(r.workingPng.equals(bytes), what).toBe(false);
      // Re-encoded from the decoded pixels: the hidden bytes are gone, even compressed.
      expect(inflateSync(r.workingPng.subarray(41, r.workingPng.length - 16)).includes(secret), what).toBe(false);
      expect(r.originalBytes.equals(r.workingPng), what).toBe(true);
    }
  });

  it("makes the thumbnail from the working image: the same bytes as downscaling the stored working PNG", async () => {
    const big = to8(phantom(600, 400));
    const r = await decode(grayPng(600, 400, big));
    const fromStored = await encodeThumbnail(
      await sharp(r.workingPng).toColourspace("b-w").raw().toBuffer(),
      r.width,
      r.height,
      30,
    );
    expect(r.thumbnail.equals(fromStored)).toBe(true);
    expect(r.pixelSha256).toBe(sha(await sharp(r.workingPng).toColourspace("b-w").raw().toBuffer()));
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
