import { z } from "zod";
import { route } from "@/app/_lib/route";
import { revealCandidates } from "@/lib/voting/queries";

export const dynamic = "force-dynamic";
const params = z.object({ imageId: z.string().uuid() });

export const GET = route({ params }, async ({ user, params: { imageId } }) =>
  Response.json({ candidates: await revealCandidates(user, imageId) }),
);
