import "server-only";
import { db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { uuidv7 } from "../db/uuid";
import { key } from "../storage/keys";
import { sha256Hex } from "../storage/sha256";
import { store } from "../storage/store";
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
 * project) returns the existing image and stores nothing new.
 */
export async function storeImage(projectId: string, d: DecodedImage, meta: ImageMeta) {
  const existing = await db().image.findUnique({
    where: { projectId_sha256: { projectId, sha256: d.sha256 } },
    select: { id: true },
  });
  if (existing) return { id: existing.id, duplicate: true };
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
  try {
    await db().image.create({
      data: {
        id,
        projectId,
        originalName: meta.originalName.slice(0, 255),
        sourceFormat: d.format,
        sha256: d.sha256,
        pixelSha256: d.pixelSha256,
        phash: d.phash,
        storageKey: keys.working,
        workingSha256: await workingSha256,
        originalKey: keys.original,
        thumbKey: keys.thumb,
        width: d.width,
        height: d.height,
        bitDepth: d.bitDepth,
        patientPseudonym: meta.patientPseudonym ?? d.dicom?.patientPseudonym ?? null,
        label: meta.label ?? "UNKNOWN",
        sourceDataset: meta.sourceDataset ?? null,
        view: meta.view ?? d.dicom?.viewPosition ?? null,
        tags: (meta.tags ?? undefined) as Prisma.InputJsonValue | undefined,
        flags: d.flags,
        burnedInReview: d.flags.includes("burned-in-annotation") ? "PENDING" : null,
        importBatchId: meta.importBatchId ?? null,
      },
    });
  } catch (e) {
    // A concurrent import of the same bytes won the unique key (or the insert failed): drop our objects.
    await removeObjects();
    if ((e as { code?: string }).code === "P2002") {
      const winner = await db().image.findUniqueOrThrow({
        where: { projectId_sha256: { projectId, sha256: d.sha256 } },
        select: { id: true },
      });
      return { id: winner.id, duplicate: true };
    }
    throw e;
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
