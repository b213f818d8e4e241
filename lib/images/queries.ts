import "server-only";
import { db } from "../db/client";
import { Prisma } from "../db/generated/client";
import { sql } from "../db/raw";
import { AppError } from "../errors/app-error";
import { requireProjectRole, requireRoleOnObject } from "../auth/authorize";
import type { Actor, Role } from "../auth/types";

/** An image of a project the actor belongs to (NOT_FOUND otherwise: ids reveal nothing). */
export async function getImageForActor(actor: Actor, imageId: string, allowed: Role[] = ["LEAD", "MD", "EXPORTER"]) {
  const image = await db().image.findUnique({ where: { id: imageId } });
  if (!image) throw new AppError("NOT_FOUND", "Image not found");
  await requireRoleOnObject(actor, image.projectId, allowed, "Image");
  return image;
}

export async function listImages(
  actor: Actor,
  projectId: string,
  opts: { state?: string; cursor?: string; take?: number } = {},
) {
  await requireProjectRole(actor, projectId, ["LEAD", "EXPORTER"]);
  return db().image.findMany({
    where: { projectId, state: opts.state as never },
    orderBy: { id: "asc" },
    take: Math.min(opts.take ?? 100, 500),
    ...(opts.cursor ? { cursor: { id: opts.cursor }, skip: 1 } : {}),
    select: {
      id: true,
      originalName: true,
      label: true,
      state: true,
      width: true,
      height: true,
      sourceDataset: true,
      patientPseudonym: true,
      inS1: true,
      fold: true,
      flags: true,
    },
  });
}

/** Which of these upload hashes a project already holds (sha256 → image id). Internal: no actor. */
export async function imageIdsBySha256(projectId: string, sha256s: string[]): Promise<Map<string, string>> {
  if (sha256s.length === 0) return new Map();
  // Plain SQL: once per imported file, where Prisma's per-query work cost more than the lookup.
  const rows = await sql().rows<{ id: string; sha256: string }>(Prisma.sql`
    SELECT id, sha256 FROM "Image" WHERE "projectId" = ${projectId}::uuid AND sha256 = ANY(${sha256s}::text[])`);
  return new Map(rows.map((r) => [r.sha256, r.id]));
}
