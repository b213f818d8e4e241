import { z } from "zod";
import { json, route } from "@/app/_lib/route";
import { nextBallot } from "@/lib/voting/mutations";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid() });

const query = z.object({ exclude: z.array(z.string().uuid()).max(5).default([]) });

export const POST = route({ params, body: json(query) }, async ({ user, params: { projectId }, body: { exclude } }) => {
  const ballot = await nextBallot(user, projectId, exclude);
  return Response.json(ballot ? { ballot } : { ballot: null }, { headers: { "Cache-Control": "no-store" } });
});
