import * as ort from "onnxruntime-node";
import { sessionOptions } from "@/lib/ml/onnx-model";
import { pilResizeBilinear } from "@/lib/ml/pil-resize";
import { clickInput, clickRadius } from "./click-input";
import { proposalAtNative } from "./proposal";
import type { Click, ClickModelMeta } from "./types";

// interactive.onnx: `image` N×1×S×S in [0,1] and `clicks` N×3×S×S in, `prob` N×1×S×S out.

export type ClickModel = { session: ort.InferenceSession; meta: ClickModelMeta };

/** An image prepared once when the MD opens it: the model-size pixels and the native size. */
export type ClickImage = { pixels: Float32Array; width: number; height: number };

export async function loadClickModel(bytes: Uint8Array, meta: ClickModelMeta): Promise<ClickModel> {
  const session = await ort.InferenceSession.create(bytes, sessionOptions());
  const names = [...session.inputNames].sort().join(",");
  if (names !== "clicks,image")
    throw new Error(`not an interactive model: inputs are ${session.inputNames.join(", ")}`);
  return { session, meta };
}

export function prepareClickImage(gray: Uint8Array, width: number, height: number, size: number): ClickImage {
  const small = pilResizeBilinear(gray, width, height, size, size);
  const pixels = new Float32Array(small.length);
  for (let i = 0; i < small.length; i++) pixels[i] = small[i] / 255;
  return { pixels, width, height };
}

/** One click step: the proposal (native 0/1) for all clicks so far on top of `current`. */
export async function propose(
  model: ClickModel,
  image: ClickImage,
  clicks: Click[],
  current: Uint8Array | null,
): Promise<Uint8Array> {
  const { size } = model.meta;
  const maps = clickInput(clicks, current, image.width, image.height, size, clickRadius(model.meta, size));
  const out = await model.session.run({
    image: new ort.Tensor("float32", image.pixels, [1, 1, size, size]),
    clicks: new ort.Tensor("float32", maps, [1, 3, size, size]),
  });
  return proposalAtNative(out.prob.data as Float32Array, size, image.width, image.height);
}
