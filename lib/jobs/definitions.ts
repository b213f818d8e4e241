import { z } from "zod";
import type { JobDefinition } from "./types";

// Every job kind: a name and its payload schema. Handlers live in workers/handlers and are
// registered in workers/handlers/index.ts under the same names.
const uuid = z.string().uuid();

export const jobDefinitions = {
  // Proves the queue end to end (tests and the soak benchmark start workers with WORKER_JOBS=noop).
  // It writes no audit row: its trace is the job's result (and NOOP_TRACE_FILE where set).
  noop: {
    name: "noop",
    payload: z.object({ tag: z.string(), sleepMs: z.number().int().min(0).max(60_000).default(0) }),
    diagnostic: true,
  },
  train: { name: "train", payload: z.object({ runId: uuid }), maxAttempts: 3, leaseMs: 120_000 },
  predict: {
    name: "predict",
    payload: z.object({ runId: uuid, chunk: z.number().int().min(0), chunks: z.number().int().min(1) }),
    maxAttempts: 5,
    leaseMs: 120_000,
  },
  export: { name: "export", payload: z.object({ exportId: uuid }), maxAttempts: 3, leaseMs: 120_000 },
  // Maintenance, enqueued by every worker once per period (a singleton key per period).
  sweepOrphans: {
    name: "sweepOrphans",
    payload: z.object({
      graceMs: z.number().int().min(60_000).default(3_600_000),
      prefix: z
        .string()
        .regex(/^projects\/([0-9a-f-]{36}\/)?$/)
        .default("projects/"),
    }),
    maxAttempts: 3,
    leaseMs: 600_000,
    everyMs: 3_600_000,
  },
  failStaleImports: {
    name: "failStaleImports",
    payload: z.object({
      staleMs: z
        .number()
        .int()
        .min(60_000)
        .default(6 * 3_600_000),
    }),
    maxAttempts: 3,
    everyMs: 900_000,
  },
  // Closes voting rounds none of whose images waits any more: a round a vote's closing check
  // missed (the process stopped between the vote's commit and the check) does not stay open.
  closeFinishedRounds: {
    name: "closeFinishedRounds",
    payload: z.object({ projectId: uuid.optional() }),
    maxAttempts: 3,
    everyMs: 300_000,
  },
  interactive_train: {
    name: "interactive_train",
    payload: z.object({ projectId: uuid, acceptedMasks: z.number().int().min(0) }),
    maxAttempts: 3,
    leaseMs: 120_000,
  },
} satisfies Record<string, JobDefinition>;

export { uuid as uuidSchema };
