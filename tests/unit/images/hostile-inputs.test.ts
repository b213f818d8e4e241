import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { isAppError, type ErrorCode } from "@/lib/errors/app-error";
import { decodeImage } from "@/lib/images/decode-image";
import type { DicomDataset } from "@/lib/images/dicom/dcmjs";
import { buildDicom, imageModule } from "./helpers/dicom-builder";
import { compressibleHugePng, forgedHeaderPng, grayPng, PNG_SIGNATURE } from "./helpers/png-bytes";
import { phantom, rng, to8 } from "./helpers/synthetic";

const KEY = "unit-test-pseudonym-key-0123456789";

interface Outcome {
  code: ErrorCode;
  message: string;
  ms: number;
}

async function reject(
  bytes: Buffer,
  opts: { maxPixels?: number; maxBytes?: number; fileName?: string } = {},
): Promise<Outcome> {
  const started = performance.now();
  try {
    await decodeImage(bytes, { pseudonymKey: KEY, ...opts });
  } catch (e) {
    if (!isAppError(e)) throw e;
    return { code: e.code, message: e.message, ms: performance.now() - started };
  }
  throw new Error("expected the file to be rejected");
}

const smallPng = grayPng(64, 48, to8(phantom(64, 48)));
const validDicom = buildDicom(imageModule({ rows: 16, columns: 16, bitsAllocated: 8 }), {
  pixelData: Buffer.alloc(256, 100),
});

function nestedSequences(depth: number): DicomDataset {
  let ds: DicomDataset = { "00100010": { vr: "PN", Value: [{ Alphabetic: "Deep" }] } };
  for (let i = 0; i < depth; i++) ds = { "00081140": { vr: "SQ", Value: [ds] } };
  return ds;
}

function withoutTag(ds: DicomDataset, tag: string): DicomDataset {
  const { [tag]: _removed, ...rest } = ds;
  return rest;
}

/** Rewrites the SOF segment found by walking the markers (never by searching for byte patterns). */
function patchFrameHeader(jpeg: Buffer, patch: (out: Buffer, sofPos: number) => void): Buffer {
  const out = Buffer.from(jpeg);
  for (let pos = 2; pos < out.length; ) {
    const marker = out[pos + 1];
    if (marker === 0xc0 || marker === 0xc2) {
      patch(out, pos);
      return out;
    }
    pos += 2 + out.readUInt16BE(pos + 2);
  }
  throw new Error("no SOF");
}

const withJpegPrecision = (jpeg: Buffer, precision: number) =>
  patchFrameHeader(jpeg, (out, pos) => (out[pos + 4] = precision));

const withJpegSize = (jpeg: Buffer, width: number, height: number) =>
  patchFrameHeader(jpeg, (out, pos) => {
    out.writeUInt16BE(height, pos + 5);
    out.writeUInt16BE(width, pos + 7);
  });

describe("hostile and broken inputs", () => {
  let jpeg: Buffer;

  beforeAll(async () => {
    jpeg = await sharp(Buffer.from(to8(phantom(64, 48))), { raw: { width: 64, height: 48, channels: 1 } })
      .jpeg()
      .toBuffer();
  });

  const corrupted = (b: Buffer, at: number, length: number) => {
    const out = Buffer.from(b);
    const random = rng(7);
    for (let i = at; i < at + length && i < out.length; i++) out[i] = Math.floor(random() * 256);
    return out;
  };

  const cases: Array<[string, () => Buffer, ErrorCode, RegExp, object?]> = [
    ["an empty file", () => Buffer.alloc(0), "BAD_REQUEST", /Empty file/],
    [
      "an HTML page renamed .png",
      () => Buffer.from("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
      "UNSUPPORTED",
      /HTML/,
      { fileName: "xray.png" },
    ],
    ["a PDF", () => Buffer.from("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n"), "UNSUPPORTED", /PDF document/],
    [
      "a ZIP archive",
      () => Buffer.from("PK\x03\x04\x14\x00\x00\x00\x08\x00rest-of-zip", "latin1"),
      "UNSUPPORTED",
      /ZIP archive/,
    ],
    ["a GIF", () => Buffer.from("GIF89a\x01\x00\x01\x00\x00\x00\x00;", "latin1"), "UNSUPPORTED", /GIF/],
    [
      "random bytes",
      () => Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 131 + 7) % 251)),
      "UNSUPPORTED",
      /unrecognised content/,
    ],
    ["a bare PNG signature", () => PNG_SIGNATURE, "BAD_REQUEST", /Corrupt PNG: file ends before the IHDR/],
    ["a PNG with a bad IHDR checksum", () => corrupted(smallPng, 29, 4), "BAD_REQUEST", /IHDR checksum/],
    [
      "a truncated PNG",
      () => smallPng.subarray(0, Math.floor(smallPng.length / 2)),
      "BAD_REQUEST",
      /Corrupt or truncated PNG/,
    ],
    ["a PNG with corrupt image data", () => corrupted(smallPng, 45, 40), "BAD_REQUEST", /Corrupt or truncated PNG/],
    ["a JPEG that is only a start marker", () => Buffer.from([0xff, 0xd8, 0xff]), "BAD_REQUEST", /Corrupt JPEG/],
    [
      "a truncated JPEG",
      () => jpeg.subarray(0, Math.floor(jpeg.length * 0.6)),
      "BAD_REQUEST",
      /Corrupt or truncated JPEG/,
    ],
    [
      "a PNG header claiming 100000×100000",
      () => forgedHeaderPng(100_000, 100_000),
      "TOO_LARGE",
      /100000×100000 = 10000000000 pixels; the limit is 50000000/,
    ],
    ["a JPEG frame header claiming 60000×60000", () => withJpegSize(jpeg, 60_000, 60_000), "TOO_LARGE", /60000×60000/],
    ["a 12-bit JPEG", () => withJpegPrecision(jpeg, 12), "UNSUPPORTED", /12-bit samples is not supported/],
    ["an image over a configured pixel cap", () => smallPng, "TOO_LARGE", /limit is 1000/, { maxPixels: 1000 }],
    ["a file over the byte cap", () => smallPng, "TOO_LARGE", /the limit is 100 bytes/, { maxBytes: 100 }],
    [
      "DICM followed by garbage",
      () =>
        Buffer.concat([Buffer.alloc(128), Buffer.from("DICM"), Buffer.from("garbage that is not a data set at all")]),
      "BAD_REQUEST",
      /Malformed DICOM/,
    ],
    [
      "a truncated DICOM",
      () => validDicom.subarray(0, validDicom.length - 100),
      "BAD_REQUEST",
      /Malformed DICOM: element \(7FE0,0010\) declares 256 bytes/,
    ],
    [
      "a DICOM element whose length runs past the end",
      () => Buffer.concat([validDicom, Buffer.from([0x11, 0, 0x10, 0, 0x55, 0x54, 0, 0, 0xf0, 0xff, 0xff, 0x7f])]),
      "BAD_REQUEST",
      /declares 2147483632 bytes/,
    ],
    [
      "a DICOM polyglot with a PNG in its preamble",
      () => Buffer.concat([smallPng.subarray(0, 128), validDicom.subarray(128)]),
      "BAD_REQUEST",
      /polyglot/,
    ],
    [
      "a DICOM nested 40 sequences deep",
      () =>
        buildDicom(
          { ...imageModule({ rows: 2, columns: 2, bitsAllocated: 8 }), ...nestedSequences(40) },
          { pixelData: Buffer.alloc(4) },
        ),
      "BAD_REQUEST",
      /nested deeper than 16/,
    ],
    [
      "a DICOM claiming 65535×65535",
      () =>
        buildDicom(imageModule({ rows: 65535, columns: 65535, bitsAllocated: 16 }), { pixelData: Buffer.alloc(16) }),
      "TOO_LARGE",
      /65535×65535/,
    ],
    [
      "a DICOM without pixel data",
      () => buildDicom(imageModule({ rows: 4, columns: 4, bitsAllocated: 8 })),
      "BAD_REQUEST",
      /PixelData/,
    ],
    [
      "a DICOM without Rows",
      () =>
        buildDicom(withoutTag(imageModule({ rows: 4, columns: 4, bitsAllocated: 8 }), "00280010"), {
          pixelData: Buffer.alloc(16),
        }),
      "BAD_REQUEST",
      /Rows is missing/,
    ],
    [
      "a DICOM with zero Columns",
      () =>
        buildDicom(
          { ...imageModule({ rows: 4, columns: 4, bitsAllocated: 8 }), "00280011": { vr: "US", Value: [0] } },
          { pixelData: Buffer.alloc(16) },
        ),
      "BAD_REQUEST",
      /Columns = 0 is outside 1..65535/,
    ],
  ];

  it.each(cases)("rejects %s with a clear reason", async (_name, make, code, message, opts) => {
    const outcome = await reject(make(), opts);
    expect(outcome.code).toBe(code);
    expect(outcome.message).toMatch(message);
    expect(outcome.message).not.toMatch(/undefined|\[object/);
    expect(outcome.ms).toBeLessThan(2000);
  });

  it("rejects a real 20000×20000 PNG bomb from its header: fast, and without allocating the pixels", async () => {
    const bomb = await compressibleHugePng(20_000, 20_000);
    expect(bomb.length).toBeLessThan(1_000_000); // ~400 KB on disk, 400 MB decoded
    const metadata = await sharp(bomb, { limitInputPixels: false }).metadata();
    expect([metadata.width, metadata.height]).toEqual([20_000, 20_000]); // it is a genuine, valid PNG
    const before = process.memoryUsage().rss;
    const outcome = await reject(bomb);
    const grown = process.memoryUsage().rss - before;
    expect(outcome.code).toBe("TOO_LARGE");
    expect(outcome.message).toMatch(/20000×20000 = 400000000 pixels/);
    expect(outcome.ms).toBeLessThan(500);
    expect(grown).toBeLessThan(64 * 1024 * 1024);
  }, 30_000);

  it("refuses to run without a usable pseudonym key", async () => {
    await expect(decodeImage(smallPng, { pseudonymKey: "short" })).rejects.toMatchObject({ code: "CONFIG" });
  });
});
