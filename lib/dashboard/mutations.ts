import "server-only";
import { db } from "../db/client";
import { AppError } from "../errors/app-error";
import { recordAudit } from "../audit/mutations";
import { requireProjectRole } from "../auth/authorize";
import type { Actor } from "../auth/types";
import { retryJob } from "../jobs/mutations";
import { selectStage1Subset } from "../protocol/mutations";

/** A lead puts one of the project's failed or cancelled jobs back in the queue. */
export async function retryProjectJob(actor: Actor, projectId: string, jobId: string) {
  await requireProjectRole(actor, projectId, ["LEAD"]);
  const job = await db().job.findUnique({
    where: { id: jobId },
    select: { projectId: true, status: true, name: true },
  });
  if (!job || job.projectId !== projectId) throw new AppError("NOT_FOUND", "Job not found");
  if (!(await retryJob(jobId)))
    throw new AppError(
      "CONFLICT",
      `Only a failed or cancelled job can be retried (this one is ${job.status.toLowerCase()})`,
    );
  await recordAudit({
    action: "job.retry",
    objectType: "Job",
    objectId: jobId,
    projectId,
    actorId: actor.userId,
    before: { status: job.status },
    after: { name: job.name },
  });
  return { ok: true as const };
}

/** Picks the Stage-I subset with the size (or fraction) in the project's settings. */
export async function selectSubsetFromSettings(actor: Actor, projectId: string) {
  await requireProjectRole(actor, projectId, ["LEAD"]);
  const p = await db().project.findUnique({ where: { id: projectId }, select: { s1Size: true, s1Fraction: true } });
  if (!p) throw new AppError("NOT_FOUND", "Project not found");
  if (p.s1Size === null && p.s1Fraction === null)
    throw new AppError("CONFLICT", "Set the Stage-I subset size (or fraction) in the project settings first");
  return selectStage1Subset(actor, projectId, { size: p.s1Size ?? undefined, fraction: p.s1Fraction ?? undefined });
}
