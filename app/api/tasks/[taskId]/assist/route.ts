import { z } from "zod";
import { jsonBody, route } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { assistStatus, proposeForTask } from "@/lib/assist/queries";

export const dynamic = "force-dynamic";
const params = z.object({ taskId: z.string().uuid() });

/** Whether the Smart tool is available for this task (the project's click-model version). */
export const GET = route<{ taskId: string }>(async (_req, ctx) => {
  const user = await requireUser();
  const { taskId } = params.parse(await ctx.params);
  return Response.json(await assistStatus(user, taskId));
});

/** One Smart-tool step: all clicks so far (+ the mask they correct) → the new proposal. */
export const POST = route<{ taskId: string }>(async (req, ctx) => {
  const user = await requireUser();
  const { taskId } = params.parse(await ctx.params);
  return Response.json(await proposeForTask(user, taskId, (await jsonBody(req, 2_000_000)) as never));
});
