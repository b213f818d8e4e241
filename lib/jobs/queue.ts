import { AppError } from "../errors/app-error";
import { insertJob } from "./mutations";
import { jobDefinitions } from "./definitions";
import type { EnqueueOptions, JobDefinition } from "./types";
import type { z } from "zod";

type Defs = typeof jobDefinitions;
export type JobName = keyof Defs;
export type JobPayload<N extends JobName> = z.infer<Defs[N]["payload"]>;

/** Validates the payload against its job's schema and enqueues it. */
export async function enqueue<N extends JobName>(name: N, payload: JobPayload<N>, opts: EnqueueOptions = {}) {
  const def: JobDefinition = jobDefinitions[name];
  if (!def) throw new AppError("BAD_REQUEST", `Unknown job ${String(name)}`);
  const parsed = def.payload.parse(payload);
  return insertJob(def.name, parsed, { maxAttempts: def.maxAttempts, priority: def.priority, ...opts });
}
