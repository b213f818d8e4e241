import "server-only";
import { db } from "../db/client";
import { AppError } from "../errors/app-error";
import { requireProjectRole } from "../auth/authorize";
import type { Actor } from "../auth/types";
import { env } from "../config/env";
import { getProjectForActor } from "../projects/queries";
import type { ImportReport } from "./types";

const summaryFields = {
  id: true,
  status: true,
  total: true,
  imported: true,
  duplicates: true,
  failed: true,
  createdAt: true,
  finishedAt: true,
} as const;

/** An import of a project, with its report; leads only. */
export async function getImportBatch(actor: Actor, projectId: string, batchId: string) {
  await requireProjectRole(actor, projectId, ["LEAD"]);
  const batch = await db().importBatch.findFirst({
    where: { id: batchId, projectId },
    select: { ...summaryFields, report: true },
  });
  if (!batch) throw new AppError("NOT_FOUND", "Import not found");
  return { ...batch, report: (batch.report ?? { version: 1, files: [] }) as unknown as ImportReport };
}

/** Recent imports of a project, newest first, without their per-file reports. */
export async function listImportBatches(actor: Actor, projectId: string, take = 20) {
  await requireProjectRole(actor, projectId, ["LEAD"]);
  return db().importBatch.findMany({
    where: { projectId },
    orderBy: { createdAt: "desc" },
    take: Math.min(take, 100),
    select: summaryFields,
  });
}

/** The batch row an import writes into (no role check: callers have done it). */
export async function findBatch(projectId: string, batchId: string) {
  const batch = await db().importBatch.findFirst({
    where: { id: batchId, projectId },
    select: { id: true, status: true, report: true },
  });
  if (!batch) throw new AppError("NOT_FOUND", "Import not found");
  return {
    id: batch.id,
    status: batch.status,
    report: (batch.report ?? { version: 1, files: [] }) as unknown as ImportReport,
  };
}

/** Images an import stored, with their perceptual hashes. */
export async function batchImageHashes(batchId: string) {
  return db().image.findMany({ where: { importBatchId: batchId }, select: { id: true, phash: true } });
}

/** Every image of the project with its hash: the pool near-duplicates are looked for in. */
export async function projectImageHashes(projectId: string) {
  return db().image.findMany({ where: { projectId }, select: { id: true, phash: true } });
}

export async function imageNames(ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db().image.findMany({ where: { id: { in: ids } }, select: { id: true, originalName: true } });
  return new Map(rows.map((r) => [r.id, r.originalName]));
}

/** Everything the import page shows: the project (leads only), recent imports, the upload cap. */
export async function importPageData(actor: Actor, slug: string) {
  const { project } = await getProjectForActor(actor, slug, ["LEAD"]);
  const recent = await listImportBatches(actor, project.id, 10);
  return {
    project: { id: project.id, slug: project.slug, name: project.name },
    recent,
    maxUploadBytes: env().MAX_UPLOAD_BYTES,
  };
}
