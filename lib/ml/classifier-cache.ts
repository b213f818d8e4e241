import { loadClassifier, type ClassifierModel } from "./classifier-model";

// Classifier sessions, keyed by weights hash and size (a retrained artifact never reuses one),
// least recently used evicted. Each runs on its own worker thread (see classifier-model.ts), so
// an occlusion sweep never blocks the web server's event loop; an evicted one ends when idle.
const MAX_MODELS = Number(process.env.ORT_CACHED_MODELS ?? 4);
const g = globalThis as unknown as { tandemClassifiers?: Map<string, Promise<ClassifierModel>> };

export function cachedClassifier(
  cacheKey: string,
  size: number,
  what: string,
  fetchBytes: () => Promise<Uint8Array>,
): Promise<ClassifierModel> {
  g.tandemClassifiers ??= new Map();
  const models = g.tandemClassifiers;
  const k = `${cacheKey}@${size}`;
  const hit = models.get(k);
  if (hit) {
    models.delete(k);
    models.set(k, hit);
    return hit;
  }
  while (models.size >= MAX_MODELS) {
    const oldest = models.keys().next().value!;
    void models.get(oldest)!.then(
      (m) => m.thread.closeWhenIdle(),
      () => undefined,
    );
    models.delete(oldest);
  }
  const loading = fetchBytes().then((bytes) => loadClassifier(bytes, size, what));
  loading.catch(() => models.get(k) === loading && models.delete(k));
  models.set(k, loading);
  return loading;
}
