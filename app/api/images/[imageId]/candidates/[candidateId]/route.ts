import { z } from "zod";
import { route } from "@/app/_lib/route";
import { imageResponse } from "@/app/_lib/image-response";
import { revealedCandidateKey } from "@/lib/voting/queries";
import { store } from "@/lib/storage/store";

export const dynamic = "force-dynamic";
const params = z.object({ imageId: z.string().uuid(), candidateId: z.string().uuid() });

export const GET = route({ params }, async ({ user, params: { imageId, candidateId } }) =>
  imageResponse(await store().get(await revealedCandidateKey(user, imageId, candidateId)), "image/png"),
);
