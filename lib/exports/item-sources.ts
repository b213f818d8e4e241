import { AppError } from "../errors/app-error";
import { encodeMaskPng } from "../masks/png-codec";
import { sha256Hex } from "../storage/sha256";
import type { ObjectStore } from "../storage/types";
import { maskPixels } from "./mask-pixels";
import type { ExportItem } from "./types";

function pngSize(png: Buffer): { width: number; height: number } {
  if (png.length < 24 || png.readUInt32BE(12) !== 0x49484452)
    throw new AppError("CONFLICT", "a stored image is not a PNG");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** The few empty-mask PNGs a project needs (one per image size in use), made and hashed once each. */
export class EmptyMasks {
  private readonly cache = new Map<string, Promise<{ bytes: Buffer; sha256: string }>>();
  get(width: number, height: number) {
    const k = `${width}x${height}`;
    let hit = this.cache.get(k);
    if (!hit) {
      const png = encodeMaskPng(new Uint8Array(width * height), width, height);
      hit = sha256Hex(png).then((sha256) => ({ bytes: png, sha256 }));
      if (this.cache.size >= 16) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(k, hit);
    }
    return hit;
  }
}

/** One item's stored files, fetched at most once each however many writers ask. */
export interface ItemSources {
  /** The working PNG, checked against the recorded size, with its SHA-256. */
  image(): Promise<{ bytes: Buffer; sha256: string }>;
  /** The accepted mask's PNG (or the empty mask), checked against its recorded SHA-256. */
  maskPng(): Promise<{ bytes: Buffer; sha256: string }>;
  /** The mask as 0/1 pixels. */
  maskPixels(): Promise<Uint8Array>;
  /** The stored original (the de-identified DICOM for DICOM sources). */
  original(): Promise<Buffer>;
}

function once<T>(f: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | null = null;
  return () => (p ??= f());
}

/**
 * The sources of one item. The image's SHA-256 is the one stored with it when there is one (the
 * working PNG is hashed once, at import); an older image without it is hashed here and the
 * value handed to `computed` so the caller can save it.
 */
export function itemSources(
  store: ObjectStore,
  empty: EmptyMasks,
  item: ExportItem,
  computed?: (imageId: string, sha256: string) => void,
): ItemSources {
  const { width, height } = item;
  const read = (k: string) => (store.getBatched ? store.getBatched(k) : store.get(k));
  const maskPng = once(async () => {
    if (!item.mask) return empty.get(width, height);
    const bytes = await read(item.mask.key);
    const sha256 = await sha256Hex(bytes);
    if (sha256 !== item.mask.sha256)
      throw new AppError("CONFLICT", `the stored mask ${item.mask.id} does not match its recorded SHA-256`);
    return { bytes, sha256 };
  });
  return {
    image: once(async () => {
      const bytes = await read(item.imageKey);
      const got = pngSize(bytes);
      if (got.width !== width || got.height !== height) {
        throw new AppError(
          "CONFLICT",
          `image ${item.imageId} is ${got.width}×${got.height}, recorded as ${width}×${height}`,
        );
      }
      if (item.imageSha256) return { bytes, sha256: item.imageSha256 };
      const sha256 = await sha256Hex(bytes);
      computed?.(item.imageId, sha256);
      return { bytes, sha256 };
    }),
    maskPng,
    maskPixels: once(async () =>
      item.mask ? maskPixels((await maskPng()).bytes, width, height) : new Uint8Array(width * height),
    ),
    original: once(() => store.get(item.originalKey)),
  };
}
