import { describe, expect, it } from "vitest";
import { extensionMismatch, sniffFormat } from "@/lib/images/sniff-format";
import { readJpegHeader } from "@/lib/images/jpeg-header";
import { readPngHeader } from "@/lib/images/png-header";
import { forgedHeaderPng } from "./helpers/png-bytes";

const dicomPrefix = (preamble: Buffer = Buffer.alloc(128)) =>
  Buffer.concat([preamble, Buffer.from("DICM"), Buffer.alloc(16)]);

describe("format sniffing", () => {
  it("uses magic bytes only", () => {
    expect(sniffFormat(forgedHeaderPng(2, 2))).toBe("PNG");
    expect(sniffFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]))).toBe("JPEG");
    expect(sniffFormat(dicomPrefix())).toBe("DICOM");
  });

  it("accepts a DICOM preamble holding other content, which is never stored", () => {
    expect(sniffFormat(dicomPrefix(Buffer.from("<html>".padEnd(128))))).toBe("DICOM");
    expect(sniffFormat(dicomPrefix(Buffer.from("II*\u0000".padEnd(128, "\u0000"), "latin1")))).toBe("DICOM"); // DICOM-TIFF dual personality
  });

  it("refuses a DICOM preamble that is also a PNG or JPEG", () => {
    const png = forgedHeaderPng(2, 2);
    expect(() => sniffFormat(dicomPrefix(Buffer.concat([png, Buffer.alloc(128)]).subarray(0, 128)))).toThrow(
      /polyglot/,
    );
    expect(() => sniffFormat(dicomPrefix(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(125)])))).toThrow(
      /polyglot/,
    );
  });

  it("names what a non-image is", () => {
    expect(() => sniffFormat(Buffer.from("\ufeff  \n<svg xmlns='http://www.w3.org/2000/svg'/>"))).toThrow(
      /HTML, XML or SVG/,
    );
    expect(() => sniffFormat(Buffer.from([0x08, 0x00, 0x05, 0x00, 0x43, 0x53]))).toThrow(
      /without the 128-byte preamble/,
    );
  });

  it("compares the extension with the content only to raise a flag", () => {
    expect(extensionMismatch("x.PNG", "JPEG")).toBe(true);
    expect(extensionMismatch("x.dcm", "DICOM")).toBe(false);
    expect(extensionMismatch("x.txt", "PNG")).toBe(false);
    expect(extensionMismatch(undefined, "PNG")).toBe(false);
  });
});

describe("header readers", () => {
  it("read PNG IHDR without decoding", () => {
    expect(readPngHeader(forgedHeaderPng(100_000, 3))).toMatchObject({
      width: 100_000,
      height: 3,
      bitDepth: 8,
      colorType: 0,
    });
  });

  it("skip JPEG segments up to the frame header", () => {
    const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x06, 0x4a, 0x46, 0x49, 0x46]);
    const sof = Buffer.from([0xff, 0xc0, 0x00, 0x0b, 0x08, 0x01, 0x00, 0x02, 0x00, 0x01, 0x01, 0x11, 0x00]);
    expect(readJpegHeader(Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof]))).toEqual({
      width: 512,
      height: 256,
      precision: 8,
      components: 1,
      lossless: false,
    });
    expect(() =>
      readJpegHeader(Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.from([0xff, 0xe1, 0xff, 0xff])])),
    ).toThrow(/runs past the end/);
  });
});
