import { z } from "zod";
import type { JobDefinition } from "./types";

// Every job kind: a name and its payload schema. Handlers live in workers/handlers and are
// registered in workers/handlers/index.ts under the same names.
const uuid = z.string().uuid();

export const jobDefinitions = {
  noop: { name: "noop", payload: z.object({ tag: z.string(), sleepMs: z.number().int().min(0).max(60_000).default(0) }) },
  train: { name: "train", payload: z.object({ runId: uuid }), maxAttempts: 3, leaseMs: 120_000 },
  predict: { name: "predict", payload: z.object({ runId: uuid, chunk: z.number().int().min(0), chunks: z.number().int().min(1) }), maxAttempts: 5, leaseMs: 120_000 },
  export: { name: "export", payload: z.object({ exportId: uuid }), maxAttempts: 3, leaseMs: 120_000 },
  interactive_train: { name: "interactive_train", payload: z.object({ projectId: uuid, acceptedMasks: z.number().int().min(0) }), maxAttempts: 3, leaseMs: 120_000 },
} satisfies Record<string, JobDefinition>;

export { uuid as uuidSchema };
