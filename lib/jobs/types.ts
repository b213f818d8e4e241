import type { z } from "zod";

export type JobDefinition<S extends z.ZodType = z.ZodType> = {
  name: string;
  payload: S;
  maxAttempts?: number;
  /** Lease length; a handler that stops heart-beating for this long is presumed dead. */
  leaseMs?: number;
  priority?: number;
  /** A periodic job: workers enqueue it (default payload) once per this many milliseconds. */
  everyMs?: number;
  /** A diagnostic job (tests, benchmarks): run only by a worker that names it (WORKER_JOBS), never by default. */
  diagnostic?: true;
};

export type JobRow = {
  id: string;
  name: string;
  payload: unknown;
  status: "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";
  attempts: number;
  maxAttempts: number;
  lockedBy: string | null;
  projectId: string | null;
};

export type EnqueueOptions = {
  singletonKey?: string;
  priority?: number;
  runAfter?: Date;
  maxAttempts?: number;
  projectId?: string;
};

export type JobContext<P> = {
  jobId: string;
  attempt: number;
  payload: P;
  signal: AbortSignal;
  progress(p: Record<string, unknown>): Promise<void>;
};

export type JobHandler<P> = (ctx: JobContext<P>) => Promise<unknown>;

/** Errors a handler throws with `retryable: false` fail the job at once. */
export class PermanentJobError extends Error {
  readonly retryable = false;
}
