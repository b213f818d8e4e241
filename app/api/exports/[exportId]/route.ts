import { z } from "zod";
import { route } from "@/app/_lib/route";
import { getExportForActor } from "@/lib/exports/queries";

export const dynamic = "force-dynamic";
const params = z.object({ exportId: z.string().uuid() });

export const GET = route({ params }, async ({ user, params: { exportId } }) =>
  Response.json({ export: await getExportForActor(user, exportId) }, { headers: { "Cache-Control": "no-store" } }),
);
