import "server-only";
import { db } from "../db/client";
import { Prisma } from "../db/generated/client";
import { sql } from "../db/raw";
import { uuidv7 } from "../db/uuid";
import { key } from "../storage/keys";
import { sha256Hex } from "../storage/sha256";
import { store } from "../storage/store";
import { imageIdsBySha256 } from "./queries";
import type { DecodedImage } from "./types";

export type ImageMeta = {
  originalName: string;
  label?: "COVID" | "CONTROL" | "UNKNOWN";
  patientPseudonym?: string | null;
  sourceDataset?: string | null;
  view?: string | null;
  tags?: Record<string, string> | null;
  importBatchId?: string | null;
};

export function imageKeys(projectId: string, imageId: string, originalExt: string) {
  return {
    working: key("projects", projectId, "images", imageId, "working.png"),
    original: key("projects", projectId, "images", imageId, `original.${originalExt}`),
    thumb: key("projects", projectId, "images", imageId, "thumb.jpg"),
  };
}

/**
 * Stores a decoded image: objects first, then the row. A duplicate (same bytes already in the
 * project) returns the existing image and stores nothing new. Plain SQL on the shared pool: an
 * import calls this once per file, and Prisma's per-query work was a visible share of it.
 */
export async function storeImage(projectId: string, d: DecodedImage, meta: ImageMeta) {
  const existing = (await imageIdsBySha256(projectId, [d.sha256])).get(d.sha256);
  if (existing) return { id: existing, duplicate: true };
  const id = uuidv7();
  const keys = imageKeys(projectId, id, d.originalExt);
  const removeObjects = () =>
    Promise.all(
      Object.values(keys).map((k) =>
        store()
          .delete(k)
          .catch(() => undefined),
      ),
    );
  // The working PNG's hash is kept with the row so exports never hash the file again.
  const workingSha256 = sha256Hex(d.workingPng);
  const puts = await Promise.allSettled([
    workingSha256,
    store().put(keys.working, d.workingPng, { contentType: "image/png" }),
    store().put(keys.original, d.originalBytes),
    store().put(keys.thumb, d.thumbnail, { contentType: d.thumbnailType }),
  ]);
  const failedPut = puts.find((p): p is PromiseRejectedResult => p.status === "rejected");
  if (failedPut) {
    // Nothing partial: an image is all three objects and its row, or nothing.
    await removeObjects();
    throw failedPut.reason;
  }
  let inserted: { id: string }[];
  try {
    inserted = await sql().rows<{ id: string }>(Prisma.sql`
      INSERT INTO "Image" (id, "projectId", "originalName", "sourceFormat", sha256, "pixelSha256", phash,
        "storageKey", "workingSha256", "originalKey", "thumbKey", width, height, "bitDepth", "patientPseudonym", label,
        "sourceDataset", view, tags, flags, "burnedInReview", "importBatchId")
      VALUES (${id}::uuid, ${projectId}::uuid, ${meta.originalName.slice(0, 255)}, ${d.format}::"SourceFormat",
        ${d.sha256}, ${d.pixelSha256}, ${d.phash}, ${keys.working}, ${await workingSha256}, ${keys.original}, ${keys.thumb},
        ${d.width}::int, ${d.height}::int, ${d.bitDepth}::int,
        ${meta.patientPseudonym ?? d.dicom?.patientPseudonym ?? null}, ${meta.label ?? "UNKNOWN"}::"ImageLabel",
        ${meta.sourceDataset ?? null}, ${meta.view ?? d.dicom?.viewPosition ?? null},
        ${meta.tags ? JSON.stringify(meta.tags) : null}::jsonb, ${d.flags}::text[],
        ${d.flags.includes("burned-in-annotation") ? "PENDING" : null}::"BurnedInReview",
        ${meta.importBatchId ?? null}::uuid)
      ON CONFLICT ("projectId", sha256) DO NOTHING
      RETURNING id`);
  } catch (e) {
    await removeObjects();
    throw e;
  }
  if (inserted.length === 0) {
    // A concurrent import of the same bytes won the unique key: drop our objects, point at its image.
    await removeObjects();
    const winner = (await imageIdsBySha256(projectId, [d.sha256])).get(d.sha256);
    if (!winner) throw new Error("Image insert conflicted, but no image holds its hash");
    return { id: winner, duplicate: true };
  }
  return { id, duplicate: false };
}

/**
 * Saves working-PNG hashes an export computed for images stored before the hash was kept with
 * them. Only where none is stored yet: a hash set since (burned-in masking) is never overwritten.
 */
export async function saveWorkingHashes(rows: { imageId: string; sha256: string }[]): Promise<void> {
  if (!rows.length) return;
  const json = JSON.stringify(rows.map((r) => ({ id: r.imageId, sha: r.sha256 })));
  await db().$executeRaw`
    UPDATE "Image" i SET "workingSha256" = v.sha
    FROM jsonb_to_recordset(${json}::jsonb) AS v(id uuid, sha text)
    WHERE i.id = v.id AND i."workingSha256" IS NULL`;
}
