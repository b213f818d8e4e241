import { loadClassifier, type ClassifierModel } from "./classifier-model";
import { lruModels } from "./lru-models";

// Classifier sessions, keyed by weights hash and size. Each runs on its own worker thread (see
// classifier-model.ts), so an occlusion sweep never blocks the web server's event loop; an
// evicted one ends when idle.
const cached = lruModels<ClassifierModel>("tandemClassifiers", (m) => m.thread.closeWhenIdle());

export function cachedClassifier(
  cacheKey: string,
  size: number,
  what: string,
  fetchBytes: () => Promise<Uint8Array>,
): Promise<ClassifierModel> {
  return cached(`${cacheKey}@${size}`, () => fetchBytes().then((bytes) => loadClassifier(bytes, size, what)));
}
