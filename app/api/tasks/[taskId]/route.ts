import { z } from "zod";
import { route } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { getTaskForActor } from "@/lib/drawing/queries";

export const dynamic = "force-dynamic";
const params = z.object({ taskId: z.string().uuid() });

export const GET = route<{ taskId: string }>(async (_req, ctx) => {
  const user = await requireUser();
  const { taskId } = params.parse(await ctx.params);
  return Response.json({ task: await getTaskForActor(user, taskId) });
});
