import { z } from "zod";
import { route, jsonBody } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { confirmTask } from "@/lib/drawing/mutations";
import { confirmSchema } from "@/lib/drawing/schema";

export const dynamic = "force-dynamic";
const params = z.object({ taskId: z.string().uuid() });

export const POST = route<{ taskId: string }>(async (req, ctx) => {
  const user = await requireUser();
  const { taskId } = params.parse(await ctx.params);
  return Response.json(await confirmTask(user, taskId, confirmSchema.parse(await jsonBody(req))));
});
