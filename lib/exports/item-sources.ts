import { AppError } from "../errors/app-error";
import { encodeMaskPng } from "../masks/png-codec";
import { sha256Hex } from "../storage/sha256";
import type { ObjectStore } from "../storage/types";
import type { StoredFile } from "./archive-entry";
import { maskPixels } from "./mask-pixels";
import type { StoredFileProblem } from "./tar-thread";
import type { ExportItem } from "./types";

const notPng = () => new AppError("CONFLICT", "a stored image is not a PNG");
const maskMismatch = (maskId: string) =>
  new AppError("CONFLICT", `the stored mask ${maskId} does not match its recorded SHA-256`);
const sizeMismatch = (
  item: { imageId: string; width: number; height: number },
  got: { width: number; height: number },
) =>
  new AppError(
    "CONFLICT",
    `image ${item.imageId} is ${got.width}×${got.height}, recorded as ${item.width}×${item.height}`,
  );

function pngSize(png: Buffer): { width: number; height: number } {
  if (png.length < 24 || png.readUInt32BE(12) !== 0x49484452) throw notPng();
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** The error for a stored file the archive thread found wrong: the same words as the reading path's. */
export function storedFileError(file: StoredFile, p: StoredFileProblem): Error {
  switch (p.problem) {
    case "sha256":
      return maskMismatch(file.id);
    case "not-png":
      return notPng();
    case "size":
      return sizeMismatch({ imageId: file.id, ...file.png! }, p);
    case "read":
      return p.code === "ENOENT"
        ? new AppError("NOT_FOUND", "Object not found")
        : new Error(`reading ${file.path}: ${p.code}`);
  }
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

/** A file as the archive writes it: a stored file the writer reads itself, or bytes in hand. */
export type FileEntry = { body: Buffer | StoredFile; sha256: string };

/** One item's stored files, fetched at most once each however many writers ask. */
export interface ItemSources {
  /**
   * The working PNG for the archive: when the archive writer reads stored files itself and the
   * image's hash is kept, a reference it checks as it reads (size); otherwise `image()`.
   */
  imageEntry(): Promise<FileEntry>;
  /** The mask PNG for the archive: a reference checked against its SHA-256 as it is read, or `maskPng()`. */
  maskEntry(): Promise<FileEntry>;
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
 * value handed to `computed` so the caller can save it. With `files` (the archive writer reads
 * stored files itself, and the store has local paths) the entries are references.
 */
export function itemSources(
  store: ObjectStore,
  empty: EmptyMasks,
  item: ExportItem,
  computed?: (imageId: string, sha256: string) => void,
  files = false,
): ItemSources {
  const { width, height } = item;
  const read = (k: string) => (store.getBatched ? store.getBatched(k) : store.get(k));
  const maskPng = once(async () => {
    if (!item.mask) return empty.get(width, height);
    const bytes = await read(item.mask.key);
    const sha256 = await sha256Hex(bytes);
    if (sha256 !== item.mask.sha256) throw maskMismatch(item.mask.id);
    return { bytes, sha256 };
  });
  const local = files && store.localPath ? store.localPath.bind(store) : null;
  const image = once(async () => {
    const bytes = await read(item.imageKey);
    const got = pngSize(bytes);
    if (got.width !== width || got.height !== height) throw sizeMismatch(item, got);
    if (item.imageSha256) return { bytes, sha256: item.imageSha256 };
    const sha256 = await sha256Hex(bytes);
    computed?.(item.imageId, sha256);
    return { bytes, sha256 };
  });
  return {
    image,
    async imageEntry() {
      if (!local || !item.imageSha256) {
        const { bytes, sha256 } = await image();
        return { body: bytes, sha256 };
      }
      const path = local(item.imageKey);
      const sha256 = item.imageSha256;
      return { body: { path, sha256, verify: false, png: { width, height }, id: item.imageId }, sha256 };
    },
    async maskEntry() {
      const m = item.mask;
      if (!local || !m) {
        const { bytes, sha256 } = await maskPng();
        return { body: bytes, sha256 };
      }
      return { body: { path: local(m.key), sha256: m.sha256, verify: true, id: m.id }, sha256: m.sha256 };
    },
    maskPng,
    maskPixels: once(async () =>
      item.mask ? maskPixels((await maskPng()).bytes, width, height) : new Uint8Array(width * height),
    ),
    original: once(() => store.get(item.originalKey)),
  };
}
