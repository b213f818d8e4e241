import { z } from "zod";
import { json, route } from "@/app/_lib/route";
import { finishImportBatch } from "@/lib/imports/mutations";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid(), batchId: z.string().uuid() });

/** Closes the import: near-duplicates, final counters, audit. Idempotent. Body: `{}`. */
export const POST = route({ params, body: json(z.object({})) }, async ({ user, params: { projectId, batchId } }) =>
  Response.json({ import: await finishImportBatch(user, projectId, batchId) }),
);
