import { z } from "zod";
import { json, route } from "@/app/_lib/route";
import { releaseBallot } from "@/lib/voting/mutations";

export const dynamic = "force-dynamic";
const params = z.object({ ballotId: z.string().uuid() });

// Sent with navigator.sendBeacon (an empty JSON object) when the vote page is hidden or left.
export const POST = route({ params, body: json(z.object({}).strict()) }, async ({ user, params: { ballotId } }) =>
  Response.json(await releaseBallot(user, ballotId), { headers: { "Cache-Control": "no-store" } }),
);
