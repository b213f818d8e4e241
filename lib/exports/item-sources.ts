import { createHash } from "node:crypto";
import { AppError } from "../errors/app-error";
import { encodeMaskPng } from "../masks/png-codec";
import { sha256Hex } from "../storage/sha256";
import type { ObjectStore } from "../storage/types";
import type { StoredFile } from "./archive-entry";
import { maskPixels } from "./mask-pixels";
import { endsAsPng } from "./png-end";
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

const truncated = (imageId: string) =>
  new AppError("CONFLICT", `the stored image ${imageId} is cut short: its PNG does not end with an IEND chunk`);

/** The size of a whole PNG: its header's, once the file is known to end with IEND. */
function pngSize(png: Buffer, imageId: string): { width: number; height: number } {
  if (png.length < 24 || png.readUInt32BE(12) !== 0x49484452) throw notPng();
  if (!endsAsPng(png)) throw truncated(imageId);
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** The error for a stored file the archive thread found wrong: the same words as the reading path's. */
export function storedFileError(file: StoredFile, p: StoredFileProblem): Error {
  switch (p.problem) {
    case "sha256":
      return maskMismatch(file.id);
    case "not-png":
      return notPng();
    case "truncated":
      return truncated(file.id);
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
  private readonly cache = new Map<string, { bytes: Buffer; sha256: string }>();
  get(width: number, height: number): { bytes: Buffer; sha256: string } {
    const k = `${width}x${height}`;
    let hit = this.cache.get(k);
    if (!hit) {
      const bytes = encodeMaskPng(new Uint8Array(width * height), width, height);
      hit = { bytes, sha256: createHash("sha256").update(bytes).digest("hex") };
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
   * image's hash is kept, a reference it checks as it reads (size), returned at once; otherwise
   * `image()`.
   */
  imageEntry(): FileEntry | Promise<FileEntry>;
  /**
   * The mask PNG for the archive: a reference checked against its SHA-256 as it is read (or the
   * empty mask), returned at once; otherwise `maskPng()`.
   */
  maskEntry(): FileEntry | Promise<FileEntry>;
  /** The working PNG, checked against the recorded size, with its SHA-256. */
  image(): Promise<{ bytes: Buffer; sha256: string }>;
  /** The accepted mask's PNG (or the empty mask), checked against its recorded SHA-256. */
  maskPng(): Promise<{ bytes: Buffer; sha256: string }>;
  /** The mask as 0/1 pixels. */
  maskPixels(): Promise<Uint8Array>;
  /** The stored original (the de-identified DICOM for DICOM sources). */
  original(): Promise<Buffer>;
}

/**
 * The sources of one item. The image's SHA-256 is the one stored with it when there is one (the
 * working PNG is hashed once, at import); an older image without it is hashed here and the
 * value handed to `computed` so the caller can save it. With `files` (the archive writer reads
 * stored files itself, and the store has local paths) the entries are references.
 *
 * A class rather than closures: an export makes one per item, and most items only ask for the
 * two references, so nothing is allocated for what they never read.
 */
export function itemSources(
  store: ObjectStore,
  empty: EmptyMasks,
  item: ExportItem,
  computed?: (imageId: string, sha256: string) => void,
  files = false,
): ItemSources {
  return new Sources(store, empty, item, computed, files && typeof store.localPath === "function");
}

class Sources implements ItemSources {
  private imageP: Promise<{ bytes: Buffer; sha256: string }> | null = null;
  private maskP: Promise<{ bytes: Buffer; sha256: string }> | null = null;
  private pixelsP: Promise<Uint8Array> | null = null;
  private originalP: Promise<Buffer> | null = null;

  constructor(
    private readonly store: ObjectStore,
    private readonly empty: EmptyMasks,
    private readonly item: ExportItem,
    private readonly computed: ((imageId: string, sha256: string) => void) | undefined,
    private readonly local: boolean,
  ) {}

  private read(k: string): Promise<Buffer> {
    return this.store.getBatched ? this.store.getBatched(k) : this.store.get(k);
  }

  image() {
    return (this.imageP ??= this.loadImage());
  }

  private async loadImage() {
    const item = this.item;
    const bytes = await this.read(item.imageKey);
    const got = pngSize(bytes, item.imageId);
    if (got.width !== item.width || got.height !== item.height) throw sizeMismatch(item, got);
    if (item.imageSha256) return { bytes, sha256: item.imageSha256 };
    const sha256 = await sha256Hex(bytes);
    this.computed?.(item.imageId, sha256);
    return { bytes, sha256 };
  }

  maskPng() {
    return (this.maskP ??= this.loadMask());
  }

  private async loadMask() {
    const m = this.item.mask;
    if (!m) return this.empty.get(this.item.width, this.item.height);
    const bytes = await this.read(m.key);
    const sha256 = await sha256Hex(bytes);
    if (sha256 !== m.sha256) throw maskMismatch(m.id);
    return { bytes, sha256 };
  }

  imageEntry(): FileEntry | Promise<FileEntry> {
    const { item } = this;
    if (!this.local || !item.imageSha256) return this.image().then(({ bytes, sha256 }) => ({ body: bytes, sha256 }));
    const sha256 = item.imageSha256;
    const path = this.store.localPath!(item.imageKey);
    return {
      body: { path, sha256, verify: false, png: { width: item.width, height: item.height }, id: item.imageId },
      sha256,
    };
  }

  maskEntry(): FileEntry | Promise<FileEntry> {
    const m = this.item.mask;
    if (!this.local) return this.maskPng().then(({ bytes, sha256 }) => ({ body: bytes, sha256 }));
    if (!m) {
      const { bytes, sha256 } = this.empty.get(this.item.width, this.item.height);
      return { body: bytes, sha256 };
    }
    return { body: { path: this.store.localPath!(m.key), sha256: m.sha256, verify: true, id: m.id }, sha256: m.sha256 };
  }

  maskPixels() {
    const { item } = this;
    return (this.pixelsP ??= item.mask
      ? this.maskPng().then(({ bytes }) => maskPixels(bytes, item.width, item.height))
      : Promise.resolve(new Uint8Array(item.width * item.height)));
  }

  original() {
    return (this.originalP ??= this.store.get(this.item.originalKey));
  }
}
