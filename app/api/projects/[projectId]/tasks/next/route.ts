import { z } from "zod";
import { json, route } from "@/app/_lib/route";
import { claimNextTask } from "@/lib/drawing/mutations";
import { queueLeft } from "@/lib/drawing/queries";
import { claimSchema } from "@/lib/drawing/schema";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid() });

/** Claims the signed-in MD's next task (their own unfinished one first); null when none is left. `left`: images in their queue, this one included. */
export const POST = route({ params, body: json(claimSchema) }, async ({ user, params: { projectId }, body }) => {
  const task = await claimNextTask(user, projectId, body);
  return Response.json({ task, left: await queueLeft(user, projectId, claimSchema.parse(body).kinds) });
});
