import { pilResizeBilinear } from "../ml/pil-resize";
import { clickInput, clickRadius } from "./click-input";
import { proposalAtNative } from "./proposal";
import type { Click, ClickModelMeta } from "./types";

// One Smart-tool step, whichever runtime runs the network (onnxruntime-node on the server,
// onnxruntime-web in the MD's browser): click maps at model size, the network, and the
// probability map upsampled to native size and thresholded. Both paths share this file, so a
// click gives the same proposal wherever it is answered.

/** An image prepared once when the MD opens it: the model-size pixels in [0, 1] and the native size. */
export type ClickImage = { pixels: Float32Array; width: number; height: number };

/** Runs interactive.onnx once: `image` 1×1×S×S and `clicks` 1×3×S×S in, `prob` (S×S) out. */
export type RunClickNetwork = (image: Float32Array, clicks: Float32Array, size: number) => Promise<Float32Array>;

export function prepareClickImage(gray: Uint8Array, width: number, height: number, size: number): ClickImage {
  const small = pilResizeBilinear(gray, width, height, size, size);
  const pixels = new Float32Array(small.length);
  for (let i = 0; i < small.length; i++) pixels[i] = small[i] / 255;
  return { pixels, width, height };
}

/** The proposal (native 0/1) for all clicks so far on top of `current`. */
export async function clickStep(
  run: RunClickNetwork,
  meta: Pick<ClickModelMeta, "size" | "clickRadiusFraction" | "minClickRadius">,
  image: ClickImage,
  clicks: Click[],
  current: Uint8Array | null,
): Promise<Uint8Array> {
  const { size } = meta;
  const maps = clickInput(clicks, current, image.width, image.height, size, clickRadius(meta, size));
  const prob = await run(image.pixels, maps, size);
  return proposalAtNative(prob, size, image.width, image.height);
}
