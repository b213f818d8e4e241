import { z } from "zod";
import { route } from "@/app/_lib/route";
import { getTaskForActor } from "@/lib/drawing/queries";

export const dynamic = "force-dynamic";
const params = z.object({ taskId: z.string().uuid() });

export const GET = route({ params }, async ({ user, params: { taskId } }) =>
  Response.json({ task: await getTaskForActor(user, taskId) }),
);
