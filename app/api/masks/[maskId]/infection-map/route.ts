import { z } from "zod";
import { route } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { imageResponse } from "@/app/_lib/image-response";
import { maskInfectionMap } from "@/lib/ml/mask-infection-map";

export const dynamic = "force-dynamic";
const params = z.object({ maskId: z.string().uuid() });

/** A machine prediction's infection map as an RGBA PNG (transparent where p = 0); leads only. */
export const GET = route<{ maskId: string }>(async (_req, ctx) => {
  const user = await requireUser();
  const { maskId } = params.parse(await ctx.params);
  const view = await maskInfectionMap(user, maskId);
  return imageResponse(view.png, "image/png");
});
