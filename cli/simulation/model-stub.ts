// Candidate models that are not trained: a stand-in whose quality is set directly, for the
// two-direction test (a perfect model, a deliberately poor one) and the fast sensitivity sweep.
// A model stub is not a reader: like a trained network it may have learned the truth.
import { fillPolygon } from "../../lib/simulate/field-ops";
import { FG } from "../../lib/simulate/mask-ops";
import { createRng, hashSeed, type Rng } from "../../lib/simulate/prng";
import { simulateDrawing } from "../../lib/simulate/simulated-md";
import { unsealTruth, type SealedTruth } from "../../lib/simulate/truth";

function blob(rng: Rng, out: Uint8Array, width: number, height: number) {
  const field = new Float32Array(width * height);
  const size = Math.sqrt(width * height);
  const cx = rng.uniform(0.15, 0.85) * width;
  const cy = rng.uniform(0.2, 0.85) * height;
  const r = rng.uniform(0.04, 0.12) * size;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let k = 0; k < 16; k++) {
    const a = (2 * Math.PI * k) / 16;
    const rr = r * rng.uniform(0.6, 1.3);
    xs.push(cx + rr * Math.cos(a));
    ys.push(cy + rr * Math.sin(a));
  }
  fillPolygon(field, width, height, xs, ys, 1);
  for (let p = 0; p < out.length; p++) if (field[p] > 0) out[p] = FG;
}

/**
 * What a model of `quality` (1 = returns the truth; 0 = unrelated blobs) predicts for one image.
 * Errors grow with 1 − quality: boundary shift and wobble, missed regions, false-positive blobs.
 */
export function stubPrediction(truth: SealedTruth, quality: number, modelKey: string, imageKey: string): Uint8Array {
  if (!(quality >= 0 && quality <= 1)) throw new Error(`model quality must be in [0, 1], got ${quality}`);
  const { width, height } = truth;
  const t = unsealTruth(truth);
  const out = new Uint8Array(t.length);
  if (quality >= 1) {
    for (let p = 0; p < t.length; p++) out[p] = t[p] ? FG : 0;
    return out;
  }
  const e = 1 - quality;
  const rng = createRng(hashSeed("model-stub", modelKey, imageKey));
  let positive = false;
  for (let p = 0; p < t.length && !positive; p++) positive = t[p] !== 0;
  if (positive && !rng.chance(e * e)) {
    const drawn = simulateDrawing(
      t,
      width,
      height,
      {
        seed: hashSeed(modelKey),
        bias: (rng.chance(0.5) ? 1 : -1) * 2.5 * e,
        jitter: 2.5 * e,
        missRate: Math.min(0.95, 1.2 * e),
        vertexSpacing: 0,
      },
      { imageKey: `model:${imageKey}` },
    );
    out.set(drawn);
  }
  const blobs = rng.chance(e) ? 1 + Math.floor(rng.next() * 3 * e) : 0;
  for (let k = 0; k < blobs; k++) blob(rng.fork(k), out, width, height);
  return out;
}
