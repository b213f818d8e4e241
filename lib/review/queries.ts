import "server-only";
import { requireProjectRole } from "../auth/authorize";
import type { Actor } from "../auth/types";
import { db } from "../db/client";
import { AppError } from "../errors/app-error";
import type { PendingImage } from "./types";

export const REVIEW_ROLES = ["LEAD"] as const;

/** Images of a project held back from exports until a lead reviews their burned-in text. */
export async function pendingBurnedInCount(projectId: string): Promise<number> {
  return db().image.count({ where: { projectId, burnedInReview: "PENDING", exportBlocked: false } });
}

export async function listPendingBurnedIn(actor: Actor, projectId: string, take = 200): Promise<PendingImage[]> {
  await requireProjectRole(actor, projectId, [...REVIEW_ROLES]);
  const rows = await db().image.findMany({
    where: { projectId, burnedInReview: "PENDING", exportBlocked: false },
    select: { id: true, width: true, height: true, sourceFormat: true, label: true, flags: true, createdAt: true },
    orderBy: { id: "asc" },
    take: Math.min(take, 500),
  });
  return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }));
}

/** The review page's data: the project, the pending images, and the one on show (first by default). */
export async function loadBurnedInReview(actor: Actor, slug: string, imageId?: string) {
  const project = await db().project.findUnique({ where: { slug }, select: { id: true, name: true, slug: true } });
  if (!project) throw new AppError("NOT_FOUND", "Project not found");
  const pending = await listPendingBurnedIn(actor, project.id);
  const current = imageId ? (pending.find((p) => p.id === imageId) ?? null) : (pending[0] ?? null);
  if (imageId && !current) throw new AppError("NOT_FOUND", "No image awaiting burned-in review with this id");
  return { project, pending, current };
}
