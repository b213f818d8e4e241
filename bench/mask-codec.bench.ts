import { decodeMaskPng, encodeMaskPng } from "../lib/masks/png-codec";
import { compressRle, encodeRle, decodeRle } from "../lib/masks/rle";

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

const SIZE = 3000;
const ITERATIONS = 5;

/** A 3000×3000 mask of ~2,000 disjoint discs (seeded, so every run sees the same pixels). */
function manyRegions(): Uint8Array {
  const mask = new Uint8Array(SIZE * SIZE);
  let s = 12345;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  // one disc per cell of a 45×45 grid, radius below half a cell, so discs never touch
  const cell = Math.floor(SIZE / 45);
  for (let gy = 0; gy < 45; gy++) {
    for (let gx = 0; gx < 45; gx++) {
      if (rnd() < 0.05) continue;
      const r = 3 + rnd() * (cell / 2 - 5);
      const cx = gx * cell + cell / 2,
        cy = gy * cell + cell / 2;
      for (let y = Math.ceil(cy - r); y <= cy + r; y++) {
        for (let x = Math.ceil(cx - r); x <= cx + r; x++) {
          if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) mask[y * SIZE + x] = 1;
        }
      }
    }
  }
  return mask;
}

async function medianMs(fn: () => unknown | Promise<unknown>): Promise<number> {
  await fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)] * 10) / 10;
}

export async function run(): Promise<BenchResult[]> {
  const mask = manyRegions();
  const png = encodeMaskPng(mask, SIZE, SIZE);
  const rle = encodeRle(mask, SIZE, SIZE);
  const note = `${SIZE}×${SIZE}, ${rle.counts.length} runs, median of ${ITERATIONS}`;
  return [
    { name: "mask png encode", value: await medianMs(() => encodeMaskPng(mask, SIZE, SIZE)), unit: "ms", note },
    { name: "mask png decode", value: await medianMs(() => decodeMaskPng(png)), unit: "ms", note },
    { name: "mask png size", value: png.length, unit: "bytes", note: `${SIZE}×${SIZE}` },
    { name: "rle encode", value: await medianMs(() => encodeRle(mask, SIZE, SIZE)), unit: "ms", note },
    { name: "rle compress (string)", value: await medianMs(() => compressRle(rle)), unit: "ms", note },
    { name: "rle decode", value: await medianMs(() => decodeRle(rle)), unit: "ms", note },
  ];
}
