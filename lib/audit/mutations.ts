import "server-only";
import { db } from "../db/client";
import type { Prisma } from "../db/generated/client";

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
