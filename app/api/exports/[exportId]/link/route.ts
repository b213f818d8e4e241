import { z } from "zod";
import { json, route } from "@/app/_lib/route";
import { issueDownloadLink } from "@/lib/exports/download";
import { linkRequestSchema } from "@/lib/exports/schema";

export const dynamic = "force-dynamic";
const params = z.object({ exportId: z.string().uuid() });

export const POST = route({ params, body: json(linkRequestSchema) }, async ({ user, params: { exportId }, body }) =>
  Response.json(await issueDownloadLink(user, exportId, body.ttlSeconds), { headers: { "Cache-Control": "no-store" } }),
);
