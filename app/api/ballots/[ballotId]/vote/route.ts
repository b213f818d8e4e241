import { z } from "zod";
import { route, jsonBody } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { castVote } from "@/lib/voting/mutations";
import { castVoteSchema } from "@/lib/voting/schema";

export const dynamic = "force-dynamic";
const params = z.object({ ballotId: z.string().uuid() });

export const POST = route<{ ballotId: string }>(async (req, ctx) => {
  const user = await requireUser();
  const { ballotId } = params.parse(await ctx.params);
  const r = await castVote(user, ballotId, castVoteSchema.parse(await jsonBody(req)));
  return Response.json({ ok: true, duplicate: r.duplicate });
});
