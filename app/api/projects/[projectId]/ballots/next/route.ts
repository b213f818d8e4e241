import { z } from "zod";
import { json, route } from "@/app/_lib/route";
import { nextBallot } from "@/lib/voting/mutations";
import { nothingToVoteReason } from "@/lib/voting/queries";
import { ballotNextSchema } from "@/lib/voting/schema";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid() });

export const POST = route(
  { params, body: json(ballotNextSchema) },
  async ({ user, params: { projectId }, body: { exclude, preload } }) => {
    const ballot = await nextBallot(user, projectId, exclude, { preload });
    const body = ballot ? { ballot } : { ballot: null, nothing: await nothingToVoteReason(user, projectId) };
    return Response.json(body, { headers: { "Cache-Control": "no-store" } });
  },
);
