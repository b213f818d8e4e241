import { z } from "zod";
import { route } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { liveStatus } from "@/lib/dashboard/queries";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid() });

/** What the dashboard polls: training progress, jobs and workers. */
export const GET = route<{ projectId: string }>(async (_req, ctx) => {
  const user = await requireUser();
  const { projectId } = params.parse(await ctx.params);
  return Response.json(await liveStatus(user, projectId), { headers: { "cache-control": "no-store" } });
});
