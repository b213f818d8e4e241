import { z } from "zod";
import { route } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { imageResponse } from "@/app/_lib/image-response";
import { ballotCandidateKey } from "@/lib/voting/queries";
import { store } from "@/lib/storage/store";
import { decodeMaskPng } from "@/lib/masks/png-codec";
import { fixedSizeMaskPng } from "@/lib/voting/render";

export const dynamic = "force-dynamic";
const params = z.object({ ballotId: z.string().uuid(), position: z.coerce.number().int().min(1).max(20) });

// Every candidate, manual or machine, is re-encoded the same way (a PNG whose size depends only
// on the image's size) and served with the same headers: nothing tells where it came from.
export const GET = route<{ ballotId: string; position: string }>(async (_req, ctx) => {
  const user = await requireUser();
  const { ballotId, position } = params.parse(await ctx.params);
  const storageKey = await ballotCandidateKey(user, ballotId, position);
  const m = await decodeMaskPng(await store().get(storageKey));
  return imageResponse(fixedSizeMaskPng(m.mask, m.width, m.height), "image/png");
});
