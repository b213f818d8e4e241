// The only place a simulated MD's perception meets the truth: the truth transformed by the reader's
// habits (bias, boundary disagreement, missed faint/small lesions judged on the image's own contrast,
// false-positive regions, positive calls on controls). Drawing and voting start from its output.
import { fillPolygon } from "./field-ops";
import { FG, isEmptyMask } from "./mask-ops";
import { createRng, hashSeed, type Rng } from "./prng";
import type { ReaderProfile } from "./reader-profile";
import type { Reading } from "./reading";
import { simulateDrawing } from "./simulated-md";
import { unsealTruth, type SealedTruth } from "./truth";

export interface ReadableImage {
  key: string;
  width: number;
  height: number;
  /** Grey pixels (one byte each) at the mask's size: faint lesions are missed more often. */
  pixels?: Uint8Array;
  /** The image's label, which the MD knows. */
  label: "COVID" | "CONTROL";
}

function falsePositive(rng: Rng, width: number, height: number): Uint8Array {
  const field = new Float32Array(width * height);
  const size = Math.sqrt(width * height);
  const cx = rng.uniform(0.18, 0.82) * width;
  const cy = rng.uniform(0.25, 0.8) * height;
  const rx = rng.uniform(0.025, 0.07) * size;
  const ry = rng.uniform(0.03, 0.09) * size;
  const rot = rng.uniform(0, Math.PI);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let k = 0; k < 24; k++) {
    const a = (2 * Math.PI * k) / 24;
    const x = rx * Math.cos(a);
    const y = ry * Math.sin(a);
    xs.push(cx + x * Math.cos(rot) - y * Math.sin(rot));
    ys.push(cy + x * Math.sin(rot) + y * Math.cos(rot));
  }
  fillPolygon(field, width, height, xs, ys, 1);
  return Uint8Array.from(field, (v) => (v > 0 ? FG : 0));
}

/** The reader's latent reading of `image`; deterministic in (reader seed, image key). */
export function readImage(truth: SealedTruth, image: ReadableImage, reader: ReaderProfile): Reading {
  const { width, height } = image;
  if (truth.width !== width || truth.height !== height)
    throw new Error(`truth is ${truth.width}×${truth.height}, image ${image.key} is ${width}×${height}`);
  if (image.pixels && image.pixels.length !== width * height)
    throw new Error(`pixels of ${image.key} do not match ${width}×${height}`);
  const rng = createRng(hashSeed("reading", reader.seed, image.key));
  const t = unsealTruth(truth);
  const mask = isEmptyMask(t)
    ? new Uint8Array(width * height)
    : simulateDrawing(
        t,
        width,
        height,
        { seed: reader.seed, bias: reader.bias, jitter: reader.jitter, missRate: reader.missRate, vertexSpacing: 0 },
        { pixels: image.pixels, imageKey: `reading:${image.key}` },
      );
  const extra =
    image.label === "CONTROL" ? (rng.chance(reader.controlCallRate) ? 1 : 0) : poisson(rng, reader.falsePositiveRate);
  for (let k = 0; k < extra; k++) {
    const fp = falsePositive(rng.fork(k), width, height);
    for (let p = 0; p < mask.length; p++) if (fp[p]) mask[p] = FG;
  }
  return {
    kind: "reading",
    reader: reader.name,
    imageKey: image.key,
    width,
    height,
    mask,
    positive: !isEmptyMask(mask),
  };
}

function poisson(rng: Rng, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = rng.next(); p > limit; p *= rng.next()) k++;
  return k;
}
