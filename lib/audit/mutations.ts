import "server-only";
import { db } from "../db/client";
import { Prisma } from "../db/generated/client";

export type AuditEntry = {
  action: string;
  objectType: string;
  objectId?: string | null;
  actorId?: string | null;
  projectId?: string | null;
  before?: unknown;
  after?: unknown;
};

/** An entry about one image of a project: by the protocol itself unless an actor is named. */
export function imageEntry(
  action: string,
  image: { projectId: string; imageId: string },
  after: unknown,
  actorId: string | null = null,
): AuditEntry {
  return { action, objectType: "Image", objectId: image.imageId, projectId: image.projectId, actorId, after };
}

/** Appends to the audit log (the table refuses UPDATE and DELETE). */
export async function recordAudit(e: AuditEntry, tx: Prisma.TransactionClient = db()): Promise<void> {
  await tx.$executeRaw(auditInsertSql(e));
}

/**
 * The audit row as an INSERT statement: `recordAudit` runs it, and the vote's hot path writes it
 * inside a larger statement (a CTE) to save a round trip. `before` and `after` must be
 * JSON-serialisable; absent (or null) is stored as SQL NULL.
 */
export function auditInsertSql(e: AuditEntry): Prisma.Sql {
  const j = (v: unknown) => (v == null ? null : JSON.stringify(v));
  return Prisma.sql`INSERT INTO "AuditLog" (at, "actorId", "projectId", action, "objectType", "objectId", before, after)
    VALUES (now(), ${e.actorId ?? null}::uuid, ${e.projectId ?? null}::uuid, ${e.action}, ${e.objectType}, ${e.objectId ?? null},
            ${j(e.before)}::jsonb, ${j(e.after)}::jsonb)`;
}
