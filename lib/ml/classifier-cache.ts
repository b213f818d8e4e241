import { loadClassifier, type ClassifierModel } from "./classifier-model";

// Classifier sessions, keyed by weights hash and size (a retrained artifact never reuses one).
// They run on the calling thread: a single analysis is one classification plus one batched
// occlusion sweep.
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
  if (hit) return hit;
  while (models.size >= MAX_MODELS) models.delete(models.keys().next().value!);
  const loading = fetchBytes().then((bytes) => loadClassifier(bytes, size, what));
  loading.catch(() => models.get(k) === loading && models.delete(k));
  models.set(k, loading);
  return loading;
}
