import "server-only";
import { db } from "../db/client";
import { Prisma } from "../db/generated/client";
import { sql, sqlTransaction } from "../db/raw";
import { uuidv7 } from "../db/uuid";
import { AppError } from "../errors/app-error";
import { requireProjectRole } from "../auth/authorize";
import type { Actor } from "../auth/types";
import { auditInsertSql, recordAudit } from "../audit/mutations";
import { enqueue } from "../jobs/queue";
import { canonicalOptions } from "./schema";
import { EXPORT_ROLES, exportJobKey, findActiveExport, selectionCounts } from "./queries";
import type { ExportResult } from "./types";

/**
 * An exporter or lead asks for a dataset export. Refused while a chosen image has no accepted
 * mask, unless the options say "accepted only". A repeat of a request that is still queued or
 * running returns that export instead of starting a second one.
 */
export async function requestExport(actor: Actor, projectId: string, input: unknown, opts: { enqueue?: boolean } = {}) {
  await requireProjectRole(actor, projectId, [...EXPORT_ROLES]);
  const options = canonicalOptions(input);
  const counts = await selectionCounts(projectId, options);
  if (counts.unaccepted > 0 && !options.acceptedOnly) {
    throw new AppError(
      "CONFLICT",
      `${counts.unaccepted} chosen image${counts.unaccepted === 1 ? " has" : "s have"} no accepted mask yet: wait for them, narrow the selection, or export accepted images only`,
      { ...counts },
    );
  }
  if (counts.chosen === 0) throw new AppError("CONFLICT", "No accepted image matches this selection", { ...counts });
  const queueIt = opts.enqueue ?? true;
  if (queueIt) {
    const active = await findActiveExport(projectId, options);
    if (active) return { exportId: active.id, created: false, counts };
  }
  const exportId = uuidv7();
  await db().$transaction(async (tx) => {
    await tx.export.create({
      data: {
        id: exportId,
        projectId,
        requestedById: actor.userId,
        options: options as unknown as Prisma.InputJsonValue,
      },
    });
    await recordAudit(
      {
        action: "export.request",
        objectType: "Export",
        objectId: exportId,
        projectId,
        actorId: actor.userId,
        after: { options, counts, via: queueIt ? "queue" : "cli" },
      },
      tx,
    );
  });
  if (queueIt) await enqueue("export", { exportId }, { singletonKey: exportJobKey(exportId), projectId });
  return { exportId, created: true, counts };
}

/** QUEUED (or a retried RUNNING) → RUNNING; false when the export is already settled. */
export async function markExportRunning(exportId: string): Promise<boolean> {
  // Plain pg, as every statement of an export run (see selectionCounts in queries.ts).
  const n = await sql().run(Prisma.sql`UPDATE "Export" SET status = 'RUNNING', "finishedAt" = NULL
    WHERE id = ${exportId}::uuid AND status IN ('QUEUED', 'RUNNING', 'FAILED')`);
  return n === 1;
}

export async function completeExport(exportId: string, r: ExportResult, storageKey: string | null): Promise<void> {
  await sqlTransaction(async (tx) => {
    const [row] = await tx.rows<{ projectId: string }>(Prisma.sql`UPDATE "Export"
      SET status = 'SUCCEEDED', "storageKey" = ${storageKey}, "datasetVersion" = ${r.datasetVersion}, sha256 = ${r.sha256},
          "sizeBytes" = ${r.sizeBytes}::bigint, "fileCount" = ${r.fileCount}::int, "finishedAt" = now()
      WHERE id = ${exportId}::uuid RETURNING "projectId"`);
    if (!row) throw new AppError("NOT_FOUND", "Export not found");
    await tx.run(
      auditInsertSql({
        action: "export.complete",
        objectType: "Export",
        objectId: exportId,
        projectId: row.projectId,
        after: { ...r, stored: storageKey !== null },
      }),
    );
  });
}

export async function failExport(exportId: string, message: string): Promise<void> {
  const row = await db().export.update({ where: { id: exportId }, data: { status: "FAILED", finishedAt: new Date() } });
  await recordAudit({
    action: "export.fail",
    objectType: "Export",
    objectId: exportId,
    projectId: row.projectId,
    after: { error: message.slice(0, 500) },
  });
}

export async function recordExportLink(
  actor: Actor,
  exportId: string,
  projectId: string,
  expiresAt: Date,
): Promise<void> {
  await recordAudit({
    action: "export.link",
    objectType: "Export",
    objectId: exportId,
    projectId,
    actorId: actor.userId,
    after: { expiresAt: expiresAt.toISOString() },
  });
}

export async function recordExportDownload(
  userId: string,
  exportId: string,
  projectId: string,
  range: { start: number; end: number } | null,
): Promise<void> {
  await recordAudit({
    action: "export.download",
    objectType: "Export",
    objectId: exportId,
    projectId,
    actorId: userId,
    after: { range },
  });
}
