import { z } from "zod";
import { route, jsonBody } from "@/app/_lib/route";
import { requireUser } from "@/app/_lib/session";
import { claimNextTask } from "@/lib/drawing/mutations";
import { claimSchema } from "@/lib/drawing/schema";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid() });

/** Claims the signed-in MD's next task (their own unfinished one first); null when none is left. */
export const POST = route<{ projectId: string }>(async (req, ctx) => {
  const user = await requireUser();
  const { projectId } = params.parse(await ctx.params);
  const task = await claimNextTask(user, projectId, claimSchema.parse(await jsonBody(req)));
  return Response.json({ task });
});
