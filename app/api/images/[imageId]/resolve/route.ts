import { z } from "zod";
import { json, route } from "@/app/_lib/route";
import { resolveDispute } from "@/lib/voting/mutations";

export const dynamic = "force-dynamic";
const params = z.object({ imageId: z.string().uuid() });
const body = z.object({ candidateId: z.string().uuid().nullable() });

export const POST = route({ params, body: json(body) }, async ({ user, params: { imageId }, body: { candidateId } }) =>
  Response.json(await resolveDispute(user, imageId, candidateId)),
);
