import sharp from "sharp";
import { resizeBilinear } from "../masks/resize";
import { detect, ensembleMean, type Detection } from "./detection";
import { infectionMapView, fitSize, type Raster } from "./infection-map-view";
import { pilResizeBilinear } from "./pil-resize";
import type { DetectionRule } from "./model-card";
import type { Predictor } from "./predictor";
import { DEFAULT_THRESHOLD } from "./threshold";

export type AnalyseModel = { id: string; label: string; model: Predictor; rule?: DetectionRule | null };

export type MapResult = { detection: Detection; mapPng: Buffer };

export type AnalyseResult = {
  width: number;
  height: number;
  /** Size of the returned PNGs (the CXR fitted into maxSide). */
  displayWidth: number;
  displayHeight: number;
  cxrPng: Buffer;
  threshold: number;
  models: (MapResult & { id: string; label: string })[];
  /** Mean of the models' probability maps; null with a single model. */
  ensemble: MapResult | null;
};

/**
 * One CXR through one or more models: detection per model and for the ensemble, and each
 * one's infection map. Pure computation: nothing is stored.
 */
export async function analyseCxr(
  cxr: Raster,
  models: AnalyseModel[],
  opts: { threshold?: number; maxSide?: number } = {},
): Promise<AnalyseResult> {
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
  const maxSide = opts.maxSide ?? 1024;
  const inputs = new Map<number, Uint8Array>();
  const inputFor = (size: number) => {
    if (!inputs.has(size)) inputs.set(size, pilResizeBilinear(cxr.pixels, cxr.width, cxr.height, size, size));
    return inputs.get(size)!;
  };
  const outputs = await Promise.all(
    models.map(async (m) => {
      const input = [inputFor(m.model.size)];
      if (!m.model.predictWithPresence) return { prob: (await m.model.predict(input))[0], presence: null };
      const { maps, presence } = await m.model.predictWithPresence(input);
      return { prob: maps[0], presence: presence ? presence[0] : null };
    }),
  );
  const probs = outputs.map((o) => o.prob);
  const results = await Promise.all(
    models.map(async (m, i) => {
      const size = m.model.size;
      const view = await infectionMapView(cxr, { prob: probs[i], width: size, height: size }, maxSide);
      return {
        id: m.id,
        label: m.label,
        detection: detect(probs[i], threshold, m.rule ?? null, outputs[i].presence),
        mapPng: view.png,
      };
    }),
  );
  let ensemble: MapResult | null = null;
  if (models.length > 1) {
    // Models trained at different sizes are averaged at the largest one.
    const size = Math.max(...models.map((m) => m.model.size));
    const maps = models.map((m, i) =>
      m.model.size === size ? probs[i] : resizeBilinear(probs[i], m.model.size, m.model.size, size, size),
    );
    const mean = ensembleMean(maps);
    const view = await infectionMapView(cxr, { prob: mean, width: size, height: size }, maxSide);
    ensemble = { detection: detect(mean, threshold), mapPng: view.png };
  }
  const display = fitSize(cxr.width, cxr.height, maxSide);
  const gray =
    display.width === cxr.width && display.height === cxr.height
      ? cxr.pixels
      : pilResizeBilinear(cxr.pixels, cxr.width, cxr.height, display.width, display.height);
  const cxrPng = await sharp(Buffer.from(gray), { raw: { width: display.width, height: display.height, channels: 1 } })
    .png({ compressionLevel: 6 })
    .toBuffer();
  return {
    width: cxr.width,
    height: cxr.height,
    displayWidth: display.width,
    displayHeight: display.height,
    cxrPng,
    threshold,
    models: results,
    ensemble,
  };
}
