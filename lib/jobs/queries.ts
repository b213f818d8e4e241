import "server-only";
import { db } from "../db/client";

export async function getJob(id: string) {
  return db().job.findUnique({ where: { id } });
}

export async function listJobs(filter: {
  projectId?: string;
  status?: ("QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED")[];
  take?: number;
}) {
  return db().job.findMany({
    where: { projectId: filter.projectId, status: filter.status ? { in: filter.status } : undefined },
    orderBy: { createdAt: "desc" },
    take: filter.take ?? 100,
  });
}

export async function jobCounts(projectId?: string) {
  const rows = await db().job.groupBy({ by: ["status"], where: { projectId }, _count: { _all: true } });
  return Object.fromEntries(rows.map((r) => [r.status, r._count._all])) as Record<string, number>;
}

/** Workers seen within the last `withinMs` (alive). */
export async function liveWorkers(withinMs = 60_000) {
  return db().worker.findMany({
    where: { heartbeatAt: { gte: new Date(Date.now() - withinMs) } },
    orderBy: { startedAt: "asc" },
  });
}

/**
 * The compute training jobs get: "gpu" when a live worker that takes `train` reports a GPU
 * (WORKER_GPU), else "cpu". New projects default to the preset for it.
 */
export async function trainingCompute(
  withinMs = 2 * 60_000,
): Promise<{ compute: "cpu" | "gpu"; trainWorkers: number }> {
  const workers = (await liveWorkers(withinMs)).filter((w) => w.jobNames.includes("train"));
  return { compute: workers.some((w) => w.gpu) ? "gpu" : "cpu", trainWorkers: workers.length };
}
