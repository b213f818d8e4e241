import { z } from "zod";
import { route } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { overrideQualityGate } from "@/lib/protocol/quality-gate";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid() });

// The lead opens the vote although models failed the quality gate (audited).
export const POST = route<{ projectId: string }>(async (_req, ctx) => {
  const user = await requireUser();
  const { projectId } = params.parse(await ctx.params);
  return Response.json(await overrideQualityGate(user, projectId));
});
