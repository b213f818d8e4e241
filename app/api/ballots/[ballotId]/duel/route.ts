import { z } from "zod";
import { route, jsonBody } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { recordDuel } from "@/lib/voting/mutations";
import { duelSchema } from "@/lib/voting/schema";

export const dynamic = "force-dynamic";
const params = z.object({ ballotId: z.string().uuid() });

export const POST = route<{ ballotId: string }>(async (req, ctx) => {
  const user = await requireUser();
  const { ballotId } = params.parse(await ctx.params);
  return Response.json(await recordDuel(user, ballotId, duelSchema.parse(await jsonBody(req))), { headers: { "Cache-Control": "no-store" } });
});
