import { z } from "zod";
import type { JobDefinition } from "./types";

// Every job kind: a name and its payload schema. Handlers live in workers/handlers and are
// registered in workers/handlers/index.ts under the same names.
const uuid = z.string().uuid();

export const jobDefinitions = {
  noop: { name: "noop", payload: z.object({ tag: z.string(), sleepMs: z.number().int().min(0).max(60_000).default(0) }) },
} satisfies Record<string, JobDefinition>;

export { uuid as uuidSchema };
