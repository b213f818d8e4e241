import { z } from "zod";
import { route } from "@/app/_lib/route";
import { loadDashboard } from "@/lib/dashboard/queries";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid() });

/** Every figure of the lead dashboard as JSON. */
export const GET = route({ params }, async ({ user, params: { projectId } }) =>
  Response.json(await loadDashboard(user, projectId), { headers: { "cache-control": "no-store" } }),
);
