import { z } from "zod";
import { route } from "@/app/_lib/route";
import { imageResponse } from "@/app/_lib/image-response";
import { blindedCandidatePng } from "@/lib/voting/serve-candidate";

export const dynamic = "force-dynamic";
const params = z.object({ ballotId: z.string().uuid(), position: z.coerce.number().int().min(1).max(20) });

export const GET = route({ params }, async ({ user, params: p }) =>
  imageResponse(await blindedCandidatePng(user, p.ballotId, p.position), "image/png"),
);
