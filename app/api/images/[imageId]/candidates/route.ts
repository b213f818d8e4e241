import { z } from "zod";
import { route } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { revealCandidates } from "@/lib/voting/queries";

export const dynamic = "force-dynamic";
const params = z.object({ imageId: z.string().uuid() });

export const GET = route<{ imageId: string }>(async (_req, ctx) => {
  const user = await requireUser();
  const { imageId } = params.parse(await ctx.params);
  return Response.json({ candidates: await revealCandidates(user, imageId) });
});
