import { camMap, occlusionMap } from "./activation-maps";
import { classifyBatch, type ClassifierModel } from "./classifier-model";
import { infectionMapView, type Raster } from "./infection-map-view";
import { pilResizeBilinear } from "./pil-resize";

export type ClassifierResult = {
  id: string;
  label: string;
  /** P(COVID-19) from the image-level classifier. */
  prob: number;
  /** COVID-19 when prob ≥ threshold. */
  positive: boolean;
  camPng: Buffer;
  occlusionPng: Buffer;
};

/**
 * One CXR through image-level classifiers: probability and call, the class activation map and
 * the occlusion map, both drawn like the infection maps (jet over the CXR, 0 transparent).
 * Classifiers never produce masks: nothing here becomes a candidate.
 */
export async function analyseClassifiers(
  cxr: Raster,
  models: readonly { id: string; label: string; model: ClassifierModel }[],
  opts: { threshold?: number; maxSide?: number } = {},
): Promise<ClassifierResult[]> {
  const threshold = opts.threshold ?? 0.5;
  const maxSide = opts.maxSide ?? 1024;
  const out: ClassifierResult[] = [];
  for (const m of models) {
    const size = m.model.size;
    const input = pilResizeBilinear(cxr.pixels, cxr.width, cxr.height, size, size);
    const [c] = await classifyBatch(m.model, [input]);
    const cam = await infectionMapView(cxr, camMap(c.cam, c.camWidth, c.camHeight, size), maxSide);
    const occlusion = await infectionMapView(cxr, await occlusionMap(m.model, input), maxSide);
    out.push({
      id: m.id,
      label: m.label,
      prob: c.prob,
      positive: c.prob >= threshold,
      camPng: cam.png,
      occlusionPng: occlusion.png,
    });
  }
  return out;
}
