import { resizeBilinear } from "../masks/resize";
import { classifyBatch, type ClassifierModel } from "./classifier-model";
import type { ProbMap } from "./infection-map-view";

/**
 * The CAM as a map in [0, 1] at the model's input size: ReLU (only evidence for COVID-19),
 * divided by its maximum, bilinearly resized. A map with no positive value stays all zero.
 */
export function camMap(cam: ArrayLike<number>, camWidth: number, camHeight: number, size: number): ProbMap {
  const relu = Float32Array.from(cam, (v) => (v > 0 ? v : 0));
  let max = 0;
  for (const v of relu) if (v > max) max = v;
  if (max > 0) for (let i = 0; i < relu.length; i++) relu[i] /= max;
  return { prob: resizeBilinear(relu, camWidth, camHeight, size, size), width: size, height: size };
}

export type OcclusionOptions = { patch?: number; stride?: number; fill?: number; batch?: number };

/**
 * Occlusion sensitivity: a patch (gray `fill`) slid over the input; each pixel gets the mean
 * drop in P(COVID-19) over the patches covering it, clipped at 0, so the map is in absolute
 * probability units (0.3 = hiding this region lowers the probability by 0.3). Occluded images
 * are run `batch` at a time.
 */
export async function occlusionMap(
  model: ClassifierModel,
  image: Uint8Array,
  opts: OcclusionOptions = {},
): Promise<ProbMap & { base: number; runs: number }> {
  const size = model.size;
  const patch = Math.max(1, Math.min(size, opts.patch ?? Math.round(size / 6)));
  const stride = Math.max(1, opts.stride ?? Math.max(1, Math.round(patch / 2)));
  const fill = opts.fill ?? 128;
  const batch = Math.max(1, opts.batch ?? 16);
  const [{ prob: base }] = await classifyBatch(model, [image]);
  const starts: number[] = [];
  for (let s = 0; s + patch < size; s += stride) starts.push(s);
  starts.push(size - patch);
  const positions = starts.flatMap((y) => starts.map((x) => [x, y] as const));
  const sum = new Float32Array(size * size);
  const count = new Float32Array(size * size);
  for (let i = 0; i < positions.length; i += batch) {
    const chunk = positions.slice(i, i + batch);
    const occluded = chunk.map(([x0, y0]) => {
      const img = Uint8Array.from(image);
      for (let y = y0; y < y0 + patch; y++) img.fill(fill, y * size + x0, y * size + x0 + patch);
      return img;
    });
    const results = await classifyBatch(model, occluded);
    chunk.forEach(([x0, y0], j) => {
      const drop = base - results[j].prob;
      for (let y = y0; y < y0 + patch; y++) {
        for (let x = x0; x < x0 + patch; x++) {
          sum[y * size + x] += drop;
          count[y * size + x] += 1;
        }
      }
    });
  }
  const prob = new Float32Array(size * size);
  for (let i = 0; i < prob.length; i++) prob[i] = count[i] ? Math.min(1, Math.max(0, sum[i] / count[i])) : 0;
  return { prob, width: size, height: size, base, runs: positions.length + 1 };
}

/**
 * Agreement of a map with an infection mask (same size): the share of the map's mass inside
 * the mask, and the pointing game (is the map's maximum inside it). Null for an empty mask.
 */
export function mapAgreement(
  map: ArrayLike<number>,
  mask: ArrayLike<number>,
): { energyInside: number; pointing: boolean; maskFraction: number } | null {
  if (map.length !== mask.length) throw new Error(`map has ${map.length} values, mask ${mask.length}`);
  let total = 0,
    inside = 0,
    maskPixels = 0,
    best = -Infinity,
    bestIn = false;
  for (let i = 0; i < map.length; i++) {
    const v = map[i] > 0 ? map[i] : 0;
    const m = mask[i] > 0;
    total += v;
    if (m) {
      inside += v;
      maskPixels++;
    }
    if (v > best) {
      best = v;
      bestIn = m;
    }
  }
  if (!maskPixels) return null;
  return {
    energyInside: total > 0 ? inside / total : 0,
    pointing: total > 0 && bestIn,
    maskFraction: maskPixels / map.length,
  };
}
