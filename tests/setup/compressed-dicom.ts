// Compressed DICOM fixtures made by well-kept encoders (Debian dcmtk and GDCM, installed by the
// test command through scripts/ensure-deps.sh) from CXR-like uncompressed twins.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateCxr } from "../../lib/simulate/synthetic-cxr";
import type { DicomDataset } from "../../lib/images/dicom/dcmjs";
import { buildDicom, imageModule, nativePixels } from "../unit/images/helpers/dicom-builder";

export interface CxrSource {
  width: number;
  height: number;
  bits: 8 | 12 | 16;
  /** Stored values, row-major. */
  samples: Uint16Array;
  dicom: Buffer;
}

/**
 * A synthetic chest film (lib/simulate) at `bits` bits stored: the 8-bit film scaled up, with
 * seeded detail in the bits below so that lossless codecs have every bit to keep.
 */
export function cxrSource(
  width: number,
  height: number,
  bits: 8 | 12 | 16,
  seed = 1,
  extra: DicomDataset = {},
): CxrSource {
  const film = generateCxr({ seed, width, height });
  const samples = new Uint16Array(width * height);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < samples.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const fine = bits === 8 ? 0 : (s >>> 0) % (1 << (bits - 8));
    samples[i] = film.pixels[i] * (1 << (bits - 8)) + fine;
  }
  const bitsAllocated = bits === 8 ? 8 : 16;
  const dicom = buildDicom(
    {
      ...imageModule({ rows: height, columns: width, bitsAllocated, bitsStored: bits }),
      "00080060": { vr: "CS", Value: ["DX"] },
      ...extra,
    },
    { pixelData: nativePixels(samples, bitsAllocated) },
  );
  return { width, height, bits, samples, dicom };
}

export interface Encoder {
  /** Transfer syntax UID the encoder writes. */
  uid: string;
  name: string;
  tool: string;
  args: string[];
  lossless: boolean;
  /** Bits stored of the source it is tested with. */
  bits: 8 | 12 | 16;
  /** For lossy syntaxes: the same toolkit's decoder, whose output Tandem's is compared with. */
  reference?: { tool: string; args: string[] };
}

const dcmdjpeg = { tool: "dcmdjpeg", args: [] };

/** One encoder per compressed transfer syntax Tandem decodes. */
export const encoders: Encoder[] = [
  {
    uid: "1.2.840.10008.1.2.4.50",
    name: "JPEG Baseline",
    tool: "dcmcjpeg",
    args: ["--encode-baseline"],
    lossless: false,
    bits: 8,
    reference: dcmdjpeg,
  },
  {
    uid: "1.2.840.10008.1.2.4.51",
    name: "JPEG Extended (8-bit)",
    tool: "dcmcjpeg",
    args: ["--encode-extended"],
    lossless: false,
    bits: 8,
    reference: dcmdjpeg,
  },
  {
    uid: "1.2.840.10008.1.2.4.57",
    name: "JPEG Lossless Process 14",
    tool: "dcmcjpeg",
    args: ["--encode-lossless", "--selection-value", "6"],
    lossless: true,
    bits: 16,
  },
  {
    uid: "1.2.840.10008.1.2.4.70",
    name: "JPEG Lossless SV1",
    tool: "dcmcjpeg",
    args: ["--encode-lossless-sv1"],
    lossless: true,
    bits: 12,
  },
  {
    uid: "1.2.840.10008.1.2.4.80",
    name: "JPEG-LS Lossless",
    tool: "dcmcjpls",
    args: ["--encode-lossless"],
    lossless: true,
    bits: 16,
  },
  {
    uid: "1.2.840.10008.1.2.4.81",
    name: "JPEG-LS Near-Lossless",
    tool: "dcmcjpls",
    args: ["--encode-nearlossless", "--max-deviation", "3"],
    lossless: false,
    bits: 12,
    reference: { tool: "dcmdjpls", args: [] },
  },
  {
    uid: "1.2.840.10008.1.2.4.90",
    name: "JPEG 2000 Lossless",
    tool: "gdcmconv",
    args: ["--j2k"],
    lossless: true,
    bits: 16,
  },
  {
    uid: "1.2.840.10008.1.2.4.91",
    name: "JPEG 2000 (lossy)",
    tool: "gdcmconv",
    args: ["--j2k", "--lossy", "-r", "10"],
    lossless: false,
    bits: 12,
    reference: { tool: "gdcmconv", args: ["--raw"] },
  },
  { uid: "1.2.840.10008.1.2.5", name: "RLE Lossless", tool: "dcmcrle", args: [], lossless: true, bits: 16 },
  {
    uid: "1.2.840.10008.1.2.1.99",
    name: "Deflated Explicit VR Little Endian",
    tool: "dcmconv",
    args: ["+td"],
    lossless: true,
    bits: 12,
  },
];

/** Runs `tool args in out` on a DICOM file and returns what it wrote. */
export function encodeWith(tool: string, args: string[], input: Buffer): Buffer {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tandem-codec-"));
  try {
    const src = path.join(dir, "in.dcm");
    const out = path.join(dir, "out.dcm");
    writeFileSync(src, input);
    try {
      execFileSync(tool, [...args, src, out], { stdio: ["ignore", "ignore", "pipe"], timeout: 120_000 });
    } catch (e) {
      const err = e as { code?: string; stderr?: Buffer };
      if (err.code === "ENOENT")
        throw new Error(`${tool} is not installed: run scripts/ensure-deps.sh with TANDEM_NEED_TEST_TOOLS=1`);
      throw new Error(`${tool} ${args.join(" ")} failed: ${err.stderr?.toString().slice(0, 300)}`);
    }
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const encode = (e: Encoder, input: Buffer) => encodeWith(e.tool, e.args, input);

/** Netpbm greyscale: maxval 2^bits − 1, samples big-endian when wider than 8 bits. */
function pgm(width: number, height: number, bits: number, samples: ArrayLike<number>): Buffer {
  const wide = bits > 8;
  const body = Buffer.alloc(width * height * (wide ? 2 : 1));
  for (let i = 0; i < width * height; i++) {
    if (wide) body.writeUInt16BE(samples[i], 2 * i);
    else body[i] = samples[i];
  }
  return Buffer.concat([Buffer.from(`P5\n${width} ${height}\n${2 ** bits - 1}\n`, "latin1"), body]);
}

function readPgm(bytes: Buffer): Uint16Array {
  const header = bytes.toString("latin1", 0, 64).match(/^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/);
  if (!header) throw new Error("not a binary PGM");
  const [, w, h, max] = header.map(Number);
  const at = header[0].length;
  const out = new Uint16Array(w * h);
  for (let i = 0; i < out.length; i++) out[i] = max > 255 ? bytes.readUInt16BE(at + 2 * i) : bytes[at + i];
  return out;
}

function inTempDir<T>(work: (dir: string) => T): T {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tandem-codec-"));
  try {
    return work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** HTJ2K codestream of a source's samples by OpenJPH's ojph_compress (Debian openjph-tools). */
export function htj2kCodestream(source: CxrSource, args: string[]): Buffer {
  return inTempDir((dir) => {
    writeFileSync(path.join(dir, "in.pgm"), pgm(source.width, source.height, source.bits, source.samples));
    execFileSync("ojph_compress", ["-i", path.join(dir, "in.pgm"), "-o", path.join(dir, "out.j2c"), ...args], {
      stdio: ["ignore", "ignore", "pipe"],
      timeout: 120_000,
    });
    return readFileSync(path.join(dir, "out.j2c"));
  });
}

/** The same toolkit's decoder (ojph_expand), for comparing lossy output. */
export function htj2kExpand(codestream: Buffer): Uint16Array {
  return inTempDir((dir) => {
    writeFileSync(path.join(dir, "in.j2c"), codestream);
    execFileSync("ojph_expand", ["-i", path.join(dir, "in.j2c"), "-o", path.join(dir, "out.pgm")], {
      stdio: ["ignore", "ignore", "pipe"],
      timeout: 120_000,
    });
    return readPgm(readFileSync(path.join(dir, "out.pgm")));
  });
}

/** A DICOM of the source's image module holding encapsulated frames under `transferSyntaxUid`. */
export function encapsulatedDicom(source: CxrSource, transferSyntaxUid: string, frames: Buffer[]): Buffer {
  const ds = {
    ...imageModule({
      rows: source.height,
      columns: source.width,
      bitsAllocated: source.bits === 8 ? 8 : 16,
      bitsStored: source.bits,
    }),
    "00080060": { vr: "CS", Value: ["DX"] },
  };
  return buildDicom(ds, { transferSyntaxUid, pixelData: frames });
}
