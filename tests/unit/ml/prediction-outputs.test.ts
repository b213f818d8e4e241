import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { resizeBilinear } from "../../../lib/masks/resize";
import { decodeProbabilityPng, encodeProbabilityPng } from "../../../lib/ml/probability-png";
import { binarize } from "../../../lib/ml/threshold";
import { probToBytes, toNativeMask } from "../../../lib/ml/to-native-mask";

/** A smooth map with blobs, plenty of values within float32 rounding of 0.5, and some noise. */
function probabilityMap(size: number, seed: number): Float32Array {
  const p = new Float32Array(size * size);
  let s = seed;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      s = (s * 1103515245 + 12345) >>> 0;
      const blob = Math.exp(-((x - size * 0.4) ** 2 + (y - size * 0.6) ** 2) / (2 * (size / 5) ** 2));
      p[y * size + x] = Math.min(1, Math.max(0, blob + ((s >>> 16) / 65536 - 0.5) * 0.2));
    }
  for (let i = 0; i < p.length; i += 97) p[i] = 0.5; // exactly at the threshold
  for (let i = 13; i < p.length; i += 89) p[i] = Math.fround(0.5 - 2 ** -25); // just under it
  return p;
}

describe("toNativeMask (upsample and threshold in one pass)", () => {
  const cases: [number, number, number][] = [
    [64, 512, 512],
    [64, 96, 80],
    [64, 80, 112],
    [32, 17, 45],
    [48, 48, 48],
    [224, 1024, 1000],
  ];
  for (const [size, w, h] of cases) {
    it(`${size}² → ${w}×${h} gives exactly binarize(resizeBilinear(…))`, () => {
      for (const seed of [1, 2]) {
        const prob = probabilityMap(size, seed);
        for (const t of [0.5, 0.3]) {
          const want = binarize(resizeBilinear(prob, size, size, w, h), t);
          const got = toNativeMask(prob, size, w, h, t);
          expect(got.length).toBe(w * h);
          let diff = 0;
          for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) diff++;
          expect(diff).toBe(0);
          expect(got.some((v) => v === 1) && got.some((v) => v === 0)).toBe(true);
        }
      }
    });
  }
});

describe("probability PNG", () => {
  it("decodes to exactly the map's 8-bit values through sharp and through Pillow", async () => {
    const size = 96;
    const prob = probabilityMap(size, 5);
    const want = probToBytes(prob);
    const png = await encodeProbabilityPng(prob, size, size);
    const viaSharp = await decodeProbabilityPng(png);
    expect([viaSharp.width, viaSharp.height]).toEqual([size, size]);
    expect(Array.from(viaSharp.prob, (v) => Math.round(v * 255))).toEqual(Array.from(want));
    const pillow = spawnSync(
      process.env.PYTHON ?? "/usr/bin/python3",
      [
        "-c",
        "import sys, io\nfrom PIL import Image\nim = Image.open(io.BytesIO(sys.stdin.buffer.read()))\nim.load()\nassert im.mode == 'L', im.mode\nsys.stdout.buffer.write(im.tobytes())",
      ],
      { input: png },
    );
    expect(pillow.status, pillow.stderr.toString()).toBe(0);
    expect(Buffer.from(pillow.stdout).equals(Buffer.from(want))).toBe(true);
  });
});
