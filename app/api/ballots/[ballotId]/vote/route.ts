import { z } from "zod";
import { json, route } from "@/app/_lib/route";
import { castVote } from "@/lib/voting/mutations";
import { castVoteSchema } from "@/lib/voting/schema";

export const dynamic = "force-dynamic";
const params = z.object({ ballotId: z.string().uuid() });

export const POST = route({ params, body: json(castVoteSchema) }, async ({ user, params: { ballotId }, body }) => {
  const r = await castVote(user, ballotId, body);
  return Response.json({ ok: true, duplicate: r.duplicate });
});
