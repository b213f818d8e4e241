import { lruModels } from "./lru-models";
import { ThreadedModel } from "./threaded-model";

// Each session runs on its own thread: onnxruntime-node's run blocks its caller's event loop,
// which in a job would stall storage and database work and in the web server every other request.
const cached = lruModels<ThreadedModel>("tandemModels", (m) => m.closeWhenIdle());

export function cachedThreadedModel(
  cacheKey: string,
  size: number,
  fetchBytes: () => Promise<Uint8Array>,
): Promise<ThreadedModel> {
  return cached(`${cacheKey}@${size}`, () => fetchBytes().then((bytes) => ThreadedModel.load(bytes, size)));
}
