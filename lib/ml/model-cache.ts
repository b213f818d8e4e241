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

const cachedSets = lruModels<ThreadedModel[]>("tandemModelSets", (ms) => ms.forEach((m) => m.closeWhenIdle()));

/**
 * `sessions` sessions of one model, each on its own thread with `threads` intra-op threads: a
 * prediction job runs one batch on each at once. On a small CPU, single-threaded sessions side
 * by side do more images per second than one session split over the cores (no intra-op
 * synchronisation, and no core idles while another finishes its share of an operator).
 */
export function cachedThreadedModels(
  cacheKey: string,
  size: number,
  sessions: number,
  threads: number,
  fetchBytes: () => Promise<Uint8Array>,
): Promise<ThreadedModel[]> {
  return cachedSets(`${cacheKey}@${size}×${sessions}×${threads}`, async () => {
    const bytes = await fetchBytes();
    const models: ThreadedModel[] = [];
    try {
      for (let i = 0; i < sessions; i++) models.push(await ThreadedModel.load(bytes, size, threads));
    } catch (e) {
      for (const m of models) void m.close();
      throw e;
    }
    return models;
  });
}
