import { z } from "zod";
import { route, jsonBody } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { nextBallot } from "@/lib/voting/mutations";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid() });

const query = z.object({ exclude: z.array(z.string().uuid()).max(5).default([]) });

export const POST = route<{ projectId: string }>(async (req, ctx) => {
  const user = await requireUser();
  const { projectId } = params.parse(await ctx.params);
  const { exclude } = query.parse(await jsonBody(req));
  const ballot = await nextBallot(user, projectId, exclude);
  return Response.json(ballot ? { ballot } : { ballot: null }, { headers: { "Cache-Control": "no-store" } });
});
