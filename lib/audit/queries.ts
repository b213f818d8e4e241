import "server-only";
import { db } from "../db/client";

export async function listAudit(filter: { projectId?: string; actorId?: string; take?: number }) {
  return db().auditLog.findMany({
    where: { projectId: filter.projectId, actorId: filter.actorId },
    orderBy: { id: "desc" },
    take: filter.take ?? 100,
  });
}
