import { z } from "zod";
import { route } from "@/app/_lib/route";
import { liveStatus } from "@/lib/dashboard/queries";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid() });

/** What the dashboard polls: training progress, jobs and workers. */
export const GET = route({ params }, async ({ user, params: { projectId } }) =>
  Response.json(await liveStatus(user, projectId), { headers: { "cache-control": "no-store" } }),
);
