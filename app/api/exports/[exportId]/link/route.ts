import { z } from "zod";
import { route, jsonBody } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { issueDownloadLink } from "@/lib/exports/download";
import { linkRequestSchema } from "@/lib/exports/schema";

export const dynamic = "force-dynamic";
const params = z.object({ exportId: z.string().uuid() });

export const POST = route<{ exportId: string }>(async (req, ctx) => {
  const user = await requireUser();
  const { exportId } = params.parse(await ctx.params);
  const { ttlSeconds } = linkRequestSchema.parse(await jsonBody(req));
  return Response.json(await issueDownloadLink(user, exportId, ttlSeconds), { headers: { "Cache-Control": "no-store" } });
});
