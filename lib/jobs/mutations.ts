import "server-only";
import { db } from "../db/client";
import type { EnqueueOptions, JobRow } from "./types";

/** Inserts a job; with a singletonKey a second enqueue returns the first job (idempotent). */
export async function insertJob(
  name: string,
  payload: unknown,
  opts: EnqueueOptions,
): Promise<{ id: string; created: boolean }> {
  const rows = await db().$queryRaw<{ id: string }[]>`
    INSERT INTO "Job" (id, name, payload, "singletonKey", priority, "runAfter", "maxAttempts", "projectId")
    VALUES (gen_random_uuid(), ${name}, ${JSON.stringify(payload)}::jsonb, ${opts.singletonKey ?? null},
            ${opts.priority ?? 0}, ${opts.runAfter ?? new Date()}, ${opts.maxAttempts ?? 3}, ${opts.projectId ?? null}::uuid)
    ON CONFLICT ("singletonKey") DO NOTHING
    RETURNING id`;
  if (rows.length) return { id: rows[0].id, created: true };
  const existing = await db().job.findUniqueOrThrow({
    where: { singletonKey: opts.singletonKey! },
    select: { id: true },
  });
  return { id: existing.id, created: false };
}

/**
 * Claims the next runnable job of the given names: queued and due, or running with an
 * expired lease (its worker died). SKIP LOCKED lets any number of workers poll at once.
 */
export async function claimJob(
  workerId: string,
  names: string[],
  leaseMs: number,
  projectId?: string,
): Promise<JobRow | null> {
  const rows = await db().$queryRaw<JobRow[]>`
    UPDATE "Job" SET status = 'RUNNING', "lockedBy" = ${workerId},
      "lockedUntil" = now() + (${leaseMs} * interval '1 millisecond'),
      attempts = attempts + 1, "startedAt" = COALESCE("startedAt", now())
    WHERE id = (
      SELECT id FROM "Job"
      WHERE name = ANY(${names}::text[]) AND attempts < "maxAttempts"
        AND (${projectId ?? null}::uuid IS NULL OR "projectId" = ${projectId ?? null}::uuid)
        AND ((status = 'QUEUED' AND "runAfter" <= now()) OR (status = 'RUNNING' AND "lockedUntil" < now()))
      ORDER BY priority DESC, "runAfter", id
      FOR UPDATE SKIP LOCKED
      LIMIT 1)
    RETURNING id, name, payload, status, attempts, "maxAttempts", "lockedBy", "projectId"`;
  return rows[0] ?? null;
}

/** Marks jobs whose worker died on their last attempt as failed. */
export async function failExhaustedJobs(): Promise<number> {
  return db().$executeRaw`
    UPDATE "Job" SET status = 'FAILED', "finishedAt" = now(), "lockedBy" = NULL,
      "lastError" = COALESCE("lastError", 'worker stopped responding')
    WHERE status = 'RUNNING' AND "lockedUntil" < now() AND attempts >= "maxAttempts"`;
}

/** Extends the lease; false when this worker no longer holds the job. */
export async function extendLease(
  jobId: string,
  workerId: string,
  leaseMs: number,
  progress?: Record<string, unknown>,
): Promise<boolean> {
  const n = await db().$executeRaw`
    UPDATE "Job" SET "lockedUntil" = now() + (${leaseMs} * interval '1 millisecond'),
      progress = COALESCE(${progress ? JSON.stringify(progress) : null}::jsonb, progress)
    WHERE id = ${jobId}::uuid AND "lockedBy" = ${workerId} AND status = 'RUNNING'`;
  return n === 1;
}

export async function completeJob(jobId: string, workerId: string, result: unknown): Promise<boolean> {
  const n = await db().$executeRaw`
    UPDATE "Job" SET status = 'SUCCEEDED', result = ${JSON.stringify(result ?? null)}::jsonb,
      "finishedAt" = now(), "lockedUntil" = NULL
    WHERE id = ${jobId}::uuid AND "lockedBy" = ${workerId} AND status = 'RUNNING'`;
  return n === 1;
}

export async function failJob(jobId: string, workerId: string, error: string, retryable: boolean): Promise<void> {
  await db().$executeRaw`
    UPDATE "Job" SET
      status = CASE WHEN ${retryable} AND attempts < "maxAttempts" THEN 'QUEUED'::"JobStatus" ELSE 'FAILED'::"JobStatus" END,
      "runAfter" = now() + (LEAST(300, power(2, attempts)) * interval '1 second'),
      "lastError" = ${error.slice(0, 4000)}, "lockedUntil" = NULL,
      "finishedAt" = CASE WHEN ${retryable} AND attempts < "maxAttempts" THEN NULL ELSE now() END
    WHERE id = ${jobId}::uuid AND "lockedBy" = ${workerId} AND status = 'RUNNING'`;
}

/** Gives a job back to the queue at once (graceful shutdown): the attempt is not counted. */
export async function releaseJob(jobId: string, workerId: string): Promise<void> {
  await db().$executeRaw`
    UPDATE "Job" SET status = 'QUEUED', attempts = GREATEST(attempts - 1, 0), "lockedBy" = NULL,
      "lockedUntil" = NULL, "runAfter" = now()
    WHERE id = ${jobId}::uuid AND "lockedBy" = ${workerId} AND status = 'RUNNING'`;
}

export async function retryJob(jobId: string): Promise<boolean> {
  const n = await db().$executeRaw`
    UPDATE "Job" SET status = 'QUEUED', attempts = 0, "runAfter" = now(), "lastError" = NULL, "finishedAt" = NULL
    WHERE id = ${jobId}::uuid AND status IN ('FAILED', 'CANCELLED')`;
  return n === 1;
}

export async function upsertWorker(w: {
  id: string;
  hostname: string;
  pid: number;
  jobNames: string[];
  gpu: string | null;
}): Promise<void> {
  await db().worker.upsert({
    where: { id: w.id },
    create: { ...w, heartbeatAt: new Date() },
    update: { heartbeatAt: new Date(), jobNames: w.jobNames },
  });
}

export async function removeWorker(id: string): Promise<void> {
  await db().worker.deleteMany({ where: { id } });
}
