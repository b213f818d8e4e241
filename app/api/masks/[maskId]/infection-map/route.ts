import { z } from "zod";
import { route } from "@/app/_lib/route";
import { imageResponse } from "@/app/_lib/image-response";
import { maskInfectionMap } from "@/lib/ml/mask-infection-map";

export const dynamic = "force-dynamic";
const params = z.object({ maskId: z.string().uuid() });

/** A machine prediction's infection map as an RGBA PNG (transparent where p = 0); leads only. */
export const GET = route({ params }, async ({ user, params: { maskId } }) =>
  imageResponse((await maskInfectionMap(user, maskId)).png, "image/png"),
);
