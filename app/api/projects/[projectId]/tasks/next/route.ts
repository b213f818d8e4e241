import { z } from "zod";
import { json, route } from "@/app/_lib/route";
import { claimNextTask } from "@/lib/drawing/mutations";
import { queueLeft } from "@/lib/drawing/queries";
import { claimSchema } from "@/lib/drawing/schema";

export const dynamic = "force-dynamic";
const params = z.object({ projectId: z.string().uuid() });

/** Claims the signed-in MD's next task (their own unfinished one first); null when none is left. `left`: images in their queue, this one included. */
export const POST = route({ params, body: json(claimSchema) }, async ({ user, params: { projectId }, body }) => {
  // The count is the same before and after the claim (a task open to this MD, or claimed by them), so both run at once.
  const [task, left] = await Promise.all([
    claimNextTask(user, projectId, body),
    queueLeft(user, projectId, claimSchema.parse(body).kinds),
  ]);
  return Response.json({ task, left });
});
