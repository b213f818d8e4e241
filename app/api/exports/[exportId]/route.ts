import { z } from "zod";
import { route } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { getExportForActor } from "@/lib/exports/queries";

export const dynamic = "force-dynamic";
const params = z.object({ exportId: z.string().uuid() });

export const GET = route<{ exportId: string }>(async (_req, ctx) => {
  const user = await requireUser();
  const { exportId } = params.parse(await ctx.params);
  return Response.json({ export: await getExportForActor(user, exportId) }, { headers: { "Cache-Control": "no-store" } });
});
