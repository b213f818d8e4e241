import { z } from "zod";
import { json, route } from "@/app/_lib/route";
import { recordDuel } from "@/lib/voting/mutations";
import { duelSchema } from "@/lib/voting/schema";

export const dynamic = "force-dynamic";
const params = z.object({ ballotId: z.string().uuid() });

export const POST = route({ params, body: json(duelSchema) }, async ({ user, params: { ballotId }, body }) =>
  Response.json(await recordDuel(user, ballotId, body), { headers: { "Cache-Control": "no-store" } }),
);
