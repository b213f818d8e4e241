import { z } from "zod";
import { route } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { imageResponse } from "@/app/_lib/image-response";
import { revealedCandidateKey } from "@/lib/voting/queries";
import { store } from "@/lib/storage/store";

export const dynamic = "force-dynamic";
const params = z.object({ imageId: z.string().uuid(), candidateId: z.string().uuid() });

export const GET = route<{ imageId: string; candidateId: string }>(async (_req, ctx) => {
  const user = await requireUser();
  const { imageId, candidateId } = params.parse(await ctx.params);
  return imageResponse(await store().get(await revealedCandidateKey(user, imageId, candidateId)), "image/png");
});
