import { z } from "zod";
import { route, jsonBody } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { resolveDispute } from "@/lib/voting/mutations";

export const dynamic = "force-dynamic";
const params = z.object({ imageId: z.string().uuid() });
const body = z.object({ candidateId: z.string().uuid().nullable() });

export const POST = route<{ imageId: string }>(async (req, ctx) => {
  const user = await requireUser();
  const { imageId } = params.parse(await ctx.params);
  const { candidateId } = body.parse(await jsonBody(req));
  return Response.json(await resolveDispute(user, imageId, candidateId));
});
