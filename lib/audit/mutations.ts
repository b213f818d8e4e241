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

const json = (v: unknown) => (v === undefined ? undefined : (v as Prisma.InputJsonValue));

/** Appends to the audit log (the table refuses UPDATE and DELETE). */
export async function recordAudit(e: AuditEntry, tx: Prisma.TransactionClient = db()): Promise<void> {
  await tx.auditLog.create({
    data: {
      action: e.action,
      objectType: e.objectType,
      objectId: e.objectId ?? null,
      actorId: e.actorId ?? null,
      projectId: e.projectId ?? null,
      before: json(e.before),
      after: json(e.after),
    },
  });
}

/**
 * The same audit row as an INSERT statement, for a hot path that writes it inside a larger
 * statement (a CTE) to save a round trip. `after` must be JSON-serialisable.
 */
export function auditInsertSql(e: AuditEntry): Prisma.Sql {
  const j = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
  return Prisma.sql`INSERT INTO "AuditLog" (at, "actorId", "projectId", action, "objectType", "objectId", before, after)
    VALUES (now(), ${e.actorId ?? null}::uuid, ${e.projectId ?? null}::uuid, ${e.action}, ${e.objectType}, ${e.objectId ?? null},
            ${j(e.before)}::jsonb, ${j(e.after)}::jsonb)`;
}
