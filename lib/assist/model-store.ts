import { networkInput } from "@/lib/ml/prepare-input";
import { store } from "@/lib/storage/store";
import { loadClickModel, type ClickImage, type ClickModel } from "./click-model";
import type { ClickModelMeta } from "./types";

// In-process caches: one ONNX session per model version, and the last few prepared images
// (an MD clicks many times on one image, so its decode + resize is paid once).
const models = new Map<string, Promise<ClickModel>>();
const images = new Map<string, Promise<ClickImage>>();
const MAX_MODELS = 4;
const MAX_IMAGES = 16;

function remember<T>(cache: Map<string, Promise<T>>, key: string, max: number, make: () => Promise<T>): Promise<T> {
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const p = make();
  p.catch(() => cache.delete(key));
  cache.set(key, p);
  while (cache.size > max) cache.delete(cache.keys().next().value as string);
  return p;
}

export function cachedClickModel(row: { id: string; storageKey: string }, meta: ClickModelMeta): Promise<ClickModel> {
  return remember(models, row.id, MAX_MODELS, async () =>
    loadClickModel(new Uint8Array(await store().get(row.storageKey)), meta),
  );
}

export function cachedClickImage(image: { id: string; storageKey: string }, size: number): Promise<ClickImage> {
  return remember(images, `${image.id}:${size}`, MAX_IMAGES, async () => {
    const { pixels, width, height } = await networkInput(await store().get(image.storageKey), size);
    const scaled = new Float32Array(pixels.length);
    for (let i = 0; i < pixels.length; i++) scaled[i] = pixels[i] / 255;
    return { pixels: scaled, width, height };
  });
}
