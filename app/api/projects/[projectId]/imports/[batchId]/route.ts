import { z } from "zod";
import { route } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { getImportBatch } from "@/lib/imports/queries";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid(), batchId: z.string().uuid() });

/** An import's counters and report (polled for progress while an archive is expanding). */
export const GET = route<{ projectId: string; batchId: string }>(async (_req, ctx) => {
  const user = await requireUser();
  const { projectId, batchId } = params.parse(await ctx.params);
  return Response.json({ import: await getImportBatch(user, projectId, batchId) });
});
