import { ThreadedModel } from "./threaded-model";

// Sessions are expensive to create (graph optimisation) and hold the weights in memory: keep a
// few, keyed by the weights' hash so a retrained artifact never reuses a stale session. Each
// runs on its own thread: onnxruntime-node's run blocks its caller's event loop, which in a
// job would stall storage and database work and in the web server every other request.
const MAX_MODELS = Number(process.env.ORT_CACHED_MODELS ?? 4);
const g = globalThis as unknown as { tandemModels?: Map<string, Promise<ThreadedModel>> };

export function cachedThreadedModel(
  cacheKey: string,
  size: number,
  fetchBytes: () => Promise<Uint8Array>,
): Promise<ThreadedModel> {
  g.tandemModels ??= new Map();
  const models = g.tandemModels;
  const k = `${cacheKey}@${size}`;
  const hit = models.get(k);
  if (hit) {
    models.delete(k); // re-inserted below: Map order is the LRU order
    models.set(k, hit);
    return hit;
  }
  while (models.size >= MAX_MODELS) {
    const oldest = models.keys().next().value!;
    void models.get(oldest)!.then(
      (m) => m.closeWhenIdle(),
      () => undefined,
    );
    models.delete(oldest);
  }
  const loading = fetchBytes().then((bytes) => ThreadedModel.load(bytes, size));
  loading.catch(() => models.get(k) === loading && models.delete(k));
  models.set(k, loading);
  return loading;
}
