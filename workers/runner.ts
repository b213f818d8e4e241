import os from "node:os";
import { randomUUID } from "node:crypto";
import { jobDefinitions } from "../lib/jobs/definitions";
import {
  claimJob,
  completeJob,
  extendLease,
  failExhaustedJobs,
  failJob,
  insertJob,
  releaseJob,
  removeWorker,
  upsertWorker,
} from "../lib/jobs/mutations";
import type { JobDefinition } from "../lib/jobs/types";
import { logger } from "../lib/log/logger";
import { handlers } from "./handlers";

export type RunnerOptions = {
  names?: string[];
  pollMs?: number;
  leaseMs?: number;
  concurrency?: number;
  gpu?: string | null;
  /** Only this project's jobs (an in-process runner, e.g. `tandem simulate`). */
  projectId?: string;
};

/** Pulls jobs from the Postgres queue and runs them; stop() drains gracefully. */
export function startRunner(opts: RunnerOptions = {}) {
  const workerId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  // By default every production job; diagnostic ones only when named.
  const names =
    opts.names ??
    Object.keys(handlers).filter(
      (n) => !(jobDefinitions[n as keyof typeof jobDefinitions] as JobDefinition).diagnostic,
    );
  const pollMs = opts.pollMs ?? 1000;
  const defaultLease = opts.leaseMs ?? 60_000;
  const slots = opts.concurrency ?? 1;
  let stopping = false;
  const running = new Map<string, AbortController>();
  let wake: (() => void) | null = null;

  // Periodic jobs this worker runs: each is enqueued once per period by whichever worker
  // gets there first (the period's singleton key makes the others' inserts no-ops).
  const periodic = opts.projectId
    ? []
    : names
        .map((n) => (jobDefinitions as Record<string, JobDefinition>)[n])
        .filter((d): d is JobDefinition & { everyMs: number } => !!d?.everyMs);
  const enqueueDue = () =>
    Promise.all(
      periodic.map((d) =>
        insertJob(d.name, d.payload.parse({}), {
          singletonKey: `${d.name}@${Math.floor(Date.now() / d.everyMs)}`,
          maxAttempts: d.maxAttempts,
        }),
      ),
    ).catch((e) => logger.warn("periodic enqueue failed", { err: String(e) }));

  const heartbeat = setInterval(() => {
    upsertWorker({
      id: workerId,
      hostname: os.hostname(),
      pid: process.pid,
      jobNames: names,
      gpu: opts.gpu ?? null,
    }).catch((e) => logger.warn("worker heartbeat failed", { err: String(e) }));
    failExhaustedJobs().catch(() => undefined);
    void enqueueDue();
  }, 10_000);

  async function runOne(): Promise<boolean> {
    const job = await claimJob(workerId, names, defaultLease, opts.projectId);
    if (!job) return false;
    const def = (jobDefinitions as Record<string, { payload: any; leaseMs?: number }>)[job.name];
    // An operator's WORKER_LEASE_MS wins over the job's own (short leases: faster takeover).
    const lease = opts.leaseMs ?? def?.leaseMs ?? defaultLease;
    const ac = new AbortController();
    running.set(job.id, ac);
    const beat = setInterval(
      async () => {
        const held = await extendLease(job.id, workerId, lease).catch(() => true);
        if (!held) ac.abort(new Error("lease lost"));
      },
      Math.max(1000, lease / 3),
    );
    const t0 = Date.now();
    try {
      const payload = def.payload.parse(job.payload);
      const result = await handlers[job.name as keyof typeof handlers]({
        jobId: job.id,
        attempt: job.attempts,
        payload,
        signal: ac.signal,
        progress: async (p) => {
          await extendLease(job.id, workerId, lease, p);
        },
      });
      await completeJob(job.id, workerId, result);
      logger.info("job done", { job: job.id, name: job.name, ms: Date.now() - t0 });
    } catch (e) {
      if (stopping && ac.signal.aborted) {
        await releaseJob(job.id, workerId);
        logger.info("job released for another worker", { job: job.id, name: job.name });
      } else {
        const retryable = (e as { retryable?: boolean }).retryable !== false && !(e instanceof SyntaxError);
        await failJob(job.id, workerId, e instanceof Error ? e.message : String(e), retryable);
        logger.warn("job failed", {
          job: job.id,
          name: job.name,
          attempt: job.attempts,
          err: e instanceof Error ? e.message : String(e),
        });
      }
    } finally {
      clearInterval(beat);
      running.delete(job.id);
    }
    return true;
  }

  async function loop() {
    await enqueueDue();
    await upsertWorker({
      id: workerId,
      hostname: os.hostname(),
      pid: process.pid,
      jobNames: names,
      gpu: opts.gpu ?? null,
    });
    while (!stopping) {
      let worked = false;
      try {
        worked = await runOne();
      } catch (e) {
        logger.error("worker poll failed", { err: String(e) });
      }
      if (!worked && !stopping)
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, pollMs);
        });
    }
  }

  const loops = Array.from({ length: slots }, () => loop());
  logger.info("worker started", { workerId, names, slots });

  return {
    workerId,
    async stop(graceMs = 30_000) {
      stopping = true;
      wake?.();
      clearInterval(heartbeat);
      const deadline = setTimeout(() => running.forEach((ac) => ac.abort(new Error("shutdown"))), graceMs);
      await Promise.allSettled(loops);
      clearTimeout(deadline);
      await removeWorker(workerId).catch(() => undefined);
      logger.info("worker stopped", { workerId });
    },
  };
}
