import { z } from "zod";
import { route, jsonBody } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { nextBallot } from "@/lib/voting/mutations";
import { nothingToVoteReason } from "@/lib/voting/queries";
import { ballotNextSchema } from "@/lib/voting/schema";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid() });

export const POST = route<{ projectId: string }>(async (req, ctx) => {
  const user = await requireUser();
  const { projectId } = params.parse(await ctx.params);
  const { exclude, preload } = ballotNextSchema.parse(await jsonBody(req));
  const ballot = await nextBallot(user, projectId, exclude, { preload });
  const body = ballot ? { ballot } : { ballot: null, nothing: await nothingToVoteReason(user, projectId) };
  return Response.json(body, { headers: { "Cache-Control": "no-store" } });
});
