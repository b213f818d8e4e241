const MAX_MODELS = Number(process.env.ORT_CACHED_MODELS ?? 4);
const g = globalThis as unknown as Record<string, Map<string, Promise<unknown>> | undefined>;

/**
 * A few loaded models, least recently used evicted (and closed once idle). Sessions are expensive
 * to create (graph optimisation) and hold their weights in memory; keys name the weights' hash,
 * so a retrained artifact never reuses a stale session. A load that fails leaves no entry. The
 * map lives on globalThis under `slot`, so module reloads in development share it.
 */
export function lruModels<T>(slot: string, close: (model: T) => void) {
  return (key: string, load: () => Promise<T>): Promise<T> => {
    g[slot] ??= new Map();
    const models = g[slot] as Map<string, Promise<T>>;
    const hit = models.get(key);
    if (hit) {
      models.delete(key); // re-inserted below: Map order is the LRU order
      models.set(key, hit);
      return hit;
    }
    while (models.size >= MAX_MODELS) {
      const oldest = models.keys().next().value!;
      void models.get(oldest)!.then(close, () => undefined);
      models.delete(oldest);
    }
    const loading = load();
    loading.catch(() => models.get(key) === loading && models.delete(key));
    models.set(key, loading);
    return loading;
  };
}
