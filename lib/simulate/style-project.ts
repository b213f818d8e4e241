// A simulated project's candidates for style audits: per COVID-19 image, one hand-drawn mask
// (MDs with polygon or freehand tools, varied bias, jitter and vertex spacing) and machine
// masks from differently biased models, all as 0/1 pixels.
import { generateCxr } from "./synthetic-cxr";
import { simulateDrawing, type MdProfile } from "./simulated-md";
import { simulatePrediction, type ModelProfile } from "./simulated-model";

export const STYLE_MDS: MdProfile[] = [
  { seed: 11, bias: 0.3, jitter: 0.6, missRate: 0.1, vertexSpacing: 0.04 },
  { seed: 12, bias: -0.2, jitter: 0.8, missRate: 0.15, vertexSpacing: 0 },
  { seed: 13, bias: 0.5, jitter: 0.4, missRate: 0.05, vertexSpacing: 0.025 },
];
export const STYLE_MODELS: ModelProfile[] = [
  { seed: 21, bias: 0.2, noise: 0.5 },
  { seed: 22, bias: -0.2, noise: 0.7 },
];

export type StyleCandidate = { image: number; human: boolean; mask: Uint8Array };

export function simulateStyleProject(
  images: number,
  width = 192,
  seed = 1,
): { width: number; height: number; candidates: StyleCandidate[] }[] {
  const out: { width: number; height: number; candidates: StyleCandidate[] }[] = [];
  for (let k = 0; k < images; k++) {
    const cxr = generateCxr({ seed: seed * 100_003 + k, width, height: width, label: "covid" });
    const md = STYLE_MDS[k % STYLE_MDS.length];
    const drawn = simulateDrawing(cxr.mask, cxr.width, cxr.height, md, { pixels: cxr.pixels, imageKey: k });
    const candidates: StyleCandidate[] = [{ image: k, human: true, mask: Uint8Array.from(drawn, (v) => (v ? 1 : 0)) }];
    for (const model of STYLE_MODELS)
      candidates.push({ image: k, human: false, mask: simulatePrediction(cxr.mask, cxr.width, cxr.height, model, k) });
    out.push({ width: cxr.width, height: cxr.height, candidates: candidates.filter((c) => c.mask.some((v) => v)) });
  }
  return out;
}
