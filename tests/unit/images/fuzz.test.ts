import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { isAppError } from "@/lib/errors/app-error";
import { decodeImage } from "@/lib/images/decode-image";
import {
  buildDicom,
  encodeRleFrame,
  IMPLICIT,
  imageModule,
  nativePixels,
  phiDataset,
  RLE,
} from "./helpers/dicom-builder";
import { grayPng } from "./helpers/png-bytes";
import { phantom, rng, to8 } from "./helpers/synthetic";

const KEY = "unit-test-pseudonym-key-0123456789";
const MUTANTS_PER_SEED = 150;

/** Byte flips (weighted towards headers), truncations and length-field corruption, all seeded. */
function mutate(seed: Buffer, random: () => number): Buffer {
  const out = Buffer.from(seed);
  const kind = Math.floor(random() * 4);
  if (kind === 0) return out.subarray(0, Math.floor(random() * out.length));
  const flips = 1 + Math.floor(random() * 8);
  for (let i = 0; i < flips; i++) {
    const headerBias = random() < 0.7;
    const at = Math.floor(random() * (headerBias ? Math.min(out.length, 600) : out.length));
    if (kind === 1) out[at] = Math.floor(random() * 256);
    else if (kind === 2) out[at] ^= 1 << Math.floor(random() * 8);
    else if (at + 4 <= out.length) out.writeUInt32LE(Math.floor(random() * 0xffffffff), at);
  }
  return out;
}

describe("mutation fuzzing: every outcome is a result or an AppError, quickly", () => {
  const seeds: Record<string, Buffer> = {};

  beforeAll(async () => {
    const pixels = to8(phantom(32, 24));
    seeds.png = grayPng(32, 24, pixels);
    seeds.jpeg = await sharp(Buffer.from(pixels), { raw: { width: 32, height: 24, channels: 1 } })
      .jpeg()
      .toBuffer();
    const samples = nativePixels(
      Array.from(pixels, (v) => v * 16),
      16,
    );
    const phi = phiDataset("F").dataset;
    seeds.dicom = buildDicom(
      { ...phi, ...imageModule({ rows: 24, columns: 32, bitsStored: 12 }) },
      { pixelData: samples },
    );
    seeds.implicit = buildDicom(imageModule({ rows: 24, columns: 32, bitsStored: 12 }), {
      pixelData: samples,
      transferSyntaxUid: IMPLICIT,
    });
    seeds.rle = buildDicom(imageModule({ rows: 24, columns: 32 }), {
      pixelData: [encodeRleFrame(samples, 1, 16)],
      transferSyntaxUid: RLE,
    });
  });

  for (const name of ["png", "jpeg", "dicom", "implicit", "rle"]) {
    it(`${name}: ${MUTANTS_PER_SEED} mutants`, async () => {
      const random = rng(name.length * 7919);
      const unexpected: string[] = [];
      let slowest = 0;
      for (let i = 0; i < MUTANTS_PER_SEED; i++) {
        const mutant = mutate(seeds[name], random);
        const started = performance.now();
        try {
          await decodeImage(mutant, { pseudonymKey: KEY });
        } catch (e) {
          if (!isAppError(e) || !["BAD_REQUEST", "TOO_LARGE", "UNSUPPORTED"].includes(e.code)) {
            unexpected.push(`#${i}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
          }
        }
        slowest = Math.max(slowest, performance.now() - started);
      }
      expect(unexpected).toEqual([]);
      expect(slowest).toBeLessThan(2000);
    });
  }
});
