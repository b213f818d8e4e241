import * as ort from "onnxruntime-node";
import { sessionOptions } from "@/lib/ml/onnx-model";
import { clickStep, type ClickImage } from "./click-step";
import type { Click, ClickModelMeta } from "./types";

// interactive.onnx in onnxruntime-node: `image` N×1×S×S in [0,1] and `clicks` N×3×S×S in, `prob` N×1×S×S out.

export { prepareClickImage, type ClickImage } from "./click-step";

export type ClickModel = { session: ort.InferenceSession; meta: ClickModelMeta };

export async function loadClickModel(bytes: Uint8Array, meta: ClickModelMeta): Promise<ClickModel> {
  const session = await ort.InferenceSession.create(bytes, sessionOptions());
  const names = [...session.inputNames].sort().join(",");
  if (names !== "clicks,image")
    throw new Error(`not an interactive model: inputs are ${session.inputNames.join(", ")}`);
  return { session, meta };
}

/** One click step: the proposal (native 0/1) for all clicks so far on top of `current`. */
export function propose(
  model: ClickModel,
  image: ClickImage,
  clicks: Click[],
  current: Uint8Array | null,
): Promise<Uint8Array> {
  const run = async (pixels: Float32Array, maps: Float32Array, s: number) => {
    const out = await model.session.run({
      image: new ort.Tensor("float32", pixels, [1, 1, s, s]),
      clicks: new ort.Tensor("float32", maps, [1, 3, s, s]),
    });
    return out.prob.data as Float32Array;
  };
  return clickStep(run, model.meta, image, clicks, current);
}
