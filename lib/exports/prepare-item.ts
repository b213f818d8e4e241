import { createHash } from "node:crypto";
import { AppError } from "../errors/app-error";
import { encodeMaskPng } from "../masks/png-codec";
import { compressRle, encodeRle, rleArea, rleBbox, type CocoBbox, type CocoCompressedRle, type CocoRle } from "../masks/rle";
import type { ObjectStore } from "../storage/types";
import { buildDicomSeg } from "./dicom-seg";
import { decodeMaskInto, maskPixels } from "./mask-pixels";
import type { ExportItem } from "./types";

export interface PreparedItem {
  item: ExportItem;
  image: Buffer;
  maskPng: Buffer;
  /** Null for an empty mask (COCO then has no annotation for the image). */
  rle: CocoCompressedRle | null;
  area: number;
  bbox: CocoBbox;
  dicom: { source: Buffer; seg: Buffer } | null;
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** The few empty-mask PNGs a project needs (one per image size in use), made once each. */
class EmptyMasks {
  private readonly cache = new Map<string, Buffer>();
  get(width: number, height: number): Buffer {
    const k = `${width}x${height}`;
    let png = this.cache.get(k);
    if (!png) {
      png = encodeMaskPng(new Uint8Array(width * height), width, height);
      if (this.cache.size >= 16) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(k, png);
    }
    return png;
  }
}

// Pixels of the mask being encoded; reused because decode and RLE run synchronously.
let pixelScratch = new Uint8Array(0);
function scratchPixels(n: number): Uint8Array {
  if (pixelScratch.length < n) pixelScratch = new Uint8Array(n);
  return pixelScratch.subarray(0, n);
}

function pngSize(png: Buffer): { width: number; height: number } {
  if (png.length < 24 || png.readUInt32BE(12) !== 0x49484452) throw new AppError("CONFLICT", "a stored image is not a PNG");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/**
 * Everything one image contributes, fetched and computed off the write path: its PNG, its
 * accepted mask (checked against the recorded hash and the image's size), the mask's RLE, and
 * for DICOM sources the de-identified file and its segmentation.
 */
export function itemPreparer(store: ObjectStore) {
  const empty = new EmptyMasks();
  return async (item: ExportItem): Promise<PreparedItem> => {
    const { width, height } = item;
    const image = await store.get(item.imageKey);
    const got = pngSize(image);
    if (got.width !== width || got.height !== height) {
      throw new AppError("CONFLICT", `image ${item.imageId} is ${got.width}×${got.height}, recorded as ${width}×${height}`);
    }
    const isDicom = item.sourceFormat === "DICOM";
    let maskPng: Buffer;
    let raw: CocoRle;
    let pixels: Uint8Array | null = null;
    if (item.mask) {
      maskPng = await store.get(item.mask.key);
      if (sha256(maskPng) !== item.mask.sha256) throw new AppError("CONFLICT", `the stored mask ${item.mask.id} does not match its recorded SHA-256`);
      const px = isDicom ? null : scratchPixels(width * height);
      // Decode and encode back to back, with no await between: the scratch array is shared.
      if (px && decodeMaskInto(maskPng, width, height, px)) raw = encodeRle(px, width, height);
      else raw = encodeRle((pixels = await maskPixels(maskPng, width, height)), width, height);
    } else {
      maskPng = empty.get(width, height);
      raw = { size: [height, width], counts: [width * height] };
      if (isDicom) pixels = new Uint8Array(width * height);
    }
    const area = rleArea(raw);
    const dicom =
      isDicom && pixels
        ? await store.get(item.originalKey).then((source) => ({
            source,
            seg: buildDicomSeg({
              dicom: source,
              mask: pixels,
              width,
              height,
              maskSha256: sha256(maskPng),
              winner: item.sourceKind,
              model: item.model,
            }),
          }))
        : null;
    return { item, image, maskPng, rle: area > 0 ? compressRle(raw) : null, area, bbox: rleBbox(raw), dicom };
  };
}
