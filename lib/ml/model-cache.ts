import { loadModel, type Model } from "./onnx-model";

// Sessions are expensive to create (graph optimisation) and hold the weights in memory: keep a
// few, keyed by the weights' hash so a retrained artifact never reuses a stale session.
const MAX_MODELS = Number(process.env.ORT_CACHED_MODELS ?? 4);
const g = globalThis as unknown as { tandemModels?: Map<string, Promise<Model>> };

function cache(): Map<string, Promise<Model>> {
  g.tandemModels ??= new Map();
  return g.tandemModels;
}

/** A loaded session for `cacheKey`, loading its bytes with `fetchBytes` only on a miss. */
export function cachedModel(cacheKey: string, size: number, fetchBytes: () => Promise<Uint8Array>): Promise<Model> {
  const models = cache();
  const k = `${cacheKey}@${size}`;
  const hit = models.get(k);
  if (hit) {
    models.delete(k); // re-insert: Map order is the LRU order
    models.set(k, hit);
    return hit;
  }
  while (models.size >= MAX_MODELS) {
    // Not released explicitly: a job may still be running on it; the GC frees it afterwards.
    models.delete(models.keys().next().value!);
  }
  const loading = fetchBytes().then((bytes) => loadModel(bytes, size));
  loading.catch(() => models.get(k) === loading && models.delete(k));
  models.set(k, loading);
  return loading;
}
