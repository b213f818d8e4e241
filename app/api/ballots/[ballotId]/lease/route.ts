import { z } from "zod";
import { json, route } from "@/app/_lib/route";
import { holdBallot } from "@/lib/voting/mutations";
import { AppError } from "@/lib/errors/app-error";

export const dynamic = "force-dynamic";
const params = z.object({ ballotId: z.string().uuid() });

// The vote page's heartbeat: the shown ballot keeps its image while the MD is on the page.
export const POST = route({ params, body: json(z.object({}).strict()) }, async ({ user, params: { ballotId } }) => {
  const { held } = await holdBallot(user, ballotId);
  if (!held) throw new AppError("CONFLICT", "This image is no longer open to you: moving on to the next one");
  return Response.json({ ok: true }, { headers: { "Cache-Control": "no-store" } });
});
