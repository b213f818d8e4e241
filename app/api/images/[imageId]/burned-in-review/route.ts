import { z } from "zod";
import { json, route } from "@/app/_lib/route";
import { decideBurnedIn } from "@/lib/review/mutations";
import { burnedInDecisionSchema } from "@/lib/review/schema";

export const dynamic = "force-dynamic";
const params = z.object({ imageId: z.string().uuid() });

/** A lead's decision on an image held back for burned-in text: RELEASE, EXCLUDE or MASK {region}. */
export const POST = route({ params, body: json(burnedInDecisionSchema) }, async ({ user, params: { imageId }, body }) =>
  Response.json(await decideBurnedIn(user, imageId, body)),
);
