import { z } from "zod";
import { route, jsonBody } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { skipTask } from "@/lib/drawing/mutations";
import { skipSchema } from "@/lib/drawing/schema";

export const dynamic = "force-dynamic";
const params = z.object({ taskId: z.string().uuid() });

export const POST = route<{ taskId: string }>(async (req, ctx) => {
  const user = await requireUser();
  const { taskId } = params.parse(await ctx.params);
  return Response.json(await skipTask(user, taskId, skipSchema.parse(await jsonBody(req))));
});
