import { z } from "zod";
import { route } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { finishImportBatch } from "@/lib/imports/mutations";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid(), batchId: z.string().uuid() });

/** Closes the import: near-duplicates, final counters, audit. Idempotent. */
export const POST = route<{ projectId: string; batchId: string }>(async (_req, ctx) => {
  const user = await requireUser();
  const { projectId, batchId } = params.parse(await ctx.params);
  return Response.json({ import: await finishImportBatch(user, projectId, batchId) });
});
