import { createHash } from "node:crypto";
import { AppError } from "../errors/app-error";
import { decodeMaskPng } from "../masks/png-codec";
import { readPngChunks, readPngHeader } from "../masks/png-chunks";
import { key } from "../storage/keys";
import { MAX_MASK_PNG_BYTES } from "./schema";

export type ValidMask = { mask: Uint8Array; width: number; height: number };

/**
 * Decodes an uploaded mask and checks it has the image's native size, reading the header
 * before any pixel is decoded so an oversized or mis-sized PNG costs nothing.
 */
export async function decodeUploadedMask(
  png: Uint8Array,
  image: { width: number; height: number },
): Promise<ValidMask> {
  if (png.length === 0) throw new AppError("BAD_REQUEST", "The mask PNG is empty");
  if (png.length > MAX_MASK_PNG_BYTES) throw new AppError("TOO_LARGE", "The mask PNG is too large");
  const header = readPngHeader(png, readPngChunks(png));
  if (header.width !== image.width || header.height !== image.height) {
    throw new AppError(
      "BAD_REQUEST",
      `The mask is ${header.width}×${header.height} but the image is ${image.width}×${image.height}: masks are stored at the image's native resolution`,
      {
        expected: { width: image.width, height: image.height },
      },
    );
  }
  return decodeMaskPng(png, { maxPixels: image.width * image.height });
}

/**
 * A draft object per saved version: a rejected (409) save never touches the stored one, and
 * a retried save (same idempotency key) is recognised by the key it would have written.
 */
export function draftKey(projectId: string, taskId: string, version: number, idempotencyKey: string): string {
  const tag = createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 20);
  return key("projects", projectId, "drafts", taskId, `v${version}-${tag}.png`);
}
