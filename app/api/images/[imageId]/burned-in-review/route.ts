import { z } from "zod";
import { route, jsonBody } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { decideBurnedIn } from "@/lib/review/mutations";
import { burnedInDecisionSchema } from "@/lib/review/schema";

export const dynamic = "force-dynamic";
const params = z.object({ imageId: z.string().uuid() });

/** A lead's decision on an image held back for burned-in text: RELEASE, EXCLUDE or MASK {region}. */
export const POST = route<{ imageId: string }>(async (req, ctx) => {
  const user = await requireUser();
  const { imageId } = params.parse(await ctx.params);
  const body = burnedInDecisionSchema.parse(await jsonBody(req));
  return Response.json(await decideBurnedIn(user, imageId, body));
});
