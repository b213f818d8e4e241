import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { decodeImage } from "@/lib/images/decode-image";
import { hammingDistance, NEAR_DUPLICATE_DISTANCE, perceptualHash } from "@/lib/images/perceptual-hash";
import { grayPng } from "./helpers/png-bytes";
import { phantom, to8, withNoise } from "./helpers/synthetic";

const W = 160;
const H = 128;

function mirrored(pixels: Uint8Array, width: number): Uint8Array {
  const out = new Uint8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    const x = i % width;
    out[i] = pixels[i - x + (width - 1 - x)];
  }
  return out;
}

function gradient(width: number, height: number): Uint8Array {
  return Uint8Array.from({ length: width * height }, (_, i) => Math.round((255 * (i % width)) / (width - 1)));
}

describe("perceptual hash (dHash)", () => {
  const base = to8(phantom(W, H));
  const hash = perceptualHash(base, W, H);

  it("is 64 bits as 16 hex digits and deterministic", () => {
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    expect(perceptualHash(Uint8Array.from(base), W, H)).toBe(hash);
  });

  it("barely moves for a slightly noised copy", () => {
    for (const seed of [1, 2, 3]) {
      const d = hammingDistance(hash, perceptualHash(withNoise(base, 12, seed), W, H));
      expect(d).toBeLessThanOrEqual(NEAR_DUPLICATE_DISTANCE);
    }
  });

  it("is far for different images", () => {
    expect(hammingDistance(hash, perceptualHash(gradient(W, H), W, H))).toBeGreaterThan(16);
    expect(
      hammingDistance(
        hash,
        perceptualHash(
          to8(phantom(W, H, 3)).map((v, i) => (i % 7 === 0 ? 255 - v : v)),
          W,
          H,
        ),
      ),
    ).toBeGreaterThan(NEAR_DUPLICATE_DISTANCE);
    expect(
      hammingDistance(perceptualHash(gradient(W, H), W, H), perceptualHash(mirrored(gradient(W, H), W), W, H)),
    ).toBe(64);
  });

  it("survives re-encoding and resizing of the same picture", async () => {
    const original = await decodeImage(grayPng(W, H, base), { pseudonymKey: "unit-test-pseudonym-key-0123456789" });
    const jpegHalf = await sharp(Buffer.from(base), { raw: { width: W, height: H, channels: 1 } })
      .resize(W / 2, H / 2)
      .jpeg({ quality: 70 })
      .toBuffer();
    const copy = await decodeImage(jpegHalf, { pseudonymKey: "unit-test-pseudonym-key-0123456789" });
    expect(hammingDistance(original.phash, copy.phash)).toBeLessThanOrEqual(NEAR_DUPLICATE_DISTANCE);
    expect(original.pixelSha256).not.toBe(copy.pixelSha256);
  });

  it("handles images smaller than its 9×8 grid", () => {
    expect(perceptualHash(Uint8Array.from([10, 200, 30]), 3, 1)).toMatch(/^[0-9a-f]{16}$/);
  });

  it("measures Hamming distance symmetrically and validates its input", () => {
    expect(hammingDistance("0000000000000000", "ffffffffffffffff")).toBe(64);
    expect(hammingDistance("00000000000000f0", "0000000000000000")).toBe(4);
    expect(hammingDistance(hash, hash)).toBe(0);
    expect(() => hammingDistance("xyz", hash)).toThrow(TypeError);
  });
});
