/** Deterministic pseudo-random numbers, so fixtures are identical on every run. */
import { mulberry32 } from "../../../../lib/simulate/prng";

export const rng = mulberry32;

/** A crude chest-film phantom in 0..1: bright mediastinum and ribs, two dark lungs, dark background. */
export function phantom(width: number, height: number, variant = 0): Float64Array {
  const out = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = x / width;
      const v = y / height;
      let value = 0.55 + 0.25 * v;
      const lung = (cx: number) => ((u - cx) / 0.17) ** 2 + ((v - 0.5) / 0.33) ** 2 < 1;
      if (lung(0.3 + 0.04 * variant) || lung(0.7 - 0.04 * variant)) value = 0.2 + 0.05 * Math.sin(v * 40);
      if (u < 0.08 || u > 0.92) value = 0.02;
      out[y * width + x] = Math.min(1, Math.max(0, value));
    }
  }
  return out;
}

export function to8(values: Float64Array): Uint8Array {
  return Uint8Array.from(values, (v) => Math.round(v * 255));
}

export function withNoise(pixels: Uint8Array, amplitude: number, seed = 1): Uint8Array {
  const random = rng(seed);
  return Uint8Array.from(pixels, (p) => Math.max(0, Math.min(255, Math.round(p + (random() * 2 - 1) * amplitude))));
}

/** Searches raw bytes for an ASCII marker. */
export function containsAscii(haystack: Uint8Array, needle: string): boolean {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).includes(Buffer.from(needle, "latin1"));
}
