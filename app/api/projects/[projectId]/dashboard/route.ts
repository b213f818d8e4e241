import { z } from "zod";
import { route } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { loadDashboard } from "@/lib/dashboard/queries";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid() });

/** Every figure of the lead dashboard as JSON. */
export const GET = route<{ projectId: string }>(async (_req, ctx) => {
  const user = await requireUser();
  const { projectId } = params.parse(await ctx.params);
  return Response.json(await loadDashboard(user, projectId), { headers: { "cache-control": "no-store" } });
});
