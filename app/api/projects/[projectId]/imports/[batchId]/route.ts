import { z } from "zod";
import { route } from "@/app/_lib/route";
import { getImportBatch } from "@/lib/imports/queries";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid(), batchId: z.string().uuid() });

/** An import's counters and report (polled for progress while an archive is expanding). */
export const GET = route({ params }, async ({ user, params: { projectId, batchId } }) =>
  Response.json({ import: await getImportBatch(user, projectId, batchId) }),
);
