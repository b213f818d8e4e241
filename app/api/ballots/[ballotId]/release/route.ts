import { z } from "zod";
import { route } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { releaseBallot } from "@/lib/voting/lease";

export const dynamic = "force-dynamic";
const params = z.object({ ballotId: z.string().uuid() });

// Sent with navigator.sendBeacon when the vote page is hidden or left.
export const POST = route<{ ballotId: string }>(async (_req, ctx) => {
  const user = await requireUser();
  const { ballotId } = params.parse(await ctx.params);
  return Response.json(await releaseBallot(user, ballotId), { headers: { "Cache-Control": "no-store" } });
});
